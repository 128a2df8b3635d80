// `vidseg patterns find --report` on a generated lesson with known talk, silence and pictures, plus
// the other `train` / `predict` paths of issue 5: text-only training from a dataset's transcripts,
// predicting a folder of videos with per-item failures, and --folds beyond the data (usage error).
//
// The lesson (60 s, espeak-ng + ffmpeg lavfi, made once per suite):
//   0-4 silence | 4-24 teacher | 24-30 silence | 30-40 student | 40-44 silence | 44-56 teacher | 56-60 silence
// teacher: espeak-ng en, pitch 30; student: en+f3, pitch 85 -> silence 30 %, teacher 53.3 %,
// students 16.7 %. The picture is blue, red while the student speaks (30-40 s); the pattern "Q"
// is labelled on 30-40 s, so its top segment's keyframe (the middle frame, 35 s) must be red.
// The lesson is cached as <test media>/talk_lesson.mp4 (delete it to regenerate).
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

const char* kTeacherText =
    "the plants in our garden take water from the ground and light from the sun and they turn both of them into "
    "food that helps them grow taller every single day while the roots hold the soil together and keep the whole "
    "garden green and healthy for all of us";
const char* kStudentText =
    "why do the leaves change colour in autumn and where does the green go when the days get shorter and colder outside";

class PatternsReport : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new vidseg::test::TempDir();
        const auto& d = dir_->path();
        // Made once per build (ctest runs every test in its own process) and kept beside the test media.
        const fs::path cached = fs::path(VIDSEG_TEST_MEDIA_DIR) / "talk_lesson.mp4";
        if (fs::exists(cached)) fs::copy_file(cached, d / "lesson.mp4");
        const std::string t = kTeacherText, s = kStudentText;
        const auto r = fs::exists(d / "lesson.mp4") ? vidseg::test::CommandResult{0, "", ""} : run_shell(
            "(cd " + shell_quote(d) + " && espeak-ng -v en -p 30 -s 160 -w teacher.wav '" + t + " " + t + " " + t +
            "' && espeak-ng -v en+f3 -p 85 -s 170 -w student.wav '" + s + " " + s +
            "' && ffmpeg -hide_banner -loglevel error -nostdin -y -i teacher.wav -i student.wav "
            "-f lavfi -i color=c=blue:s=160x120:r=10:d=60 -f lavfi -i color=c=red:s=160x120:r=10:d=10 -filter_complex "
            "'[0:a]aresample=16000,asplit[t1][t2];[t1]atrim=0:20,asetpts=N/SR/TB[ta];[t2]atrim=20:32,asetpts=N/SR/TB[tb];"
            "[1:a]aresample=16000,atrim=0:10,asetpts=N/SR/TB[s];anullsrc=r=16000:cl=mono,atrim=0:4[z1];"
            "anullsrc=r=16000:cl=mono,atrim=0:6[z2];anullsrc=r=16000:cl=mono,atrim=0:4[z3];"
            "anullsrc=r=16000:cl=mono,atrim=0:4[z4];[z1][ta][z2][s][z3][tb][z4]concat=n=7:v=0:a=1[a];"
            "[2:v][3:v]overlay=enable=between(t\\,30\\,40)[v]' -map '[v]' -map '[a]' -t 60 -c:v libx264 -preset veryfast "
            "-pix_fmt yuv420p -threads 1 -g 20 -c:a aac -b:a 64k lesson.mp4)");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        if (!fs::exists(cached)) {  // publish atomically: a parallel test process may be doing the same
            const fs::path part = cached.string() + ".part-" + std::to_string(::getpid());
            fs::copy_file(d / "lesson.mp4", part, fs::copy_options::overwrite_existing);
            fs::rename(part, cached);
        }
        auto f = run_vidseg("features " + shell_quote(d / "lesson.mp4") + " --out " + shell_quote(d / "lesson.features.csv"));
        ASSERT_EQ(f.exit_code, 0) << f.err;
        fs::create_directories(d / "ds");
        std::ofstream(d / "ds" / "metadata.jsonl")
            << json{{"patterns", {"Q"}}, {"start", 30}, {"end", 40}, {"source_video", "lesson.mp4"}}.dump() << "\n";
        f = run_vidseg("train --data " + shell_quote(d / "ds") + " --features " + shell_quote(d / "lesson.features.csv") +
                       " --epochs 30 --out " + shell_quote(d / "q.model"));
        ASSERT_EQ(f.exit_code, 0) << f.err;
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static fs::path path(const std::string& name) { return dir_->path() / name; }
    static vidseg::test::TempDir* dir_;
};

vidseg::test::TempDir* PatternsReport::dir_ = nullptr;

// The average colour of a base64 JPEG data URI, decoded by ffmpeg: "R G B".
std::vector<int> data_uri_colour(const std::string& uri, const fs::path& scratch) {
    const std::string prefix = "data:image/jpeg;base64,";
    EXPECT_EQ(uri.rfind(prefix, 0), 0u);
    std::ofstream(scratch / "frame.b64") << uri.substr(prefix.size());
    const auto r = run_shell("(cd " + shell_quote(scratch) + " && base64 -d frame.b64 > frame.jpg && "
                             "ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 frame.jpg && "
                             "ffmpeg -v error -nostdin -i frame.jpg -vf scale=1:1 -f rawvideo -pix_fmt rgb24 -y pixel.rgb && "
                             "od -An -tu1 pixel.rgb)");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("mjpeg,160,120"), std::string::npos) << r.out;
    std::istringstream rgb(r.out.substr(r.out.find('\n') + 1));
    std::vector<int> c(3, -1);
    rgb >> c[0] >> c[1] >> c[2];
    return c;
}

}  // namespace

TEST_F(PatternsReport, TalkSharesKeyframesAndTranscriptSnippets) {
    std::ofstream(path("lesson_subs.srt")) << "1\n00:00:04,000 --> 00:00:24,000\nThe plants in our garden.\n\n"
                                              "2\n00:00:30,000 --> 00:00:40,000\nWhy do the leaves change colour?\n\n"
                                              "3\n00:00:44,000 --> 00:00:56,000\nThe roots hold the soil.\n";
    const auto r = run_vidseg("patterns find --model " + shell_quote(path("q.model")) + " " + shell_quote(path("lesson.mp4")) +
                              " --transcript " + shell_quote(path("lesson_subs.srt")) + " --report " +
                              shell_quote(path("report.html")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("talk: teacher"), std::string::npos) << r.out;
    const auto doc = json::parse(read_text(path("report.json")));

    const auto& talk = doc["talk"];
    ASSERT_TRUE(talk["available"].get<bool>()) << talk.dump();
    EXPECT_NEAR(talk["silence_share"].get<double>(), 0.30, 0.04);
    EXPECT_NEAR(talk["teacher_share"].get<double>(), 32.0 / 60, 0.05);
    EXPECT_NEAR(talk["student_share"].get<double>(), 10.0 / 60, 0.04);
    EXPECT_TRUE(talk["speakers_separated"].get<bool>());

    ASSERT_GE(doc["top_segments"].size(), 1u);
    const auto& top = doc["top_segments"][0];
    EXPECT_EQ(top["label"], "Q");
    EXPECT_NEAR(top["start"].get<double>(), 30, 2);
    EXPECT_NEAR(top["end"].get<double>(), 40, 2);
    EXPECT_EQ(top["transcript"], "Why do the leaves change colour?");
    EXPECT_EQ(doc["transcript"]["source"], path("lesson_subs.srt").string());
    const auto colour = data_uri_colour(top["keyframe"].get<std::string>(), dir_->path());
    EXPECT_GT(colour[0], 200);  // red: the middle of 30-40 s
    EXPECT_LT(colour[2], 60);

    const auto html = read_text(path("report.html"));
    EXPECT_NE(html.find("<h2>Talk and silence</h2>"), std::string::npos);
    EXPECT_NE(html.find("How this was estimated"), std::string::npos);
    EXPECT_NE(html.find("<img src=\"" + top["keyframe"].get<std::string>() + "\""), std::string::npos);
    EXPECT_NE(html.find("Why do the leaves change colour?"), std::string::npos);
    EXPECT_NE(html.find("talk: teacher (blue)"), std::string::npos);  // the talk lane of the timeline
}

TEST_F(PatternsReport, TranscriptBesideTheLessonOrNone) {
    const auto alone = path("alone");
    fs::create_directories(alone);
    fs::copy_file(path("lesson.mp4"), alone / "lesson.mp4", fs::copy_options::overwrite_existing);
    auto r = run_vidseg("patterns find --json --model " + shell_quote(path("q.model")) + " " +
                        shell_quote(alone / "lesson.mp4") + " --report " + shell_quote(alone / "r.html"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out);
    EXPECT_FALSE(doc["transcript"]["available"].get<bool>());
    EXPECT_FALSE(doc["top_segments"][0].contains("transcript"));
    EXPECT_NE(read_text(alone / "r.html").find("Transcripts were not available"), std::string::npos);

    std::ofstream(alone / "lesson.vtt") << "WEBVTT\n\n00:31.000 --> 00:33.000\nwhere does the green go\n";
    r = run_vidseg("patterns find --json --model " + shell_quote(path("q.model")) + " " + shell_quote(alone / "lesson.mp4"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = json::parse(r.out);
    EXPECT_EQ(doc["transcript"]["source"], (alone / "lesson.vtt").string());
    EXPECT_EQ(doc["top_segments"][0]["transcript"], "where does the green go");

    // A named transcript that is missing is an error, not a silent omission.
    r = run_vidseg("patterns find --model " + shell_quote(path("q.model")) + " " + shell_quote(alone / "lesson.mp4") +
                   " --transcript " + shell_quote(alone / "none.srt"));
    EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(PatternsReport, WhisperTranscribesTheLessonForSnippets) {
    const auto python = vidseg::test::source_path("build/pyenv-asr/bin/python");
    ASSERT_TRUE(fs::exists(python)) << python << " is missing: run bash scripts/setup.sh";
    const auto r = run_vidseg("patterns find --json --model " + shell_quote(path("q.model")) + " " +
                              shell_quote(path("lesson.mp4")) + " --whisper-backend faster-whisper --whisper-language en" +
                              " --whisper-python " + shell_quote(python) + " --whisper-worker " +
                              shell_quote(vidseg::test::source_path("src/vidseg/asr/faster_whisper_worker.py")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_NE(doc["transcript"]["source"].get<std::string>().find("faster-whisper"), std::string::npos);
    std::string snippet = doc["top_segments"][0]["transcript"].get<std::string>();
    for (auto& c : snippet) c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(snippet.find("leaves"), std::string::npos) << snippet;  // the student's question, 30-40 s
    EXPECT_EQ(snippet.find("garden"), std::string::npos) << snippet;  // not the teacher's speech around it
}

TEST_F(PatternsReport, PredictOnAFolderReportsFailedVideosByName) {
    const auto folder = path("videos");
    fs::create_directories(folder);
    fs::copy_file(path("lesson.mp4"), folder / "lesson.mp4", fs::copy_options::overwrite_existing);
    std::ofstream(folder / "broken.mp4") << "not a video";
    std::ofstream(folder / "notes.txt") << "ignored: not media";
    const std::string base = "predict --model " + shell_quote(path("q.model")) + " --min-length 3 " + shell_quote(folder);

    auto r = run_vidseg(base + " --json --out " + shell_quote(path("pred.json")));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("broken.mp4"), std::string::npos) << r.err;
    auto doc = json::parse(r.out);
    ASSERT_EQ(doc["videos"].size(), 1u);
    EXPECT_EQ(fs::path(doc["videos"][0]["source"].get<std::string>()).filename(), "lesson.mp4");
    ASSERT_EQ(doc["videos"][0]["intervals"].size(), 1u);
    EXPECT_NEAR(doc["videos"][0]["intervals"][0]["start"].get<double>(), 30, 2);
    ASSERT_EQ(doc["failed"].size(), 1u);
    EXPECT_EQ(fs::path(doc["failed"][0]["input"].get<std::string>()).filename(), "broken.mp4");
    EXPECT_EQ(doc["failed"][0]["error"], "invalid_media");
    EXPECT_FALSE(fs::exists(path("pred.json")));  // nothing written while an item failed

    r = run_vidseg(base + " --keep-going --out " + shell_quote(path("pred.json")));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("1 of 2 input(s) failed"), std::string::npos) << r.out;
    ASSERT_TRUE(fs::exists(path("pred.json")));
    EXPECT_EQ(json::parse(read_text(path("pred.json")))["videos"].size(), 1u);

    // Every input failing keeps the failure's own exit code, with or without --keep-going.
    fs::remove(folder / "lesson.mp4");
    EXPECT_EQ(run_vidseg(base + " --keep-going").exit_code, 4);
}

TEST_F(PatternsReport, TooManyFoldsIsAUsageError) {
    // 60 rows in chunks of 64 rows: one chunk, so no 2-fold split exists.
    const auto r = run_vidseg("train --data " + shell_quote(path("ds")) + " --features " +
                              shell_quote(path("lesson.features.csv")) + " --folds 2 --out " + shell_quote(path("f.model")));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--folds 2 is more than the data can be split into"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("1 chunk(s) of 60 rows"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("f.model")));
    // With smaller chunks the same data does split.
    EXPECT_EQ(run_vidseg("train --data " + shell_quote(path("ds")) + " --features " + shell_quote(path("lesson.features.csv")) +
                         " --folds 2 --chunk 20 --epochs 5 --out " + shell_quote(path("f.model")))
                  .exit_code,
              0);
}

// A dataset with transcripts and no media: "Q" fragments are fast speech (4 words/s), "L" slow
// (1 word/s), between them nothing is said.
TEST(ModelsTextOnly, TrainsOnTranscriptsWithoutMediaAndPredicts) {
    vidseg::test::TempDir dir;
    fs::create_directories(dir / "ds" / "train");
    {
        std::ofstream out(dir / "ds" / "train" / "metadata.jsonl");
        const auto words = [](int n) {
            std::string s;
            for (int i = 0; i < n; ++i) s += (i ? " w" : "w") + std::to_string(i);
            return s;
        };
        for (const std::string lesson : {"a.mp4", "b.mp4", "c.mp4"})
            for (int k = 0; k < 4; ++k) {
                const bool fast = (k + (lesson == "b.mp4")) % 2 == 1;
                const double start = 5 + 20.0 * k;
                out << json{{"file_name", "videos/" + lesson.substr(0, 1) + std::to_string(k) + ".mp4"},
                            {"source_video", lesson},
                            {"start", start},
                            {"end", start + 10},
                            {"patterns", {fast ? "Q" : "L"}},
                            {"transcript", words(fast ? 40 : 10)}}
                           .dump()
                    << "\n";
            }
    }
    auto r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --arch linear --epochs 60 --json --out " +
                        shell_quote(dir / "text.model"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto trained = json::parse(r.out);
    EXPECT_EQ(trained["labels"], json::array({"L", "Q"}));
    EXPECT_EQ(trained["columns"], 3);
    EXPECT_EQ(trained["videos"], 3);

    // Text features of a new lesson (what `vidseg features --transcript` writes): slow 10-20 s, fast 30-40 s.
    {
        std::ofstream out(dir / "d.features.csv");
        out << "time,tokens,words_per_second,speech_coverage\n";
        for (int t = 0; t < 50; ++t) {
            const int w = t >= 10 && t < 20 ? 1 : t >= 30 && t < 40 ? 4 : 0;
            out << t << "," << w << "," << w << "," << (w ? 1 : 0) << "\n";
        }
    }
    r = run_vidseg("predict --json --model " + shell_quote(dir / "text.model") + " " + shell_quote(dir / "d.features.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto found = json::parse(r.out)["videos"][0]["intervals"];
    ASSERT_EQ(found.size(), 2u) << found.dump();
    for (const auto& i : found) {
        const bool q = i["label"] == "Q";
        EXPECT_NEAR(i["start"].get<double>(), q ? 30 : 10, 1) << i.dump();
        EXPECT_NEAR(i["end"].get<double>(), q ? 40 : 20, 1) << i.dump();
    }

    // No transcripts and no --features: a clear error.
    fs::create_directories(dir / "bare");
    std::ofstream(dir / "bare" / "metadata.jsonl")
        << json{{"source_video", "a.mp4"}, {"start", 0}, {"end", 3}, {"patterns", {"L"}}}.dump() << "\n";
    r = run_vidseg("train --data " + shell_quote(dir / "bare") + " --out " + shell_quote(dir / "x.model"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("no fragment has a transcript"), std::string::npos) << r.err;
}

// Damaged and extreme media corpus (issue 14 §4): a small H.264 + AAC video generated here with ffmpeg,
// then damaged — empty, truncated at several offsets, bytes flipped in the header and in the middle,
// with the index (moov) at the end and at the start — plus the extreme files of
// tests/media/make_extreme_media.sh (zero-length streams, timestamps jumping back or stalling, 1x1 and
// 16384-wide pictures, headers claiming 16384x16384, 3 hours of silence, sound outlasting the picture, a
// variable-frame-rate phone video rotated 90°, raw .h264 / .hevc streams without timestamps; how each is
// read is in README.md, "Unusual timelines"), and every media command run on each under a memory limit
// (ulimit -v) and a time limit. Each run must end in a clean result or a clear error (exit 3, 4 or 5 with
// a message): never an internal error (70), a signal or a hang.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/binary_under_test.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_shell;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;
using vidseg::test::address_space_limit;
using vidseg::test::run_seconds;
using vidseg::test::vidseg_binary;

namespace {

constexpr int kMemoryLimitKb = 3 * 1024 * 1024;  // ulimit -v: 3 GiB of address space
constexpr int kSecondsPerRun = 60;
// A run on the 3-hour file that decodes all of it (features, predict, prepare: ~10 s of CPU) on a loaded
// machine.
constexpr int kHoursLongSeconds = 300;

struct Damaged {
    std::string name;
    fs::path file;
    bool must_fail = false;  // nothing usable is left: the command may not succeed
    bool hours_long = false;  // 3 hours of media: only commands bounded in time run on it (run_on_corpus)
};

// The files of tests/media/make_extreme_media.sh, made once per build tree beside the test media.
const std::vector<std::pair<std::string, bool>> kExtreme = {  // name, must_fail
    {"no_video_frames.mkv", false}, {"no_audio_samples.mkv", false},   {"no_frames_at_all.mkv", true},
    {"ts_backwards.ts", false},     {"stalled_pts.mkv", false},        {"tiny_1x1.mp4", false},
    {"wide_16384.mp4", false},      {"header_16384x16384.h264", true}, {"header_16384x8192.mkv", true},
    {"header_16384x8192.ts", true}, {"header_8192x8192.mkv", false},   {"silent_3h.mkv", false},
    {"audio_longer.mp4", false},    {"phone_vfr_rot90.mp4", false},    {"raw_4s.h264", false},
    {"raw_4s.hevc", false}};

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
}

// The corpus, made once per test process.
class DamagedMedia : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir();
        const auto make = [](const fs::path& out, const std::string& flags) {
            const auto r = run_shell(
                "ffmpeg -v error -y -f lavfi -i testsrc=size=160x120:rate=25:duration=3 -f lavfi -i "
                "sine=frequency=440:sample_rate=22050:duration=3 -c:v libx264 -preset ultrafast -g 25 "
                "-pix_fmt "
                "yuv420p -c:a aac -shortest " +
                flags + " " + shell_quote(out));
            ASSERT_EQ(r.exit_code, 0) << r.err;
        };
        make(dir_->path() / "moov_end.mp4", "");
        make(dir_->path() / "moov_start.mp4", "-movflags +faststart");
        corpus_ = new std::vector<Damaged>();
        const fs::path empty = dir_->path() / "empty.mp4";
        write_bytes(empty, "");
        corpus_->push_back({"empty", empty, true});
        for (const char* base : {"moov_end", "moov_start"}) {
            const std::string bytes = bytes_of(dir_->path() / (std::string(base) + ".mp4"));
            ASSERT_GT(bytes.size(), 10000u);
            const auto add = [&](const std::string& what, const std::string& damaged, bool must_fail) {
                const fs::path file = dir_->path() / (std::string(base) + "_" + what + ".mp4");
                write_bytes(file, damaged);
                corpus_->push_back({std::string(base) + "_" + what, file, must_fail});
            };
            for (size_t cut : {size_t{100}, size_t{1000}})
                add("cut" + std::to_string(cut), bytes.substr(0, cut), true);
            for (int percent : {10, 50, 90})
                add("cut" + std::to_string(percent) + "pct", bytes.substr(0, bytes.size() * percent / 100),
                    false);
            std::string header = bytes;
            for (size_t i = 16; i < 80; ++i) header[i] = static_cast<char>(header[i] ^ 0xFF);
            add("flip_header", header, false);
            std::string middle = bytes;
            for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 2048; ++i)
                middle[i] = static_cast<char>(middle[i] ^ 0x5A);
            add("flip_middle", middle, false);
        }
        // Versioned: a build tree that made an older set (without the raw streams) makes this one beside it.
        extreme_ = vidseg::test::generated_media_dir("extreme-v2", "tests/media/make_extreme_media.sh");
        for (const auto& [name, must_fail] : kExtreme) {
            // Copied beside the damaged files: each gets its own export (FILE.export.json) there.
            fs::copy_file(extreme_ / name, dir_->path() / name);
            corpus_->push_back({name, dir_->path() / name, must_fail, name == "silent_3h.mkv"});
        }
        write_exports();
    }
    // A Label Studio export with one interval [0.5, 1.5) on each damaged file (FILE.export.json).
    static void write_exports() {
        for (const auto& d : *corpus_)
            write_bytes(
                d.file.string() + ".export.json",
                R"([{"id": 1, "data": {"video": "/data/upload/1/)" + d.file.filename().string() +
                    R"("}, "annotations": [{"id": 1, "result": [{"id": "r", "from_name": "pattern_intervals",
                            "to_name": "audio", "type": "labels",
                            "value": {"start": 0.5, "end": 1.5, "labels": ["Работа в команде У"]}}]}]}])");
    }
    static void TearDownTestSuite() {
        delete corpus_;
        delete dir_;
    }

    // Runs `vidseg ARGS` on every damaged file (EXPORT, GOOD, FILE and OUT substituted: the file's export,
    // the undamaged video, the file, an output path) and checks each outcome. `items_may_fail`: exit 1
    // (some items failed, named) is a clean outcome too. On the hours-long file `long_args` run instead
    // (bounded: a window, fewer segments); empty = the command is not run on it (said where it is so).
    static void run_on_corpus(const std::string& command, const std::string& args,
                              bool items_may_fail = false, const std::string& long_args = "",
                              int long_seconds = kSecondsPerRun) {
        for (const auto& d : *corpus_) {
            if (d.hours_long && long_args.empty()) continue;
            // Under ASan the hours-long file would take CI's budget (it checks time and memory bounds,
            // which the normal build checks; the sanitized run is about memory errors).
            if (d.hours_long && vidseg::test::binary_is_sanitized()) continue;
            SCOPED_TRACE(command + " on " + d.name);
            TempDir out;
            std::string line = d.hours_long ? long_args : args;
            const auto substitute = [&](const std::string& token, const fs::path& value) {
                for (size_t at; (at = line.find(token)) != std::string::npos;)
                    line.replace(at, token.size(), shell_quote(value));
            };
            substitute("EXPORT", d.file.string() + ".export.json");
            substitute("GOOD", dir_->path() / "moov_end.mp4");
            for (size_t at; (at = line.find("FILE")) != std::string::npos;)
                line.replace(at, 4, shell_quote(d.file));
            for (size_t at; (at = line.find("OUT")) != std::string::npos;)
                line.replace(at, 3, shell_quote(out / "out"));
            const int seconds = d.hours_long ? long_seconds : kSecondsPerRun;
            const auto r = run_shell(address_space_limit(kMemoryLimitKb) + "timeout -s KILL " +
                                     std::to_string(run_seconds(seconds)) + " " + shell_quote(vidseg_binary()) + " " +
                                     command + " " + line + " --quiet");
            EXPECT_NE(r.exit_code, 70) << "internal error: " << r.err;
            EXPECT_LT(r.exit_code, 128) << "killed by a signal (or the time limit): " << r.err;
            if (d.must_fail) EXPECT_NE(r.exit_code, 0) << r.out;
            if (r.exit_code != 0) {
                EXPECT_TRUE(r.exit_code == 3 || r.exit_code == 4 || r.exit_code == 5 ||
                            (items_may_fail && r.exit_code == 1))
                    << r.exit_code << ": " << r.err;
                // "vidseg CMD: error[CODE]: ...", or for items that failed (exit 1) a line "error: ITEM:
                // ...".
                EXPECT_TRUE(r.err.find(": error[") != std::string::npos ||
                            (r.exit_code == 1 &&
                             (r.err.starts_with("error: ") || r.err.find("\nerror: ") != std::string::npos)))
                    << "no message: " << r.err;
                // Nothing half-written; `dataset build` keeps its resumable work dir (.out.vidseg-partial) by
                // design.
                for (const auto& e : fs::directory_iterator(out.path()))
                    EXPECT_TRUE(e.path().filename().string().ends_with(".vidseg-partial"))
                        << "half-written output left behind: " << e.path();
            }
        }
    }

    // `vidseg probe --json` of an extreme file: exit code and document (null unless exit 0).
    static std::pair<int, nlohmann::json> probe(const std::string& name, std::string* err = nullptr) {
        const auto r =
            run_shell(shell_quote(vidseg_binary()) + " probe --json " + shell_quote(extreme_ / name));
        if (err) *err = r.err;
        return {r.exit_code, r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json()};
    }

    static TempDir* dir_;
    static std::vector<Damaged>* corpus_;
    static fs::path extreme_;
};

TempDir* DamagedMedia::dir_ = nullptr;
std::vector<Damaged>* DamagedMedia::corpus_ = nullptr;
fs::path DamagedMedia::extreme_;

}  // namespace

TEST_F(DamagedMedia, CorpusIsWhatItSays) {
    ASSERT_EQ(corpus_->size(), 15u + kExtreme.size());
    EXPECT_EQ(fs::file_size(corpus_->front().file), 0u);
    // The undamaged sources are fine: the harness itself does not fail everything.
    for (const char* base : {"moov_end.mp4", "moov_start.mp4"}) {
        const auto r = run_shell(shell_quote(vidseg_binary()) + " probe " + shell_quote(dir_->path() / base));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
}

TEST_F(DamagedMedia, Probe) {
    run_on_corpus("probe", "FILE --json", false, "FILE --json");
}
// prepare on 3 hours writes the whole sound and its copy for the tasks: at 1 kHz (2 x 22 MB) rather than
// 16 kHz (2 x 330 MB).
TEST_F(DamagedMedia, Prepare) {
    run_on_corpus("prepare", "FILE --segment 1 --out OUT", false, "FILE --segment 1800 --audio-rate 1000 --out OUT",
                  kHoursLongSeconds);
}
TEST_F(DamagedMedia, Cut) {
    run_on_corpus("cut", "FILE --segment 1 --out OUT", false, "FILE --segment 1800 --out OUT");
}
TEST_F(DamagedMedia, Keyframes) {
    run_on_corpus("keyframes", "FILE --segment 1 --out OUT", false, "FILE --segment 600 --out OUT");
}
TEST_F(DamagedMedia, Audio) {
    run_on_corpus("audio", "FILE --out OUT.wav", false, "FILE --start 3600 --end 3610 --out OUT.wav");
}
// The audio features of 3 hours stream in bounded memory (AudioRowPooler; AudioFeaturesOfThreeHours
// checks the bound).
TEST_F(DamagedMedia, Features) {
    run_on_corpus("features", "FILE --out OUT.csv", false, "FILE --out OUT.csv", kHoursLongSeconds);
}
TEST_F(DamagedMedia, DatasetBuild) {
    const std::string args = "--video FILE --annotations EXPORT --out OUT --yes";
    run_on_corpus("dataset build", args, true, args);
}
TEST_F(DamagedMedia, IntroDetectBesideAGoodEpisode) {
    run_on_corpus("intro detect", "FILE GOOD --no-cache --edl OUT", true, "FILE GOOD --no-cache --edl OUT");
}

// predict with a tiny model trained on the undamaged video's features, on each file alone (exit 0, or its
// failure's own code), then on a folder of them all (exit 1, each failure named; --keep-going: 0).
TEST_F(DamagedMedia, Predict) {
    TempDir work;
    const std::string vidseg = shell_quote(vidseg_binary());
    auto r = run_shell(vidseg + " features " + shell_quote(dir_->path() / "moov_end.mp4") + " --out " +
                       shell_quote(work / "good.features.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    fs::create_directories(work / "ds");
    std::ofstream(work / "ds" / "metadata.jsonl")
        << nlohmann::json{{"patterns", {"Q"}}, {"start", 0.5}, {"end", 1.5}, {"source_video", "good.mp4"}}
               .dump()
        << "\n";
    r = run_shell(vidseg + " train --data " + shell_quote(work / "ds") + " --features " +
                  shell_quote(work / "good.features.csv") + " --arch linear --epochs 5 --out " +
                  shell_quote(work / "q.model"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string predict = "--model " + shell_quote(work / "q.model") + " FILE --json --out OUT.json";
    run_on_corpus("predict", predict, false, predict, kHoursLongSeconds);
    // Features computed from a video that lacks what the model reads are the media's fault (exit 4), not a
    // malformed data file (7): no sound at all, or no picture after 2 s.
    for (const auto& [name, says] :
         {std::pair{"tiny_1x1.mp4", "features lack "},
          std::pair{"audio_longer.mp4", "NaN feature value in column 'brightness' at 2 s"}}) {
        r = run_shell(vidseg + " predict --model " + shell_quote(work / "q.model") + " " +
                      shell_quote(extreme_ / name));
        EXPECT_EQ(r.exit_code, 4) << name << ": " << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("a stream the model reads is missing or has no data there"), std::string::npos)
            << r.err;
    }

    // The folder: the good video and a few of each kind (all of them would only repeat the runs above).
    fs::create_directories(work / "videos");
    const std::set<std::string> some = {"empty",
                                        "moov_end_cut1000",
                                        "moov_start_flip_header",
                                        "no_frames_at_all.mkv",
                                        "header_16384x8192.mkv",
                                        "audio_longer.mp4",
                                        "phone_vfr_rot90.mp4"};
    size_t failing = 0;
    std::vector<Damaged> in_folder;
    for (const auto& d : *corpus_) {
        if (!some.count(d.name)) continue;
        fs::copy_file(d.file, work / "videos" / d.file.filename());
        in_folder.push_back(d);
        failing += d.must_fail;
    }
    ASSERT_EQ(in_folder.size(), some.size());
    fs::copy_file(dir_->path() / "moov_end.mp4", work / "videos" / "good.mp4");
    const std::string folder =
        "predict --model " + shell_quote(work / "q.model") + " " + shell_quote(work / "videos");
    r = run_shell(address_space_limit(kMemoryLimitKb) + "timeout -s KILL " + std::to_string(run_seconds(300)) + " " + vidseg + " " +
                  folder + " --json");
    ASSERT_EQ(r.exit_code, 1) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    std::set<std::string> failed;
    for (const auto& f : doc["failed"])
        failed.insert(fs::path(f["input"].get<std::string>()).filename().string());
    for (const auto& d : in_folder)
        if (d.must_fail) EXPECT_TRUE(failed.count(d.file.filename().string())) << d.name << ": " << r.out;
    EXPECT_GE(failed.size(), failing);
    EXPECT_EQ(failed.count("good.mp4"), 0u) << r.out;
    EXPECT_GE(doc["videos"].size(), 1u);
    for (const auto& name : failed)
        EXPECT_NE(r.err.find(name), std::string::npos) << name << " not named: " << r.err;
}

// The extreme files give the right answers, not only clean exits.
TEST_F(DamagedMedia, ExtremeFilesProbeRight) {
    // Sound longer than the picture: a whole file, not a truncated one.
    auto [code, doc] = probe("audio_longer.mp4");
    ASSERT_EQ(code, 0);
    EXPECT_DOUBLE_EQ(doc["duration"].get<double>(), 6.0);
    EXPECT_DOUBLE_EQ(doc["streams"][0]["duration"].get<double>(), 2.0);
    EXPECT_EQ(doc["streams"][0]["frame_count"], 50);
    // The phone video: 90° display matrix, variable frame rate, all 60 frames.
    std::tie(code, doc) = probe("phone_vfr_rot90.mp4");
    ASSERT_EQ(code, 0);
    EXPECT_EQ(doc["streams"][0]["rotation"].get<int>() % 180, 90);
    EXPECT_EQ(doc["streams"][0]["variable_frame_rate"], true);
    EXPECT_EQ(doc["streams"][0]["frame_count"], 60);
    std::tie(code, doc) = probe("tiny_1x1.mp4");
    ASSERT_EQ(code, 0);
    EXPECT_EQ(doc["streams"][0]["width"], 1);
    EXPECT_EQ(doc["streams"][0]["frame_count"], 10);
    std::tie(code, doc) = probe("wide_16384.mp4");
    ASSERT_EQ(code, 0);
    EXPECT_EQ(doc["streams"][0]["width"], 16384);
    std::tie(code, doc) = probe("silent_3h.mkv");
    ASSERT_EQ(code, 0);
    EXPECT_NEAR(doc["duration"].get<double>(), 10800, 1);
    std::tie(code, doc) = probe("header_8192x8192.mkv");
    ASSERT_EQ(code, 0);
    EXPECT_EQ(doc["streams"][0]["height"], 8192);
    // Headers claiming more than VIDSEG_MAX_VIDEO_PIXELS: refused before a frame of that size is decoded.
    for (const char* name : {"header_16384x8192.mkv", "header_16384x8192.ts"}) {
        std::string err;
        EXPECT_EQ(probe(name, &err).first, 5) << name;
        EXPECT_NE(err.find("(16384x8192) is 134217728 pixels"), std::string::npos) << err;
        EXPECT_NE(err.find("VIDSEG_MAX_VIDEO_PIXELS"), std::string::npos) << err;
    }
    // ... and accepted when the limit is raised.
    const auto raised = run_shell("VIDSEG_MAX_VIDEO_PIXELS=200000000 " + shell_quote(vidseg_binary()) +
                                  " probe " + shell_quote(extreme_ / "header_16384x8192.mkv"));
    EXPECT_EQ(raised.exit_code, 0) << raised.err;
    EXPECT_EQ(probe("header_16384x16384.h264").first, 4);  // FFmpeg refuses the size: no media data
    EXPECT_EQ(probe("no_frames_at_all.mkv").first, 4);
}

namespace {
// `vidseg ARGS` (FILE = the file, OUT = an output path in `out`): the exit code and output.
vidseg::test::CommandResult run_on(const std::string& args_with_file, const fs::path& file, const TempDir& out) {
    std::string line = args_with_file;
    for (size_t at; (at = line.find("FILE")) != std::string::npos;) line.replace(at, 4, shell_quote(file));
    for (size_t at; (at = line.find("OUT")) != std::string::npos;) line.replace(at, 3, shell_quote(out / "out"));
    return run_shell(shell_quote(vidseg_binary()) + " " + line);
}
}  // namespace

// MPEG-TS parts joined end to end (video stamped 11.4..14.4 s, then 1.45..4.45 s: a jump back).
// probe unwraps the jump into one continuous timeline, as ffmpeg does when it remuxes the file: the later
// part continues where the earlier ended; the whole 6 s, all 150 frames, keyframes ascending from 0, and
// the jump itself under "discontinuities". The commands that seek, cut or place frames in time refuse the
// file (exit 4) naming the jump and the remux that joins the parts; `audio` reads the sound in file order.
TEST_F(DamagedMedia, TimestampJumpBack) {
    auto [code, doc] = probe("ts_backwards.ts");
    ASSERT_EQ(code, 0);
    EXPECT_NEAR(doc["duration"].get<double>(), 6.065, 0.001);
    const auto& video = doc["streams"][0];
    EXPECT_EQ(video["frame_count"], 150);
    EXPECT_NEAR(video["duration"].get<double>(), 6.0, 0.01);
    EXPECT_NEAR(video["fps"].get<double>(), 25.0, 0.01);
    const auto keyframes = video["keyframes"].get<std::vector<double>>();
    ASSERT_EQ(keyframes.size(), 6u);
    for (size_t i = 0; i < keyframes.size(); ++i) EXPECT_NEAR(keyframes[i], 0.0464 + double(i), 0.001) << i;
    ASSERT_EQ(doc["discontinuities"].size(), 1u) << doc.dump();
    const auto& jump = doc["discontinuities"][0];
    EXPECT_NEAR(jump["at"].get<double>(), 3.0464, 0.001);
    EXPECT_NEAR(jump["from"].get<double>(), 14.36, 0.001);
    EXPECT_NEAR(jump["to"].get<double>(), 1.4464, 0.001);
    EXPECT_EQ(jump["byte"], 90428);
    // Ordinary files carry no such key.
    EXPECT_FALSE(probe("tiny_1x1.mp4").second.contains("discontinuities"));

    TempDir out;
    for (const char* args : {"cut FILE --segment 1 --out OUT", "prepare FILE --segment 1 --out OUT",
                             "keyframes FILE --segment 1 --out OUT", "features FILE --no-audio --out OUT.csv"}) {
        const auto r = run_on(args, extreme_ / "ts_backwards.ts", out);
        EXPECT_EQ(r.exit_code, 4) << args << ": " << r.err;
        EXPECT_NE(r.err.find("ts_backwards.ts: timestamps jump back from 14.360 s to 1.446 s at 3.046 s into the "
                             "file (byte 90428, the only discontinuity): parts joined end to end"),
                  std::string::npos)
            << args << ": " << r.err;
        EXPECT_NE(r.err.find("ffmpeg -i INPUT -c copy OUTPUT.mp4"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(out / "out")) << args;
    }
    // The sound of both parts, in file order: 2 x 3 s of AAC (+ its tails) at 16 kHz mono, 16-bit.
    const auto r = run_on("audio FILE --out OUT.wav", extreme_ / "ts_backwards.ts", out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NEAR(double(fs::file_size(out / "out.wav") - 44) / (16000 * 2), 6.13, 0.01);
}

// Frames sharing a timestamp (frames 29..40 all stamped 1.206 s): each is a frame. probe counts all 75 (as
// ffprobe -count_frames), the average rate stays 25 fps, the clips of `cut` hold all 75 between them, and
// the still at a time among them is the last of them in decode order (what a player leaves on screen).
TEST_F(DamagedMedia, StalledTimestampsCountEveryFrame) {
    auto [code, doc] = probe("stalled_pts.mkv");
    ASSERT_EQ(code, 0);
    EXPECT_NEAR(doc["duration"].get<double>(), 3.0, 0.1);
    EXPECT_EQ(doc["streams"][0]["frame_count"], 75);
    EXPECT_NEAR(doc["streams"][0]["fps"].get<double>(), 25.0, 0.01);
    EXPECT_EQ(doc["streams"][0]["variable_frame_rate"], false);
    TempDir out;
    auto r = run_on("cut FILE --segment 1 --out OUT --json", extreme_ / "stalled_pts.mkv", out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    long long frames = 0;
    const auto clips = nlohmann::json::parse(r.out)["clips"];
    ASSERT_EQ(clips.size(), 4u) << r.out;
    for (const auto& clip : clips) frames += clip["frames"].get<long long>();
    EXPECT_EQ(frames, 75);
    r = run_on("keyframes FILE --at 1.3 --format png --out OUT --json", extreme_ / "stalled_pts.mkv", out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto frame = nlohmann::json::parse(r.out)["frames"][0];
    EXPECT_NEAR(frame["frame_time"].get<double>(), 1.206, 0.0005) << r.out;
    // Which of the 12: the picture is frame 40's (testsrc draws a counter), not the first one's (29).
    const auto gray = [&](const std::string& input, const std::string& filter, const fs::path& to) {
        const auto g = run_shell("ffmpeg -v error -y -i " + input + filter +
                                 " -frames:v 1 -f rawvideo -pix_fmt gray " + shell_quote(to));
        EXPECT_EQ(g.exit_code, 0) << g.err;
        return bytes_of(to);
    };
    const std::string still = gray(shell_quote(frame["file"].get<std::string>()), "", out / "still.gray");
    const auto distance = [&](int n) {
        const std::string decoded = gray(shell_quote(extreme_ / "stalled_pts.mkv"),
                                         " -vf 'select=eq(n\\," + std::to_string(n) + ")' -fps_mode passthrough",
                                         out / ("f" + std::to_string(n) + ".gray"));
        EXPECT_EQ(decoded.size(), still.size());
        double sum = 0;
        for (size_t i = 0; i < std::min(decoded.size(), still.size()); ++i)
            sum += std::abs(static_cast<unsigned char>(decoded[i]) - static_cast<unsigned char>(still[i]));
        return sum / static_cast<double>(std::max<size_t>(1, still.size()));
    };
    EXPECT_LT(distance(40), 1.0);  // PNG of RGB vs the decoder's luma: rounding only
    EXPECT_GT(distance(29), 3.0);
}

// Sound longer than the picture (2 s of picture, 6 s of sound): segments are planned over the picture and
// the sound past it is reported, not a failure; `audio` still extracts the whole sound.
TEST_F(DamagedMedia, SoundLongerThanPicture) {
    const fs::path file = extreme_ / "audio_longer.mp4";
    const std::string says = "the sound continues 4.000 s past the picture (picture ends at 2.000 s, sound at "
                             "6.000 s): ";
    TempDir out;
    auto r = run_on("cut FILE --segment 1 --out OUT --json", file, out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["clips"].size(), 2u) << r.out;
    EXPECT_DOUBLE_EQ(doc["clips"][1]["actual_end"].get<double>(), 2.0);
    ASSERT_EQ(doc["warnings"].size(), 1u);
    EXPECT_EQ(doc["warnings"][0], says + "clips cover the picture only; 'vidseg audio' extracts the whole sound");
    r = run_on("cut FILE --segment 1 --out OUT", file, out);  // and on stderr
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: " + says + "clips"), std::string::npos) << r.err;
    // A clip asked for in the sound past the picture: a bad request (exit 2), not damaged media.
    r = run_on("cut FILE --clips 3-4 --out OUT3", file, out);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("audio_longer.mp4: clip [3.000000, 4.000000) lies in the sound past the picture (the "
                         "picture ends at 2.000000 s, the sound at 6.000000 s): no frame to cut"),
              std::string::npos)
        << r.err;

    fs::remove_all(out / "out");
    r = run_on("prepare FILE --segment 1 --out OUT --quiet", file, out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    doc = nlohmann::json::parse(vidseg::test::read_text(out / "out" / "manifest.json"));
    ASSERT_EQ(doc["segments"].size(), 2u);
    EXPECT_DOUBLE_EQ(doc["segments"][1]["end"].get<double>(), 2.0);
    EXPECT_NE(doc["warnings"].dump().find(says + "segments cover the picture only"), std::string::npos) << doc.dump();
    // The lesson's WAV is the whole sound: 6 s (+ the AAC tail) at 16 kHz mono, 16-bit.
    EXPECT_NEAR(double(fs::file_size(out / "out" / "audio_longer.wav") - 44) / (16000 * 2), 6.04, 0.01);

    r = run_on("keyframes FILE --segment 1 --out OUT2 --json", file, out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["frames"].size(), 2u) << r.out;
    r = run_on("audio FILE --out OUT.wav", file, out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NEAR(double(fs::file_size(out / "out.wav") - 44) / (16000 * 2), 6.04, 0.01);
}

// Raw elementary streams (.h264, .hevc: no container, no timestamps): probe places the frames by the frame
// rate (4 s, 100 frames, a keyframe a second); commands that seek, cut or place frames in time refuse them
// as unsupported (exit 5) with the remux that gives them timestamps. A folder scan takes them as videos.
TEST_F(DamagedMedia, RawElementaryStreams) {
    for (const char* name : {"raw_4s.h264", "raw_4s.hevc"}) {
        SCOPED_TRACE(name);
        auto [code, doc] = probe(name);
        ASSERT_EQ(code, 0);
        EXPECT_DOUBLE_EQ(doc["duration"].get<double>(), 4.0);
        EXPECT_EQ(doc["streams"][0]["frame_count"], 100);
        EXPECT_EQ(doc["streams"][0]["keyframes"], nlohmann::json({0.0, 1.0, 2.0, 3.0}));
        EXPECT_EQ(doc["timestamps"], "none (raw stream: frames placed by the frame rate)");
        TempDir out;
        for (const char* args : {"cut FILE --segment 1 --out OUT", "keyframes FILE --at 2.5 --out OUT",
                                 "features FILE --out OUT.csv"}) {
            const auto r = run_on(args, extreme_ / name, out);
            EXPECT_EQ(r.exit_code, 5) << args << ": " << r.err;
            EXPECT_NE(r.err.find(std::string(name) + ": a raw "), std::string::npos) << r.err;
            EXPECT_NE(r.err.find(" stream without timestamps: probe places its frames by the frame rate, but "
                                 "seeking, cutting and timed frames need a container; remux it first: ffmpeg -r "
                                 "FPS -i INPUT -c copy OUTPUT.mp4"),
                      std::string::npos)
                << r.err;
        }
    }
    // `intro detect --dir`: the raw streams are taken from the folder (and fail as items, named).
    TempDir season;
    for (const char* name : {"raw_4s.h264", "raw_4s.hevc"}) fs::copy_file(extreme_ / name, season / name);
    fs::copy_file(dir_->path() / "moov_end.mp4", season / "good.mp4");
    const auto r = run_shell(shell_quote(vidseg_binary()) + " intro detect --dir " + shell_quote(season.path()) +
                             " --no-cache --json");
    EXPECT_NE(r.err.find("raw_4s.h264"), std::string::npos) << r.out << r.err;
    EXPECT_NE(r.err.find("raw_4s.hevc"), std::string::npos) << r.out << r.err;
}

// A track declared but never written: the commands that need it say so, the others use the other track.
TEST_F(DamagedMedia, ZeroLengthStreams) {
    TempDir out;
    const std::string vidseg = shell_quote(vidseg_binary());
    const auto no_video = shell_quote(extreme_ / "no_video_frames.mkv");
    for (const char* command : {"cut", "prepare"}) {
        const auto r = run_shell(vidseg + " " + command + " " + no_video + " --segment 1 --out " +
                                 shell_quote(out / command));
        EXPECT_EQ(r.exit_code, 4) << command << ": " << r.err;
        EXPECT_NE(r.err.find("no_video_frames.mkv: its video stream holds no frames"), std::string::npos)
            << r.err;
    }
    // keyframes: the same clear error (was "cannot seek: Operation not permitted").
    for (const char* mode : {"", " --nearest-keyframe"}) {
        const auto r = run_shell(vidseg + " keyframes " + no_video + " --segment 1 --out " +
                                 shell_quote(out / "k") + mode);
        EXPECT_EQ(r.exit_code, 4) << mode << ": " << r.err;
        EXPECT_NE(r.err.find("no_video_frames.mkv: its video stream holds no frames"), std::string::npos)
            << r.err;
        EXPECT_FALSE(fs::exists(out / "k"));
    }
    auto r = run_shell(vidseg + " audio " + no_video + " --out " + shell_quote(out / "a.wav"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    r = run_shell(vidseg + " cut " + shell_quote(extreme_ / "no_audio_samples.mkv") + " --segment 1 --out " +
                  shell_quote(out / "c"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(out / "c"));
}

// 3 hours of sound (silent_3h.mkv: 8 kHz AAC, resampled to 22.05 kHz: 238 M samples, 950 MB as floats)
// through `features`: the audio is streamed and the per-frame spectra wait in a temporary file in chunks
// (SpectralConfig::chunk_frames), so peak memory does not grow with the length. Holding every frame's
// values took 393 MB here (bench/RESULTS.md, "Audio features of 3 hours").
TEST_F(DamagedMedia, AudioFeaturesOfThreeHoursInBoundedMemory) {
    constexpr long kPeakRssBoundKb = 160 * 1024;
    TempDir out;
    const auto r = run_shell("/usr/bin/time -v " + shell_quote(vidseg_binary()) + " features " +
                             shell_quote(extreme_ / "silent_3h.mkv") + " --no-visual --out " +
                             shell_quote(out / "f.csv") + " --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string key = "Maximum resident set size (kbytes): ";
    const auto at = r.err.find(key);
    ASSERT_NE(at, std::string::npos) << r.err;
    const long peak_kb = std::stol(r.err.substr(at + key.size()));
    std::ifstream csv(out / "f.csv");
    std::size_t lines = 0;
    std::string line, last;
    for (; std::getline(csv, line); ++lines) last = line;
    EXPECT_EQ(lines, 1u + 10801u);  // header + a row a second (the last holds 0.128 s)
    EXPECT_TRUE(last.starts_with("10800.000000,")) << last;
    // ASan's shadow memory and quarantine make a sanitized binary's resident size meaningless here.
    if (!vidseg::test::binary_is_sanitized()) EXPECT_LT(peak_kb, kPeakRssBoundKb) << "peak RSS " << peak_kb << " kB";
}

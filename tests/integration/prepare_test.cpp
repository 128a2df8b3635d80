// End-to-end tests of `vidseg prepare`: the real binary on generated media, outputs checked with
// ffprobe and by parsing the files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::shell_quote;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::TempDir;

namespace {


std::vector<double> frame_times(const fs::path& file) {
    auto r = run_shell("ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 " + shell_quote(file));
    std::vector<double> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(std::stod(line));
    return out;
}

size_t count_files(const fs::path& dir, const std::string& suffix) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().string().ends_with(suffix)) ++n;
    return n;
}

size_t count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// Asserts the command failed with the given exit code, named `needle` on stderr, and left no output.
void expect_failure(const vidseg::test::CommandResult& r, int code, const std::string& needle, const fs::path& out) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << "output left behind at " << out;
    if (fs::exists(out.parent_path()))
        for (const auto& e : fs::directory_iterator(out.parent_path()))
            EXPECT_EQ(e.path().filename().string().find(".vidseg-tmp"), std::string::npos) << e.path();
}

}  // namespace

TEST(Prepare, LessonProducesEveryOutput) {
    TempDir tmp;
    const fs::path out = tmp / "lesson_out";
    auto r = run_vidseg("prepare " + shell_quote(media("lesson.mp4")) + " --segment 5 --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Prepared 6 segments"), std::string::npos) << r.out;
    EXPECT_EQ(count_files(out / "part_films", ".mp4"), 6u);
    EXPECT_EQ(count_files(out / "processed_data", "_keyframe.jpg"), 6u);
    EXPECT_TRUE(fs::exists(out / "processed_data/segment_0_keyframe.jpg"));
    EXPECT_TRUE(fs::exists(out / "part_films/segment_5.mp4"));
    // Features: one JSONL row and one CSV row (plus header) per segment.
    EXPECT_EQ(count_lines(read_text(out / "processed_data/features.jsonl")), 6u);
    EXPECT_EQ(count_lines(read_text(out / "processed_data/features.csv")), 7u);
    // Exact clips: 125 frames each, the first at t=0.
    for (int i = 0; i < 6; ++i) {
        auto times = frame_times(out / ("part_films/segment_" + std::to_string(i) + ".mp4"));
        ASSERT_EQ(times.size(), 125u) << "segment " << i;
        EXPECT_NEAR(times.front(), 0.0, 0.001) << "segment " << i;
    }
    // WAV: 30 s at 16 kHz mono s16.
    auto wav = run_shell("ffprobe -v error -show_entries stream=sample_rate,channels,codec_name:format=duration -of json " +
                         shell_quote(out / "lesson.wav"));
    auto wj = nlohmann::json::parse(wav.out);
    EXPECT_EQ(wj["streams"][0]["codec_name"], "pcm_s16le");
    EXPECT_EQ(wj["streams"][0]["sample_rate"], "16000");
    EXPECT_EQ(wj["streams"][0]["channels"], 1);
    EXPECT_NEAR(std::stod(wj["format"]["duration"].get<std::string>()), 30.0, 0.05);
    // Label Studio files.
    auto tasks = nlohmann::json::parse(read_text(out / "tasks.json"));
    ASSERT_EQ(tasks.size(), 6u);
    EXPECT_NEAR(tasks[0]["data"]["fps"].get<double>(), 25.0, 1e-6);
    EXPECT_NE(tasks[3]["data"]["video"].get<std::string>().find("segment_3.mp4"), std::string::npos);
    // Each task plays its own segment's WAV, so every result of a task is in segment time;
    // data.start / data.lesson place the segment in the lesson.
    // Local-files URLs name OUT's folder: document root = OUT's parent, one local storage on OUT.
    EXPECT_EQ(tasks[3]["data"]["audio"], "/data/local-files/?d=lesson_out/audio/segment_3.wav");
    EXPECT_EQ(tasks[3]["data"]["video"], "/data/local-files/?d=lesson_out/part_films/segment_3.mp4");
    EXPECT_EQ(tasks[3]["data"]["image"], "/data/local-files/?d=lesson_out/processed_data/segment_3_keyframe.jpg");
    EXPECT_EQ(tasks[3]["data"]["lesson"], "lesson");
    EXPECT_NEAR(tasks[3]["data"]["start"].get<double>(), 15.0, 1e-9);
    EXPECT_NEAR(tasks[3]["data"]["end"].get<double>(), 20.0, 1e-9);
    // The segment WAVs are slices of the same decoded samples as the lesson WAV: byte-identical
    // PCM (44-byte headers; 16 kHz mono s16 = 32000 bytes per second), 5 s each.
    EXPECT_EQ(count_files(out / "audio", ".wav"), 6u);
    const std::string lesson_pcm = read_text(out / "lesson.wav").substr(44);
    for (int i : {0, 3, 5}) {
        const std::string piece = read_text(out / ("audio/segment_" + std::to_string(i) + ".wav"));
        ASSERT_EQ(piece.size(), 44u + 5 * 32000) << "segment " << i;
        EXPECT_TRUE(piece.compare(44, std::string::npos, lesson_pcm, i * 5 * 32000, 5 * 32000) == 0)
            << "segment " << i << " is not the lesson's [" << i * 5 << ", " << i * 5 + 5 << ") s";
    }
    EXPECT_NE(read_text(out / "label_config.xml").find("Включение в обучающий процесс П"), std::string::npos);
    // Manifest and features: the lesson has speech then silence; scenes change at 10 s and 20 s.
    auto manifest = nlohmann::json::parse(read_text(out / "manifest.json"));
    ASSERT_EQ(manifest["segments"].size(), 6u);
    int cuts = 0;
    for (const auto& s : manifest["segments"]) {
        cuts += s["features"]["scene_cuts"].get<int>();
        EXPECT_GT(s["features"]["sharpness"].get<double>(), 0.0);
        EXPECT_GT(s["features"]["brightness"].get<double>(), 5.0);
    }
    EXPECT_EQ(cuts, 2);
    EXPECT_EQ(manifest["segments"][2]["features"]["scene_cuts"], 1);  // [10, 15) starts with the bars
    EXPECT_EQ(manifest["segments"][4]["features"]["scene_cuts"], 1);
    const double speech_rms = manifest["segments"][0]["features"]["rms_db"];
    const double silent = manifest["segments"][5]["features"]["silence_ratio"];
    EXPECT_GT(speech_rms, -40.0);
    EXPECT_GT(silent, 0.9);  // the last segment is the padded silence
}

TEST(Prepare, CopyModeRecordsActualKeyframeBoundaries) {
    TempDir tmp;
    const fs::path out = tmp / "copy";
    auto r = run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --segment 5 --mode copy --no-features --json --out " +
                        shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["segments"].size(), 3u);
    // Keyframes every 2 s: cuts requested at 5 and 10 land on 6 and 10.
    EXPECT_NEAR(j["segments"][1]["actual_start"].get<double>(), 6.0, 1e-3);
    EXPECT_NEAR(j["segments"][2]["actual_start"].get<double>(), 10.0, 1e-3);
    EXPECT_NEAR(frame_times(out / "part_films/segment_1.mp4").size(), 100, 0);
}

TEST(Prepare, ExactClipsStartWithinOneFrameOnWebmVfrAndNtsc) {
    for (const char* name : {"vp9.webm", "vfr.mp4", "ntsc.mp4", "h264.mkv"}) {
        TempDir tmp;
        const fs::path out = tmp / "o";
        auto r = run_vidseg("prepare " + shell_quote(media(name)) + " --segment 3 --no-features --json --out " + shell_quote(out));
        ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
        auto j = nlohmann::json::parse(r.out);
        for (const auto& s : j["segments"]) {
            const double fps_bound = 1.0 / 10.0;  // the slowest section of vfr.mp4 is 10 fps
            EXPECT_GE(s["actual_start"].get<double>(), s["start"].get<double>() - 1e-3) << name;
            EXPECT_LT(s["actual_start"].get<double>() - s["start"].get<double>(), fps_bound) << name;
            auto times = frame_times(out / s["clip"].get<std::string>());
            ASSERT_FALSE(times.empty()) << name;
            // MP4 edit lists make the first frame exactly 0; Matroska/WebM have none, so the audio
            // encoder's priming (<= 1024 samples) shifts every stream by up to ~23 ms there.
            const bool matroska = std::string(name).ends_with(".mkv") || std::string(name).ends_with(".webm");
            EXPECT_NEAR(times.front(), 0.0, matroska ? 0.024 : 0.002) << name << " " << s["clip"];
        }
    }
}

TEST(Prepare, RotatedOddAndVideoOnlyInputsWork) {
    TempDir tmp;
    auto rot = run_vidseg("prepare " + shell_quote(media("rotated.mp4")) + " --segment 3 --json --out " + shell_quote(tmp / "rot"));
    ASSERT_EQ(rot.exit_code, 0) << rot.err;
    auto dims = run_shell("ffprobe -v error -show_entries stream=width,height -of csv=p=0 " +
                          shell_quote(tmp / "rot/processed_data/segment_0_keyframe.jpg"));
    EXPECT_EQ(dims.out, "240,320\n");  // keyframes are shown upright
    auto odd = run_vidseg("prepare " + shell_quote(media("odd_dims.mp4")) + " --segment 3 --out " + shell_quote(tmp / "odd"));
    EXPECT_EQ(odd.exit_code, 0) << odd.err;
    auto vo = run_vidseg("prepare " + shell_quote(media("video_only.mp4")) + " --segment 3 --out " + shell_quote(tmp / "vo"));
    ASSERT_EQ(vo.exit_code, 0) << vo.err;
    EXPECT_NE(vo.err.find("no audio track"), std::string::npos) << vo.err;
    EXPECT_FALSE(fs::exists(tmp / "vo/video_only.wav"));
    EXPECT_FALSE(fs::exists(tmp / "vo/audio"));
    EXPECT_EQ(nlohmann::json::parse(read_text(tmp / "vo/tasks.json"))[0]["data"]["audio"], "");
    EXPECT_EQ(count_files(tmp / "vo/part_films", ".mp4"), 2u);
}

TEST(Prepare, BadInputsFailClearlyAndLeaveNothing) {
    TempDir tmp;
    const fs::path out = tmp / "out";
    expect_failure(run_vidseg("prepare /nonexistent/lesson.mp4 --out " + shell_quote(out)), 3,
                   "/nonexistent/lesson.mp4: no such file", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("not_video.txt")) + " --out " + shell_quote(out)), 4, "not_video.txt: not a readable media file", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("corrupt.mp4")) + " --out " + shell_quote(out)), 4, "corrupt.mp4", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("truncated.mp4")) + " --out " + shell_quote(out)), 4, "truncated", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("zero_duration.mp4")) + " --out " + shell_quote(out)), 4, "zero_duration.mp4", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("audio_only.m4a")) + " --out " + shell_quote(out)), 4, "has no video stream", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --segment 60 --out " + shell_quote(out)), 2,
                   "longer than the video", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --segment 0 --out " + shell_quote(out)), 2,
                   "option --segment: must be >=", out);
    expect_failure(run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --patterns /nonexistent/p.xlsx --out " + shell_quote(out)),
                   3, "p.xlsx", out);
    std::ofstream(tmp / "plainfile") << "x";
    auto r = run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --out " + shell_quote(tmp / "plainfile/out"));
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find("plainfile"), std::string::npos) << r.err;
}

TEST(Prepare, FailedRunKeepsPreviousOutputAndRerunReplacesIt) {
    TempDir tmp;
    const fs::path out = tmp / "out";
    ASSERT_EQ(run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --segment 4 --no-features --out " + shell_quote(out)).exit_code, 0);
    EXPECT_EQ(count_files(out / "part_films", ".mp4"), 3u);
    std::ofstream(tmp / "bad.txt") << "# only comments\n";
    auto bad = run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --patterns " + shell_quote(tmp / "bad.txt") + " --out " + shell_quote(out));
    EXPECT_EQ(bad.exit_code, 7) << bad.err;
    EXPECT_EQ(count_files(out / "part_films", ".mp4"), 3u);  // previous output intact
    ASSERT_EQ(run_vidseg("prepare " + shell_quote(media("h264_gop2.mp4")) + " --segment 6 --no-features --out " + shell_quote(out)).exit_code, 0);
    EXPECT_EQ(count_files(out / "part_films", ".mp4"), 2u);  // replaced, not merged
}

TEST(Prepare, InterruptDiscardsPartialOutput) {
    TempDir tmp;
    const fs::path out = tmp / "out";
    // Slow settings so the run is still going when the signal arrives.
    const std::string cmd = std::string(VIDSEG_BINARY) + " prepare " + shell_quote(media("lesson.mp4")) +
                            " --segment 1 --preset slow --crf 0 --quiet --out " + shell_quote(out);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Interrupt as soon as the job has started writing (its staging dir exists), whatever the
    // machine's speed; fail if it never got there.
    auto staging_exists = [&] {
        for (const auto& e : fs::directory_iterator(tmp.path()))
            if (e.path().filename().string().find(".vidseg-tmp") != std::string::npos) return true;
        return false;
    };
    bool started = false;
    for (int i = 0; i < 2000 && !started; ++i) {
        started = staging_exists();
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(started) << "prepare never started writing";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    EXPECT_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(e.path().filename().string().find(".vidseg-tmp"), std::string::npos) << e.path();
}

TEST(Cli, HelpVersionAndUnknownCommand) {
    auto help = run_vidseg("prepare --help");
    EXPECT_EQ(help.exit_code, 0);
    for (const char* opt : {"--segment", "--mode", "--out", "--patterns", "--base-url", "--json", "--quiet"})
        EXPECT_NE(help.out.find(opt), std::string::npos) << opt;
    auto version = run_vidseg("--version");
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_NE(version.out.find("FFmpeg"), std::string::npos);
    auto unknown = run_vidseg("frobnicate");
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
    auto top = run_vidseg("--help");
    for (const char* c : {"probe", "prepare", "cut", "keyframes", "audio", "Exit codes"})
        EXPECT_NE(top.out.find(c), std::string::npos) << c;
}

TEST(Cli, ProbeJson) {
    auto r = run_vidseg("probe --json " + shell_quote(media("vfr.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(j["streams"][0]["variable_frame_rate"].get<bool>());
    auto missing = run_vidseg("probe --json /nonexistent.mp4");
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_EQ(nlohmann::json::parse(missing.out)["error"]["code"], "input_not_found");
}

// Incremental and resumable `vidseg dataset build` (build_manifest.hpp) through the real binary:
// an unchanged re-run reuses every file (mtimes unchanged), a changed interval rebuilds only its
// fragment, and SIGINT mid-build leaves the previous dataset intact, exits 130, and the next run
// finishes the job reusing what the interrupted one made.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

fs::path export_file(const std::string& name) { return vidseg::test::source_path("tests/data/dataset") / name; }

std::string build_args(const fs::path& annotations, const fs::path& out) {
    return "dataset build --yes --json --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
           shell_quote(annotations) + " --out " + shell_quote(out);
}

json build(const fs::path& annotations, const fs::path& out, int expected_exit = 0) {
    const auto r = run_vidseg(build_args(annotations, out));
    EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
    return json::parse(r.out);
}

// Every media file of the dataset with its modification time.
std::map<std::string, fs::file_time_type> media_mtimes(const fs::path& root) {
    std::map<std::string, fs::file_time_type> out;
    for (const char* dir : {"videos", "images", "audio"})
        for (const auto& e : fs::directory_iterator(root / dir)) out[e.path().lexically_relative(root).string()] = e.last_write_time();
    return out;
}

// One task on lesson.mp4 with `n` overlapping 5-s intervals (fragments lesson_11_1_0 ... _<n-1>).
fs::path many_intervals_export(const fs::path& dir, int n) {
    json results = json::array();
    for (int i = 0; i < n; ++i) {
        const double start = (i * 7 % 50) * 0.5;  // 0 .. 24.5 s
        results.push_back({{"id", "r" + std::to_string(i)}, {"from_name", "pattern_intervals"}, {"to_name", "audio"},
                           {"type", "labels"}, {"original_length", 30.0},
                           {"value", {{"start", start}, {"end", start + 5}, {"channel", 0},
                                      {"labels", {"😊 У: Эмоциональный отклик"}}}}});
    }
    json task = {{"id", 11}, {"data", {{"video", "/data/upload/1/ab12-lesson.mp4"}, {"fps", 25}}},
                 {"annotations", json::array({{{"id", 1}, {"completed_by", {{"id", 3}, {"email", "anna@school.ru"}}},
                                                {"was_cancelled", false}, {"result", results}}})}};
    const fs::path path = dir / "many.json";
    std::ofstream(path) << json::array({task}).dump();
    return path;
}

}  // namespace

TEST(DatasetResume, UnchangedRerunReusesEveryFile) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto first = build(export_file("lesson_export.json"), out);
    EXPECT_EQ(first["reused_fragments"], 0);
    EXPECT_EQ(first["built_files"], 12);  // 4 fragments x (clip, keyframe + crop, audio)
    ASSERT_TRUE(fs::exists(out / "build_manifest.json"));
    const auto before = media_mtimes(out);
    ASSERT_EQ(before.size(), 14u);  // 4 clips, 4 keyframes + 2 crops, 4 WAVs
    const std::string metadata = read_text(out / "metadata.jsonl");

    auto second = build(export_file("lesson_export.json"), out);
    EXPECT_EQ(second["reused_fragments"], 4);
    EXPECT_EQ(second["built_files"], 0);
    EXPECT_EQ(second["reused_files"], 12);
    EXPECT_EQ(media_mtimes(out), before);  // the same files, not rewritten
    EXPECT_EQ(read_text(out / "metadata.jsonl"), metadata);

    // The human report says so too.
    const auto text = run_vidseg("dataset build --yes --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
                                 shell_quote(export_file("lesson_export.json")) + " --out " + shell_quote(out));
    EXPECT_NE(text.out.find("4 fragment(s) reused unchanged from an earlier build; 0 file(s) made"), std::string::npos)
        << text.out;
    // --rebuild makes everything again.
    const auto rebuilt = run_vidseg(build_args(export_file("lesson_export.json"), out) + " --rebuild");
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    EXPECT_EQ(json::parse(rebuilt.out)["built_files"], 12);
}

TEST(DatasetResume, ChangedIntervalRebuildsOnlyThatFragment) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    build(export_file("lesson_export.json"), out);
    const auto before = media_mtimes(out);

    // [10, 14) of annotation 1 becomes [10, 15).
    auto doc = json::parse(read_text(export_file("lesson_export.json")));
    bool changed = false;
    for (auto& r : doc[0]["annotations"][0]["result"])
        if (r["type"] == "labels" && r["value"]["start"] == 10.0) {
            r["value"]["end"] = 15.0;
            changed = true;
        }
    ASSERT_TRUE(changed);
    std::ofstream(tmp / "changed.json") << doc.dump();
    auto report = build(tmp / "changed.json", out);
    EXPECT_EQ(report["reused_fragments"], 3);
    EXPECT_EQ(report["built_files"], 3);  // its clip, keyframe (+crop: the middle moved) and WAV
    const auto after = media_mtimes(out);
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [file, mtime] : after) {
        if (file.find("lesson_11_1_1") != std::string::npos)
            EXPECT_NE(mtime, before.at(file)) << file << " should have been made again";
        else
            EXPECT_EQ(mtime, before.at(file)) << file << " should have been reused";
    }
    const auto frames = run_shell("ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames "
                                  "-of csv=p=0 " + shell_quote(out / "videos" / "lesson_11_1_1.mp4"));
    EXPECT_EQ(std::stoi(frames.out), 125);  // 5 s x 25 fps: the new interval
}

TEST(DatasetResume, InterruptKeepsPreviousDatasetAndRerunFinishesTheJob) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    build(export_file("lesson_export.json"), out);  // the previous dataset
    const std::string previous_metadata = read_text(out / "metadata.jsonl");
    const auto previous_files = media_mtimes(out);

    const int n = 40;
    const fs::path many = many_intervals_export(tmp.path(), n);
    const std::string cmd = std::string(VIDSEG_BINARY) + " " + build_args(many, out) + " >/dev/null 2>&1";
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Interrupt once the work dir's journal lists finished files (whatever the machine's speed).
    const fs::path journal = tmp / ".ds.vidseg-partial" / ".vidseg-journal.jsonl";
    auto finished = [&] {
        std::ifstream in(journal);
        std::string line;
        size_t lines = 0;
        while (std::getline(in, line)) lines += line.find("\"key\":\"\"") == std::string::npos;
        return lines;
    };
    bool started = false;
    for (int i = 0; i < 6000 && !started; ++i) {
        started = finished() >= 1;
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(started) << "the build never finished a file";
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 130) << "finished before the interrupt? raise n";

    // The previous dataset is intact; the finished work is kept next to it.
    EXPECT_EQ(read_text(out / "metadata.jsonl"), previous_metadata);
    EXPECT_EQ(media_mtimes(out), previous_files);
    const size_t done_before = finished();
    EXPECT_GE(done_before, 1u);
    ASSERT_TRUE(fs::exists(tmp / ".ds.vidseg-partial"));

    // The re-run completes and reuses the interrupted run's files.
    auto report = build(many, out);
    EXPECT_EQ(report["fragments"], n);
    EXPECT_GE(report["reused_files"].get<size_t>(), done_before);
    EXPECT_EQ(report["reused_files"].get<size_t>() + report["built_files"].get<size_t>(), size_t(3 * n));
    EXPECT_FALSE(fs::exists(tmp / ".ds.vidseg-partial"));
    EXPECT_FALSE(fs::exists(out / ".vidseg-journal.jsonl"));
    std::istringstream rows(read_text(out / "metadata.jsonl"));
    size_t count = 0;
    for (std::string line; std::getline(rows, line);) {
        const auto row = json::parse(line);
        for (const char* col : {"file_name", "image_path", "audio_path"})
            EXPECT_TRUE(fs::exists(out / row[col].get<std::string>())) << row[col];
        ++count;
    }
    EXPECT_EQ(count, size_t(n));
    EXPECT_EQ(media_mtimes(out).size(), size_t(3 * n));
}

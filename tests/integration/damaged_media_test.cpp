// Damaged media corpus (issue 14 §4, first part): a small H.264 + AAC video generated here with ffmpeg,
// then damaged — empty, truncated at several offsets, bytes flipped in the header and in the middle,
// with the index (moov) at the end and at the start — and every media command run on each under a
// memory limit (ulimit -v) and a time limit. Each run must end in a clean result or a clear error
// (exit 3, 4 or 5 with a message): never an internal error (70), a signal or a hang.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_shell;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

constexpr int kMemoryLimitKb = 3 * 1024 * 1024;  // ulimit -v: 3 GiB of address space
constexpr int kSecondsPerRun = 60;

struct Damaged {
    std::string name;
    fs::path file;
    bool must_fail = false;  // nothing usable is left: the command may not succeed
};

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
    // (some items failed, named) is a clean outcome too.
    static void run_on_corpus(const std::string& command, const std::string& args,
                              bool items_may_fail = false) {
        for (const auto& d : *corpus_) {
            SCOPED_TRACE(command + " on " + d.name);
            TempDir out;
            std::string line = args;
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
            const auto r = run_shell("ulimit -v " + std::to_string(kMemoryLimitKb) + "; timeout -s KILL " +
                                     std::to_string(kSecondsPerRun) + " " + shell_quote(VIDSEG_BINARY) + " " +
                                     command + " " + line + " --quiet");
            EXPECT_NE(r.exit_code, 70) << "internal error: " << r.err;
            EXPECT_LT(r.exit_code, 128) << "killed by a signal (or the time limit): " << r.err;
            if (d.must_fail) EXPECT_NE(r.exit_code, 0) << r.out;
            if (r.exit_code != 0) {
                EXPECT_TRUE(r.exit_code == 3 || r.exit_code == 4 || r.exit_code == 5 ||
                            (items_may_fail && r.exit_code == 1))
                    << r.exit_code << ": " << r.err;
                EXPECT_NE(r.err.find(": error: "), std::string::npos) << "no message: " << r.err;
                // Nothing half-written; `dataset build` keeps its resumable work dir (.out.vidseg-partial) by
                // design.
                for (const auto& e : fs::directory_iterator(out.path()))
                    EXPECT_TRUE(e.path().filename().string().ends_with(".vidseg-partial"))
                        << "half-written output left behind: " << e.path();
            }
        }
    }

    static TempDir* dir_;
    static std::vector<Damaged>* corpus_;
};

TempDir* DamagedMedia::dir_ = nullptr;
std::vector<Damaged>* DamagedMedia::corpus_ = nullptr;

}  // namespace

TEST_F(DamagedMedia, CorpusIsWhatItSays) {
    ASSERT_EQ(corpus_->size(), 15u);
    EXPECT_EQ(fs::file_size(corpus_->front().file), 0u);
    // The undamaged sources are fine: the harness itself does not fail everything.
    for (const char* base : {"moov_end.mp4", "moov_start.mp4"}) {
        const auto r = run_shell(shell_quote(VIDSEG_BINARY) + " probe " + shell_quote(dir_->path() / base));
        EXPECT_EQ(r.exit_code, 0) << r.err;
    }
}

TEST_F(DamagedMedia, Probe) {
    run_on_corpus("probe", "FILE --json");
}
TEST_F(DamagedMedia, Prepare) {
    run_on_corpus("prepare", "FILE --segment 1 --out OUT");
}
TEST_F(DamagedMedia, Cut) {
    run_on_corpus("cut", "FILE --segment 1 --out OUT");
}
TEST_F(DamagedMedia, Keyframes) {
    run_on_corpus("keyframes", "FILE --segment 1 --out OUT");
}
TEST_F(DamagedMedia, Audio) {
    run_on_corpus("audio", "FILE --out OUT.wav");
}
TEST_F(DamagedMedia, Features) {
    run_on_corpus("features", "FILE --out OUT.csv");
}
TEST_F(DamagedMedia, DatasetBuild) {
    run_on_corpus("dataset build", "--video FILE --annotations EXPORT --out OUT --yes", true);
}
TEST_F(DamagedMedia, IntroDetectBesideAGoodEpisode) {
    run_on_corpus("intro detect", "FILE GOOD --no-cache --edl OUT", true);
}

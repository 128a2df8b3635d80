// The review step of `vidseg dataset build` driven through the real binary: commands piped into
// --review, --exclude LIST|FILE, --yes, --skip-deletion, review.jsonl across re-runs. Export:
// tests/data/dataset/lesson_export.json (4 fragments on the generated lesson.mp4, listed in this order:
// 1 lesson_11_1_0 [2,6), 2 lesson_11_1_1 [10,14), 3 lesson_11_2_0 [4,7), 4 lesson_11_2_1 [20,23)).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "support/jsonl_support.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_jsonl;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

std::vector<std::string> names_of(const std::vector<json>& rows) {
    std::vector<std::string> names;
    for (const auto& r : rows) names.push_back(fs::path(r["file_name"].get<std::string>()).stem().string());
    return names;
}

// `dataset build` on lesson.mp4 with extra arguments; stdin from `input` (a file) when given.
vidseg::test::CommandResult build(const fs::path& out, const std::string& extra, const fs::path& input = {},
                                  const std::string& env = "USER=tester") {
    const std::string cmd = env + " " + std::string(VIDSEG_BINARY) + " dataset build --video " +
                            shell_quote(media("lesson.mp4")) + " --annotations " +
                            shell_quote(vidseg::test::source_path("tests/data/dataset/lesson_export.json")) +
                            " --out " + shell_quote(out) + " " + extra;
    // The group's own redirection wins over run_shell's trailing </dev/null.
    return run_shell("( " + cmd + " < " + (input.empty() ? std::string("/dev/null") : shell_quote(input)) + " )");
}

fs::path write_file(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

}  // namespace

TEST(DatasetReview, PipedReviewExcludesViewsAndRecordsDecisions) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    const auto source_size = fs::file_size(media("lesson.mp4"));
    // A viewer that records what it was asked to show.
    const fs::path viewer = write_file(tmp / "viewer.sh", "#!/bin/sh\necho \"$1\" >> " + (tmp / "viewed.txt").string() + "\n");
    fs::permissions(viewer, fs::perms::owner_all);
    const fs::path cmds = write_file(tmp / "cmds.txt", "list\nview 1\nx 2,4 teacher not in frame\nx 9\ndone\n");
    auto r = build(out, "--review", cmds, "USER=tester VIDSEG_IMAGE_VIEWER=" + shell_quote(viewer));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    // The listing: number, state, lesson, interval, patterns, annotator, keyframe path.
    EXPECT_NE(r.out.find("2  kept      lesson  10.00-14.00  [Эмоциональный отклик У]  anna@school.ru  "),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("frame 1 (lesson_11_1_0): "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("error: '9': there are only 4 item(s)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("confirmed: 2 kept, 2 excluded"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Built dataset"), std::string::npos) << r.out;

    // The viewer was started (in the background) with the keyframe, a real JPEG.
    std::string viewed;
    for (int i = 0; i < 400 && viewed.empty(); ++i) {
        viewed = fs::exists(tmp / "viewed.txt") ? read_text(tmp / "viewed.txt") : "";
        if (viewed.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_NE(viewed.find("images/lesson_11_1_0.jpg"), std::string::npos) << viewed;

    const auto rows = read_jsonl(out / "metadata.jsonl");
    EXPECT_EQ(names_of(rows), (std::vector<std::string>{"lesson_11_1_0", "lesson_11_2_0"}));
    EXPECT_FALSE(fs::exists(out / "videos" / "lesson_11_1_1.mp4"));
    EXPECT_FALSE(fs::exists(out / "images" / "lesson_11_2_1.jpg"));
    EXPECT_FALSE(fs::exists(out / "excluded"));
    EXPECT_EQ(fs::file_size(media("lesson.mp4")), source_size);  // source media untouched

    const auto log = read_jsonl(out / "review.jsonl");
    ASSERT_EQ(log.size(), 4u);  // 2 exclusions + the 2 items confirmed as listed
    EXPECT_EQ(log[0]["item"], "lesson_11_1_1");
    EXPECT_EQ(log[0]["decision"], "excluded");
    EXPECT_EQ(log[0]["reason"], "teacher not in frame");
    EXPECT_EQ(log[0]["who"], "tester");
    EXPECT_EQ(log[0]["source"], "interactive");
    EXPECT_EQ(log[0]["start"], 10.0);
    EXPECT_EQ(log[0]["patterns"], json::array({"Эмоциональный отклик У"}));
    EXPECT_EQ(log[1]["item"], "lesson_11_2_1");
    EXPECT_EQ(log[2]["decision"], "kept");
    EXPECT_EQ(log[2]["source"], "confirmed");
    const std::string card = read_text(out / "README.md");
    EXPECT_NE(card.find("2 fragment(s) were excluded in the review"), std::string::npos);
    EXPECT_NE(card.find("`review.jsonl`"), std::string::npos);

    // A re-run shows the earlier decisions; keeping one brings it back, the log grows.
    const fs::path again = write_file(tmp / "again.txt", "keep 4\ndone\n");
    r = build(out, "--review", again);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("(2 excluded by earlier decisions)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2  EXCLUDED  lesson  10.00-14.00"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(teacher not in frame)"), std::string::npos) << r.out;
    EXPECT_EQ(names_of(read_jsonl(out / "metadata.jsonl")),
              (std::vector<std::string>{"lesson_11_1_0", "lesson_11_2_0", "lesson_11_2_1"}));
    const auto log2 = read_jsonl(out / "review.jsonl");
    ASSERT_EQ(log2.size(), 7u);  // 4 earlier + keep 4 + 2 confirmed
    EXPECT_EQ(log2[4]["item"], "lesson_11_2_1");
    EXPECT_EQ(log2[4]["decision"], "kept");
}

TEST(DatasetReview, QuitWritesNothingAndKeepsThePreviousDataset) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    auto r = build(out, "--review", write_file(tmp / "q.txt", "x 1\nquit\n"));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.out.find("Review aborted: nothing written"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out));
    // End of input without "done" aborts too; an existing dataset stays as it was.
    ASSERT_EQ(build(out, "--yes").exit_code, 0);
    const std::string before = read_text(out / "metadata.jsonl");
    r = build(out, "--review", write_file(tmp / "eof.txt", "x all\n"));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(read_text(out / "metadata.jsonl"), before);
    EXPECT_FALSE(fs::exists(out / "review.jsonl"));
}

TEST(DatasetReview, ExcludeOptionNoPromptWithoutTerminalAndSkipDeletion) {
    TempDir tmp;
    const fs::path out = tmp / "ds";
    // stdin is not a terminal: no prompt, even without --yes.
    auto r = build(out, "");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(r.out.find("review>"), std::string::npos) << r.out;
    ASSERT_TRUE(fs::exists(out / "videos" / "lesson_11_1_1.mp4"));

    // --exclude FILE with reasons, by number and by fragment name; --skip-deletion keeps the files.
    const fs::path list = write_file(tmp / "exclude.txt", "# bad frames\n2 blurred\nlesson_11_2_1 no teacher\n");
    r = build(out, "--exclude " + shell_quote(list) + " --skip-deletion");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("excluded in review: 2 fragment(s), files kept under excluded/"), std::string::npos) << r.out;
    EXPECT_EQ(names_of(read_jsonl(out / "metadata.jsonl")), (std::vector<std::string>{"lesson_11_1_0", "lesson_11_2_0"}));
    for (const char* f : {"videos/lesson_11_1_1.mp4", "images/lesson_11_1_1.jpg", "images/lesson_11_1_1_crop.jpg",
                          "audio/lesson_11_1_1.wav", "videos/lesson_11_2_1.mp4"}) {
        EXPECT_TRUE(fs::exists(out / "excluded" / f)) << f;
        EXPECT_FALSE(fs::exists(out / f)) << f;
    }
    const auto log = read_jsonl(out / "review.jsonl");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["reason"], "blurred");
    EXPECT_EQ(log[0]["source"], "exclude-option");
    EXPECT_EQ(log[1]["item"], "lesson_11_2_1");
    EXPECT_EQ(log[1]["reason"], "no teacher");

    // The decisions stick (--yes: no prompt); --skip-deletion again carries excluded/ forward.
    r = build(out, "--yes --skip-deletion");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(read_jsonl(out / "metadata.jsonl").size(), 2u);
    EXPECT_TRUE(fs::exists(out / "excluded" / "videos" / "lesson_11_1_1.mp4"));
    // Without it the excluded fragments' files are dropped (our outputs only).
    r = build(out, "--yes --exclude 3");
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(names_of(read_jsonl(out / "metadata.jsonl")), std::vector<std::string>{"lesson_11_1_0"});
    EXPECT_FALSE(fs::exists(out / "excluded"));

    EXPECT_EQ(build(out, "--exclude 7 --yes").exit_code, 2);  // out of range: a clear argument error
    EXPECT_EQ(build(out, "--review --yes").exit_code, 2);
}

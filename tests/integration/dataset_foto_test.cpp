// End-to-end tests of `vidseg dataset foto`: the real binary on tests/data/dataset_foto/labeled.csv
// (4 rows; rows 0 and 2 share segment_0_keyframe.jpg; row 2 has the unmatched label
// "Непонятная метка"), with keyframe JPEGs generated here by ffmpeg (lavfi testsrc, 64x48).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/jsonl_support.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::shell_quote;
using nlohmann::json;
using vidseg::test::read_jsonl;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::TempDir;

namespace {

fs::path labeled() { return vidseg::test::source_path("tests/data/dataset_foto/labeled.csv"); }

void make_jpeg(const fs::path& file) {
    fs::create_directories(file.parent_path());
    auto r = run_shell("ffmpeg -v error -y -f lavfi -i testsrc=size=64x48 -frames:v 1 " + shell_quote(file));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(fs::is_regular_file(file));
}

size_t file_count(const fs::path& dir) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file();
    return n;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST(DatasetFoto, BuildsMergedRowsAndCopiesEachKeyframeOnce) {
    TempDir tmp;
    // The keyframe column says "images/segment_N_keyframe.jpg": found here as IMAGES/<keyframe>.
    for (int i : {0, 1, 3}) make_jpeg(tmp / ("seg/images/segment_" + std::to_string(i) + "_keyframe.jpg"));
    const fs::path out = tmp / "dataset_foto";
    auto r = run_vidseg("dataset foto --labeled " + shell_quote(labeled()) + " --images " + shell_quote(tmp / "seg") + " --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("3 keyframe(s) from 4 row(s)"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("label 'Непонятная метка' matches no pattern"), std::string::npos) << r.err;

    ASSERT_EQ(file_count(out / "images"), 3u);
    EXPECT_EQ(read_text(out / "images/segment_0_keyframe.jpg"),
              read_text(tmp / "seg/images/segment_0_keyframe.jpg"));
    Strings entries;
    for (const auto& e : fs::directory_iterator(out)) entries.push_back(e.path().filename().string());
    std::sort(entries.begin(), entries.end());
    EXPECT_EQ(entries, (Strings{"images", "metadata.jsonl"}));

    const auto rows = read_jsonl(out / "metadata.jsonl");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], json::parse(R"({"file_name": "images/segment_0_keyframe.jpg",
        "patterns": ["Включение в обучающий процесс П", "Эмоциональный отклик У", "Эмоциональная поддержка П"],
        "labels": ["Непонятная метка"]})"));
    EXPECT_EQ(rows[1], json::parse(R"({"file_name": "images/segment_1_keyframe.jpg",
        "patterns": ["Работа в команде У"], "labels": []})"));
    EXPECT_EQ(rows[2], json::parse(R"({"file_name": "images/segment_3_keyframe.jpg",
        "patterns": ["Решение учебной задачи У"], "labels": []})"));
    for (const auto& row : rows) EXPECT_TRUE(fs::is_regular_file(out / row["file_name"].get<std::string>()));
}

TEST(DatasetFoto, FindsKeyframesByFileNameInAFlatDirectory) {
    TempDir tmp;
    for (int i : {0, 1, 3}) make_jpeg(tmp / ("flat/segment_" + std::to_string(i) + "_keyframe.jpg"));
    const fs::path out = tmp / "ds";
    auto r = run_vidseg("dataset foto --json --labeled " + shell_quote(labeled()) + " --images " + shell_quote(tmp / "flat") + " --out " +
                        shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc["items"].size(), 3u);
    EXPECT_EQ(doc["items"][0]["lines"], json::parse("[2, 4]"));
    EXPECT_EQ(doc["unmatched_labels"][0]["label"], "Непонятная метка");
    EXPECT_EQ(file_count(out / "images"), 3u);
}

TEST(DatasetFoto, MissingKeyframeFailsByNameAndWritesNothing) {
    TempDir tmp;
    for (int i : {0, 1}) make_jpeg(tmp / ("seg/images/segment_" + std::to_string(i) + "_keyframe.jpg"));
    const fs::path out = tmp / "dataset_foto";
    auto r = run_vidseg("dataset foto --labeled " + shell_quote(labeled()) + " --images " + shell_quote(tmp / "seg") + " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("error: line 5 (images/segment_3_keyframe.jpg): keyframe 'images/segment_3_keyframe.jpg' "
                         "not found in"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("Nothing written: 1 row(s) failed"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(e.path().filename().string().find(".vidseg-tmp"), std::string::npos) << e.path();
}

TEST(DatasetFoto, KeepGoingWritesTheGoodRowsAndStillExitsOne) {
    TempDir tmp;
    for (int i : {0, 1}) make_jpeg(tmp / ("seg/images/segment_" + std::to_string(i) + "_keyframe.jpg"));
    const fs::path out = tmp / "dataset_foto";
    auto r = run_vidseg("dataset foto --keep-going --labeled " + shell_quote(labeled()) + " --images " + shell_quote(tmp / "seg") +
                        " --out " + shell_quote(out));
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    EXPECT_NE(r.err.find("keyframe 'images/segment_3_keyframe.jpg' not found"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("Summary: 1 row(s) failed, 2 keyframe(s) written"), std::string::npos) << r.out;
    ASSERT_EQ(file_count(out / "images"), 2u);
    const auto rows = read_jsonl(out / "metadata.jsonl");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0]["file_name"], "images/segment_0_keyframe.jpg");
    EXPECT_EQ(rows[1]["file_name"], "images/segment_1_keyframe.jpg");
    EXPECT_EQ(rows[1]["patterns"], json::parse(R"(["Работа в команде У"])"));
}

TEST(DatasetFoto, MissingLabeledCsvExitsThree) {
    TempDir tmp;
    fs::create_directories(tmp / "seg");
    auto r = run_vidseg("dataset foto --labeled " + shell_quote(tmp / "nope.csv") + " --images " + shell_quote(tmp / "seg") + " --out " +
                        shell_quote(tmp / "out"));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "out"));
}

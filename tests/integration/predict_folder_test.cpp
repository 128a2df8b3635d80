// `vidseg predict FOLDER` / `vidseg train --features FOLDER` when the folder also holds files that
// only have a feature file's name (intro labels .json, a dataset's labeled.csv, metadata.jsonl):
// they are skipped and listed, not read as features (issue 5).
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

// 120 rows of 1 s; label "A" raises x0 by 3 sigma over [30, 60) (+ shift).
void write_features(const fs::path& path, unsigned seed, double shift) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 1);
    std::ofstream out(path);
    out << "time,x0,x1\n";
    for (int r = 0; r < 120; ++r) {
        const double mid = r + 0.5;
        const bool on = mid >= 30 + shift && mid < 60 + shift;
        out << r << "," << noise(rng) + (on ? 3.0 : 0.0) << "," << noise(rng) << "\n";
    }
}

// Files a lesson or season folder often holds beside features: none of them is a feature file.
void write_label_files(const fs::path& dir) {
    std::ofstream(dir / "labels.json") << nlohmann::json{{"c.mp4", {30, 60}}}.dump(2) << "\n";    // intro eval labels
    std::ofstream(dir / "labels_min.json") << nlohmann::json{{"c.mp4", {30, 60}}}.dump() << "\n";  // one line
    std::ofstream(dir / "labeled.csv") << "video,start,end,pattern\nc.mp4,30,60,A\n";
    std::ofstream(dir / "metadata.jsonl") << nlohmann::json{{"file_name", "c.mp4"}, {"patterns", {"A"}}}.dump() << "\n";
}

class PredictFolder : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(dir / "train");
        write_features(dir / "train" / "a.features.csv", 1, 0);
        write_features(dir / "train" / "b.features.csv", 2, 5);
        write_label_files(dir / "train");
        fs::create_directories(dir / "ds");
        std::ofstream meta(dir / "ds" / "metadata.jsonl");
        for (const auto& [video, shift] : {std::pair{"a.mp4", 0.0}, std::pair{"b.mp4", 5.0}})
            meta << nlohmann::json{{"patterns", {"A"}}, {"start", 30 + shift}, {"end", 60 + shift}, {"source_video", video}}
                        .dump()
                 << "\n";
    }
    vidseg::test::TempDir dir;
};

}  // namespace

TEST_F(PredictFolder, LabelFilesBesideFeaturesAreSkippedAndListed) {
    // train reads the folder's two feature files and notes the four others.
    auto r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " + shell_quote(dir / "train") +
                        " --arch linear --epochs 20 --out " + shell_quote(dir / "m.model"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("skipped " + (dir / "train" / "labels.json").string()), std::string::npos) << r.err;

    fs::create_directories(dir / "new");
    write_features(dir / "new" / "c.features.csv", 3, 10);
    write_label_files(dir / "new");
    const std::string predict = "predict --min-length 5 --merge-gap 3 --model " + shell_quote(dir / "m.model") + " ";
    r = run_vidseg(predict + "--json " + shell_quote(dir / "new"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["videos"].size(), 1u) << r.out;
    EXPECT_EQ(doc["failed"].size(), 0u) << r.out;
    const auto& found = doc["videos"][0]["intervals"];
    ASSERT_EQ(found.size(), 1u) << r.out;
    EXPECT_NEAR(found[0]["start"].get<double>(), 40, 4);  // c is shifted by 10 s: [40, 70)
    EXPECT_NEAR(found[0]["end"].get<double>(), 70, 4);
    std::vector<std::string> skipped;
    for (const auto& s : doc["skipped"]) {
        skipped.push_back(fs::path(s["input"].get<std::string>()).filename().string());
        EXPECT_NE(s["reason"].get<std::string>().find("not a feature file"), std::string::npos) << s;
    }
    EXPECT_EQ(skipped, (std::vector<std::string>{"labeled.csv", "labels.json", "labels_min.json", "metadata.jsonl"}));

    r = run_vidseg(predict + shell_quote(dir / "new"));  // the listing
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("c.features.csv: 1 intervals"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("skipped " + (dir / "new" / "labels.json").string() + ": not a feature file"), std::string::npos)
        << r.out;
}

TEST_F(PredictFolder, VideosBesideALabelFileAreTheItems) {
    ASSERT_EQ(run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " + shell_quote(dir / "train") +
                         " --arch linear --epochs 5 --out " + shell_quote(dir / "m.model"))
                  .exit_code,
              0);
    // A season folder: an episode and its intro labels. The episode is the item (its computed
    // features lack the model's x0/x1, a clear per-video error), not the labels.
    fs::create_directories(dir / "season");
    fs::copy_file(vidseg::test::media("video_only.mp4"), dir / "season" / "ep01.mp4");
    std::ofstream(dir / "season" / "labels.json") << nlohmann::json{{"ep01.mp4", {1, 3}}}.dump(2) << "\n";
    auto r = run_vidseg("predict --model " + shell_quote(dir / "m.model") + " " + shell_quote(dir / "season"));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("ep01.mp4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("lack 2 of the model's 2 columns"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("vidseg.features header"), std::string::npos) << r.err;

    // Only a label file: nothing to predict, and the message says what was skipped.
    fs::create_directories(dir / "labels_only");
    std::ofstream(dir / "labels_only" / "labels.json") << "{\"ep01.mp4\": [1, 3]}\n";
    r = run_vidseg("predict --model " + shell_quote(dir / "m.model") + " " + shell_quote(dir / "labels_only"));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("no feature files"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("skipped labels.json (not feature files)"), std::string::npos) << r.err;
}

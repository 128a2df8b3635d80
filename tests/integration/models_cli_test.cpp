// `vidseg train` and `vidseg predict` from the command line: a dataset folder and feature CSVs in,
// a model file and intervals out; every bad input ends with its documented exit code.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

// 200 rows of 1 s; pattern "🎯 П: Включение в процесс" raises x0/x1 by 3 sigma over [40, 80) and [120, 150).
void write_features(const fs::path& path, unsigned seed, double shift, bool with_nan = false) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 1);
    std::ofstream out(path);
    out << "time,x0,x1,x2\n";
    for (int r = 0; r < 200; ++r) {
        const double mid = r + 0.5;
        const bool on = (mid >= 40 + shift && mid < 80 + shift) || (mid >= 120 + shift && mid < 150 + shift);
        out << r;
        for (int c = 0; c < 3; ++c) {
            out << ",";
            if (with_nan && r == 10 && c == 2) continue;  // an empty field reads as NaN
            out << noise(rng) + (on && c < 2 ? 3.0 : 0.0);
        }
        out << "\n";
    }
}

const std::string kPattern = "🎯 П: Включение в процесс";

void write_metadata(const fs::path& dir, const std::vector<std::pair<std::string, double>>& videos, double extra_end = 0) {
    fs::create_directories(dir);
    std::ofstream out(dir / "metadata.jsonl");
    for (const auto& [video, shift] : videos)
        for (auto [s, e] : {std::pair{40.0, 80.0}, std::pair{120.0, 150.0 + extra_end}})
            out << nlohmann::json{{"file_name", "videos/x.mp4"}, {"patterns", {kPattern}}, {"start", s + shift},
                                  {"end", e + shift}, {"source_video", video}}
                       .dump()
                << "\n";
}

class ModelsCli : public ::testing::Test {
protected:
    void SetUp() override {
        write_features(dir / "a.features.csv", 1, 0);
        write_features(dir / "b.features.csv", 2, 5);
        write_features(dir / "c.features.csv", 3, 10);
        write_metadata(dir / "ds" / "train", {{"a.mp4", 0}, {"b.mp4", 5}});
    }
    std::string train_args(const std::string& data, const std::string& extra = "") const {
        return "train --data " + shell_quote(dir / data) + " --features " + shell_quote(dir / "a.features.csv") +
               " --features " + shell_quote(dir / "b.features.csv") + " --arch linear --epochs 30 --out " +
               shell_quote(dir / "m.model") + " " + extra;
    }
    vidseg::test::TempDir dir;
};

}  // namespace

TEST_F(ModelsCli, TrainThenPredictFindsThePattern) {
    auto r = run_vidseg(train_args("ds", "--folds 2 --json"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["labels"], nlohmann::json::array({kPattern}));
    EXPECT_EQ(doc["training"]["folds"].size(), 2u);
    ASSERT_TRUE(fs::exists(dir / "m.model"));

    r = run_vidseg("predict --model " + shell_quote(dir / "m.model") + " --min-length 5 --merge-gap 3 --json " +
                   shell_quote(dir / "c.features.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto pred = nlohmann::json::parse(r.out);
    const auto& found = pred["videos"][0]["intervals"];
    // c is shifted by 10 s: [50, 90) and [130, 160).
    ASSERT_EQ(found.size(), 2u) << r.out;
    EXPECT_NEAR(found[0]["start"].get<double>(), 50, 3);
    EXPECT_NEAR(found[0]["end"].get<double>(), 90, 3);
    EXPECT_NEAR(found[1]["start"].get<double>(), 130, 3);
    EXPECT_NEAR(found[1]["end"].get<double>(), 160, 3);
    EXPECT_GT(found[0]["score"].get<double>(), 0.5);

    r = run_vidseg("predict --model " + shell_quote(dir / "m.model") + " --min-length 5 --merge-gap 3 " +
                   shell_quote(dir / "c.features.csv"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find(kPattern), std::string::npos) << r.out;
}

TEST_F(ModelsCli, PatternsFindWritesTheHtmlReportAndJson) {
    ASSERT_EQ(run_vidseg(train_args("ds")).exit_code, 0);
    const auto r = run_vidseg("patterns find --model " + shell_quote(dir / "m.model") + " " +
                              shell_quote(dir / "c.features.csv") + " --report " + shell_quote(dir / "report.html"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto html = vidseg::test::read_text(dir / "report.html");
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("<polyline"), std::string::npos);
    EXPECT_NE(html.find(kPattern), std::string::npos);
    const auto doc = nlohmann::json::parse(vidseg::test::read_text(dir / "report.json"));
    ASSERT_EQ(doc["totals"].size(), 1u);
    // Truth: 40 + 30 = 70 s of 200 s.
    EXPECT_NEAR(doc["totals"][0]["seconds"].get<double>(), 70, 8);
    EXPECT_EQ(doc["totals"][0]["intervals"].get<int>(), 2);
    EXPECT_NE(r.out.find(kPattern), std::string::npos);
}

TEST_F(ModelsCli, BadInputsEndWithTheirExitCodes) {
    EXPECT_EQ(run_vidseg("train --features x.csv --out m.model").exit_code, 2);  // no --data
    EXPECT_EQ(run_vidseg(train_args("ds", "--arch resnet")).exit_code, 2);
    EXPECT_EQ(run_vidseg(train_args("nowhere")).exit_code, 3);

    write_metadata(dir / "empty", {});
    auto r = run_vidseg(train_args("empty"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("empty dataset"), std::string::npos) << r.err;

    write_metadata(dir / "outside", {{"a.mp4", 0}}, 100);  // [120, 250) on 200 s of features
    r = run_vidseg(train_args("outside"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("outside the video"), std::string::npos) << r.err;

    fs::create_directories(dir / "single");
    std::ofstream(dir / "single" / "metadata.jsonl")
        << nlohmann::json{{"patterns", {"A"}}, {"start", 0}, {"end", 200}, {"source_video", "a.mp4"}}.dump() << "\n";
    r = run_vidseg(train_args("single"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("single class"), std::string::npos) << r.err;

    write_features(dir / "b.features.csv", 2, 5, /*with_nan=*/true);
    r = run_vidseg(train_args("ds"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("NaN feature value in column 'x2' at 10 s"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "m.model"));  // nothing written on failure

    write_features(dir / "b.features.csv", 2, 5);
    ASSERT_EQ(run_vidseg(train_args("ds")).exit_code, 0);
    {
        std::ofstream out(dir / "other.csv");
        out << "time,x0,y1\n0,1,2\n1,2,3\n";
    }
    r = run_vidseg("predict --model " + shell_quote(dir / "m.model") + " " + shell_quote(dir / "other.csv"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("lack 2 of the model's 3 columns"), std::string::npos) << r.err;
    EXPECT_EQ(run_vidseg("predict --model " + shell_quote(dir / "none.model") + " " + shell_quote(dir / "other.csv"))
                  .exit_code,
              3);
    EXPECT_EQ(run_vidseg("predict --model " + shell_quote(dir / "other.csv") + " " + shell_quote(dir / "other.csv"))
                  .exit_code,
              7);
}

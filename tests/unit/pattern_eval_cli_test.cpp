// `vidseg patterns eval` (src/cli/cmd_patterns_eval.cpp): row-level and segment scores of a small
// hand-computed case, only predicted lessons scored, and its bad inputs.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace {

namespace test = vidseg::test;

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

nlohmann::json find_label(const nlohmann::json& per_label, const std::string& label) {
    for (const auto& l : per_label)
        if (l["label"] == label) return l;
    ADD_FAILURE() << "no label " << label << " in " << per_label.dump();
    return {};
}

struct Files {
    test::TempDir dir;
    std::string labels = (dir / "metadata.jsonl").string();
    std::string pred = (dir / "pred.json").string();
    Files() {
        // lesson_b is labelled but not predicted: it must not count.
        write(labels,
              "{\"source_video\": \"lessons/lesson_a.mp4\", \"start\": 0, \"end\": 10, \"patterns\": [\"explanation\"]}\n"
              "{\"source_video\": \"lessons/lesson_a.mp4\", \"start\": 10, \"end\": 20, \"patterns\": [\"discussion\"]}\n"
              "{\"source_video\": \"lesson_b.mp4\", \"start\": 0, \"end\": 5, \"patterns\": [\"explanation\"]}\n");
        write(pred, R"({"task": "patterns", "videos": [{"source": "feat/lesson_a.features.csv", "intervals": [
                 {"label": "explanation", "start": 0, "end": 8, "score": 0.9},
                 {"label": "discussion", "start": 8, "end": 20, "score": 0.8}]}]})");
    }
    std::string args() const { return "patterns eval --pred '" + pred + "' --labels '" + labels + "'"; }
};

TEST(PatternEvalCli, ScoresRowsAndSegmentsOfPredictedLessons) {
    Files f;
    auto r = test::run_vidseg(f.args() + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["sources"], nlohmann::json::array({"lesson_a"}));
    // Rows on a 1 s grid: explanation TP 8 FN 2, discussion TP 10 FP 2.
    const auto& rows = doc["rows"];
    const auto expl = find_label(rows["per_label"], "explanation");
    EXPECT_EQ(expl["tp"], 8);
    EXPECT_EQ(expl["fn"], 2);
    EXPECT_EQ(expl["fp"], 0);
    const auto disc = find_label(rows["per_label"], "discussion");
    EXPECT_EQ(disc["tp"], 10);
    EXPECT_EQ(disc["fp"], 2);
    EXPECT_NEAR(rows["micro_f1"].get<double>(), 0.9, 1e-9);
    EXPECT_NEAR(rows["macro_f1"].get<double>(), (16.0 / 18 + 20.0 / 22) / 2, 1e-9);
    // Segments: IoU 0.8 and 0.833, both matched at 0.5, none at 0.85.
    EXPECT_EQ(doc["segments"]["matched"], 2);
    EXPECT_NEAR(doc["segments"]["micro_f1"].get<double>(), 1.0, 1e-9);
    r = test::run_vidseg(f.args() + " --min-iou 0.85 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["segments"]["matched"], 0);

    r = test::run_vidseg(f.args());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("1 lessons, 2 labels, 2 true and 2 predicted intervals"), std::string::npos) << r.out;
}

TEST(PatternEvalCli, BadInputsAreTypedErrors) {
    Files f;
    EXPECT_EQ(test::run_vidseg("patterns eval --labels '" + f.labels + "'").exit_code, 2);
    EXPECT_EQ(test::run_vidseg("patterns eval --pred /nonexistent/p.json --labels '" + f.labels + "'").exit_code, 3);
    write(f.pred, R"({"task": "intro", "videos": []})");
    auto r = test::run_vidseg(f.args());
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("intro"), std::string::npos) << r.err;
    write(f.pred, R"({"task": "patterns", "videos": [{"source": "other.csv", "intervals": []}]})");
    r = test::run_vidseg(f.args());
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("no predicted source has labels"), std::string::npos) << r.err;
    write(f.pred, "[1, 2");
    EXPECT_EQ(test::run_vidseg(f.args()).exit_code, 7);
}

}  // namespace

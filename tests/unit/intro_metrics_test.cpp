// Intro metrics against hand-computed values, the constant baseline on the real VK test labels,
// and the `vidseg intro eval` command.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/eval/intro_metrics.hpp"
#include "vidseg/intro/intro_labels.hpp"

using namespace vidseg;
using timeline::Interval;
namespace fs = std::filesystem;
using vidseg::test::shell_quote;

namespace {
const fs::path kFixtures = vidseg::test::source_path("tests/data/intro");
const fs::path kVkLabels = vidseg::test::source_path("../shared/data/vk_labels");

eval::IntroMetrics fixture_metrics() {
    return eval::evaluate_intro(intro::read_intro_labels(kFixtures / "labels_a.json").labels,
                                intro::read_intro_labels(kFixtures / "preds_c.json").labels);
}
}  // namespace

TEST(IntroMetrics, FrameCountsSampleMidSecond) {
    // [5, 15): seconds k with 5 <= k + 0.5 < 15 -> k = 5..14 (10 frames).
    auto c = eval::frame_counts(Interval{5, 15}, std::nullopt);
    EXPECT_EQ(c.fn, 10);
    EXPECT_EQ(c.tp + c.fp, 0);
    // [5.5, 14): 5.5 <= k + 0.5 < 14 -> k = 5..13 (9 frames); [4.6, 5.4): k + 0.5 in it for no k.
    c = eval::frame_counts(Interval{5, 15}, Interval{5.5, 14});
    EXPECT_EQ(c.tp, 9);
    EXPECT_EQ(c.fn, 1);
    EXPECT_EQ(c.fp, 0);
    c = eval::frame_counts(std::nullopt, Interval{4.6, 5.4});
    EXPECT_EQ(c.tp + c.fp + c.fn, 0);
    // [0, 0.5) holds the frame at 0.5? No: 0.5 < 0.5 fails -> 0 frames; [0, 0.6) -> k = 0.
    EXPECT_EQ(eval::frame_counts(std::nullopt, Interval{0, 0.5}).fp, 0);
    EXPECT_EQ(eval::frame_counts(std::nullopt, Interval{0, 0.6}).fp, 1);
}

// labels_a.json vs preds_c.json, by hand:
//   ep1 [5,15]    vs [5.5,14]  inter 8.5, union 10 -> IoU 0.85; |start| 0.5, |end| 1.0;
//                              frames label k=5..14, pred k=5..13 -> TP 9, FN 1
//   ep2 [10,20]   vs []        IoU 0, presence FN; frames FN 10 (k=10..19)
//   ep3 none      vs null      IoU 1 (both none), presence TN; no frames
//   ep4 [60,65.5] vs [59,66]   inter 5.5, union 7 -> IoU 0.785714...; |start| 1.0, |end| 0.5;
//                              frames label k=60..64 (5), pred k=59..65 (7) -> TP 5, FP 2
//   ep5 [7,9]     missing      IoU 0, presence FN; frames FN 2 (k=7,8)
//   "extra" has no label.
//   mean IoU = (0.85 + 0 + 1 + 5.5/7 + 0) / 5 = 0.527142857...
//   mean IoU with intro = (0.85 + 0 + 5.5/7 + 0) / 4 = 0.408928571...
//   start MAE = (0.5 + 1.0)/2 = 0.75, end MAE = (1.0 + 0.5)/2 = 0.75
//   boundaries: 4 labeled intros -> 8 boundaries; within 0.5 s: ep1 start, ep4 end -> 2/8 = 0.25;
//               within 1 s: both of ep1 and ep4 -> 4/8 = 0.5
//   presence: TP 2 (ep1, ep4), FP 0, FN 2 (ep2, ep5), TN 1 -> acc 3/5, P 2/2, R 2/4
//   frames: TP 9+5 = 14, FP 2, FN 1+10+2 = 13 -> P 14/16, R 14/27, F1 = 28/(28+2+13) = 28/43
TEST(IntroMetrics, HandComputedFixture) {
    const auto m = fixture_metrics();
    EXPECT_EQ(m.episodes, 5u);
    EXPECT_EQ(m.with_intro, 4u);
    EXPECT_EQ(m.matched, 4u);  // ep1..ep4 matched through match_key ("ep1.mp4" -> "ep1")
    EXPECT_EQ(m.both_with_intro, 2u);
    EXPECT_EQ(m.missing_ids, std::vector<std::string>{"ep5.mp4"});
    EXPECT_EQ(m.extra_ids, std::vector<std::string>{"extra"});

    ASSERT_EQ(m.rows.size(), 5u);
    EXPECT_NEAR(m.rows[0].iou, 0.85, 1e-12);
    EXPECT_EQ(m.rows[0].pred_id, "ep1");
    EXPECT_DOUBLE_EQ(*m.rows[0].start_error, 0.5);
    EXPECT_DOUBLE_EQ(*m.rows[0].end_error, 1.0);
    EXPECT_EQ(m.rows[1].iou, 0.0);
    EXPECT_FALSE(m.rows[1].start_error.has_value());
    EXPECT_EQ(m.rows[2].iou, 1.0);
    EXPECT_NEAR(m.rows[3].iou, 5.5 / 7.0, 1e-12);
    EXPECT_TRUE(m.rows[4].pred_missing);
    EXPECT_EQ(m.rows[4].frame_fn, 2);

    EXPECT_NEAR(m.mean_iou, (0.85 + 1 + 5.5 / 7) / 5, 1e-12);
    EXPECT_NEAR(m.mean_iou, 0.527142857142857, 1e-12);
    EXPECT_NEAR(m.mean_iou_with_intro, 0.408928571428571, 1e-12);
    EXPECT_DOUBLE_EQ(*m.start_mae, 0.75);
    EXPECT_DOUBLE_EQ(*m.end_mae, 0.75);
    EXPECT_DOUBLE_EQ(*m.boundary_mae, 0.75);
    EXPECT_DOUBLE_EQ(*m.within_0_5s, 0.25);
    EXPECT_DOUBLE_EQ(*m.within_1s, 0.5);

    EXPECT_EQ(m.presence.tp, 2);
    EXPECT_EQ(m.presence.fp, 0);
    EXPECT_EQ(m.presence.fn, 2);
    EXPECT_EQ(m.presence.tn, 1);
    EXPECT_DOUBLE_EQ(m.presence.accuracy(), 0.6);
    EXPECT_DOUBLE_EQ(m.presence.precision(), 1.0);
    EXPECT_DOUBLE_EQ(m.presence.recall(), 0.5);

    EXPECT_EQ(m.frames.tp, 14);
    EXPECT_EQ(m.frames.fp, 2);
    EXPECT_EQ(m.frames.fn, 13);
    EXPECT_DOUBLE_EQ(m.frames.precision(), 0.875);
    EXPECT_NEAR(m.frames.recall(), 14.0 / 27.0, 1e-12);
    EXPECT_NEAR(m.frames.f1(), 28.0 / 43.0, 1e-12);
}

// Constant (5, 15) on labels_a.json:
//   ep1 [5,15] -> 1; ep2 [10,20]: inter 5, union 15 -> 1/3; ep3 none -> 0 (FP);
//   ep4 [60,65.5] -> 0; ep5 [7,9]: inter 2, union 10 -> 0.2
//   mean IoU = (1 + 1/3 + 0 + 0 + 0.2) / 5 = 0.306666...; with intro = (1 + 1/3 + 0.2) / 4 = 0.383333...
//   start errors 0, 5, 55, 2 -> MAE 15.5; end errors 0, 5, 50.5, 6 -> MAE 15.375
//   presence: TP 4, FP 1 -> acc 0.8, P 0.8, R 1
TEST(IntroMetrics, ConstantBaselineFixture) {
    const auto labels = intro::read_intro_labels(kFixtures / "labels_a.json").labels;
    const auto preds = eval::constant_predictions(labels, Interval{5, 15});
    ASSERT_EQ(preds.size(), labels.size());
    EXPECT_EQ(preds[3].id, "ep4.mp4");
    const auto m = eval::evaluate_intro(labels, preds);
    EXPECT_NEAR(m.mean_iou, (1 + 1.0 / 3 + 0.2) / 5, 1e-12);
    EXPECT_NEAR(m.mean_iou_with_intro, (1 + 1.0 / 3 + 0.2) / 4, 1e-12);
    EXPECT_DOUBLE_EQ(*m.start_mae, 15.5);
    EXPECT_DOUBLE_EQ(*m.end_mae, 15.375);
    EXPECT_DOUBLE_EQ(m.presence.accuracy(), 0.8);
    EXPECT_DOUBLE_EQ(m.presence.precision(), 0.8);
    EXPECT_DOUBLE_EQ(m.presence.recall(), 1.0);
    EXPECT_DOUBLE_EQ(*m.within_0_5s, 2.0 / 8);  // ep1 start and end
    EXPECT_TRUE(m.missing_ids.empty());
}

TEST(IntroMetrics, EdgeCases) {
    // Nothing labeled with an intro, nothing predicted: all correct, ratios without denominator are 0 / n/a.
    const std::vector<intro::IntroLabel> none = {{.id = "a"}, {.id = "b"}};
    const auto m = eval::evaluate_intro(none, none);
    EXPECT_EQ(m.mean_iou, 1.0);
    EXPECT_EQ(m.mean_iou_with_intro, 0.0);
    EXPECT_FALSE(m.start_mae.has_value());
    EXPECT_FALSE(m.within_1s.has_value());
    EXPECT_EQ(m.presence.accuracy(), 1.0);
    EXPECT_EQ(m.presence.precision(), 0.0);
    EXPECT_EQ(m.frames.f1(), 0.0);
    // No labels at all.
    const auto empty = eval::evaluate_intro({}, none);
    EXPECT_EQ(empty.episodes, 0u);
    EXPECT_EQ(empty.matched, 0u);
    EXPECT_EQ(empty.mean_iou, 0.0);
    EXPECT_EQ(empty.extra_ids.size(), 2u);
    // Exact id match wins over the extension-stripped key.
    const std::vector<intro::IntroLabel> labels = {{.id = "x.mp4", .intro = Interval{0, 10}}};
    const std::vector<intro::IntroLabel> preds = {{.id = "x", .intro = Interval{0, 5}},
                                                  {.id = "x.mp4", .intro = Interval{0, 10}}};
    const auto exact = eval::evaluate_intro(labels, preds);
    EXPECT_EQ(exact.rows[0].pred_id, "x.mp4");
    EXPECT_EQ(exact.mean_iou, 1.0);
    EXPECT_EQ(exact.extra_ids, std::vector<std::string>{"x"});
    // A later exact match is not stolen by an earlier label's key match; each prediction is used once.
    const std::vector<intro::IntroLabel> two = {{.id = "y.mp4", .intro = Interval{0, 10}},
                                                {.id = "y", .intro = Interval{0, 10}}};
    const auto once = eval::evaluate_intro(two, {{.id = "y", .intro = Interval{0, 10}}});
    EXPECT_EQ(once.rows[1].pred_id, "y");
    EXPECT_EQ(once.missing_ids, std::vector<std::string>{"y.mp4"});
    EXPECT_EQ(once.matched, 1u);
}

// Constant (5, 15) on the real VK test labels (45 episodes, 5 without intro), checked in Python:
//   sum of IoU over the 40 labeled intros = 29.37424242424...; 36 of them are "24 часа" style [5,16]
//   (IoU 10/11) and the rest vary. mean over 45 = 0.6527609427609429 (no-intro episodes score 0
//   since the constant always predicts an intro); mean over the 40 with intro = 0.7343560606060607,
//   the 0.73 SPEC §2 quotes.
TEST(IntroMetrics, ConstantBaselineOnVkTestLabels) {
    if (!fs::is_directory(kVkLabels)) GTEST_SKIP() << "shared VK labels not found at " << kVkLabels;
    const auto labels = intro::read_intro_labels(kVkLabels / "test_labels.json").labels;
    const auto m = eval::evaluate_intro(labels, eval::constant_predictions(labels, Interval{5, 15}));
    EXPECT_EQ(m.episodes, 45u);
    EXPECT_EQ(m.with_intro, 40u);
    EXPECT_NEAR(m.mean_iou, 0.6527609427609429, 1e-6);
    EXPECT_NEAR(m.mean_iou_with_intro, 0.7343560606060607, 1e-6);
    EXPECT_EQ(m.presence.tp, 40);
    EXPECT_EQ(m.presence.fp, 5);
}

TEST(IntroMetrics, JsonHasSummaryAndRows) {
    const auto j = eval::to_json(fixture_metrics(), true);
    EXPECT_NEAR(j["mean_iou"].get<double>(), 0.527142857142857, 1e-12);
    EXPECT_EQ(j["presence"]["tn"], 1);
    EXPECT_EQ(j["frames_1fps"]["tp"], 14);
    ASSERT_EQ(j["per_episode"].size(), 5u);
    EXPECT_EQ(j["per_episode"][1]["pred"], nlohmann::json::array());
    EXPECT_TRUE(j["per_episode"][1]["start_error"].is_null());
    EXPECT_TRUE(j["per_episode"][4]["pred_missing"].get<bool>());
    EXPECT_FALSE(eval::to_json(fixture_metrics(), false).contains("per_episode"));
}

// ---- CLI -----------------------------------------------------------------------------------

namespace {
}  // namespace

TEST(IntroEvalCli, TableWithBaseline) {
    const auto r = test::run_vidseg("intro eval --pred " + shell_quote(kFixtures / "preds_c.json") + " --labels " +
                                    shell_quote(kFixtures / "labels_a.json") + " --per-episode");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("constant 5-15 s"), std::string::npos) << r.out;
    // One aligned row per metric: name, prediction, baseline.
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nmean IoU \(all episodes\) +0\.5271 +0\.3067\n)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nframe F1 \(1 FPS\) +0\.6512 +0\.4416\n)"))) << r.out;
    EXPECT_NE(r.out.find("frame F1 (1 FPS)"), std::string::npos);
    EXPECT_NE(r.out.find("ep5.mp4"), std::string::npos);  // per-episode rows
    EXPECT_NE(r.err.find("1 labeled episodes have no prediction"), std::string::npos) << r.err;
}

TEST(IntroEvalCli, JsonOutput) {
    const auto r = test::run_vidseg("intro eval --json --pred " + shell_quote(kFixtures / "preds_c.json") + " --labels " +
                                    shell_quote(kFixtures / "labels_a.json") + " --baseline 0:00:05,15");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["labels"]["form"], "timecodes");
    EXPECT_EQ(j["predictions"]["form"], "predictions");
    EXPECT_NEAR(j["metrics"]["mean_iou"].get<double>(), 0.527142857142857, 1e-9);
    EXPECT_EQ(j["metrics"]["per_episode"].size(), 5u);
    EXPECT_NEAR(j["baseline"]["metrics"]["mean_iou"].get<double>(), (1 + 1.0 / 3 + 0.2) / 5, 1e-9);
    EXPECT_EQ(j["baseline"]["interval"], nlohmann::json::array({5.0, 15.0}));
}

TEST(IntroEvalCli, Errors) {
    test::TempDir tmp;
    // Missing file: exit 3.
    auto r = test::run_vidseg("intro eval --pred " + shell_quote(tmp / "nope.json") + " --labels " +
                              shell_quote(kFixtures / "labels_a.json"));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("nope.json: no such file"), std::string::npos) << r.err;
    // Malformed JSON: exit 7 with the parser's position.
    write_file_atomic(tmp / "bad.json", "{\"a\": [1, 2],\n \"b\": }");
    r = test::run_vidseg("intro eval --pred " + shell_quote(tmp / "bad.json") + " --labels " + shell_quote(kFixtures / "labels_a.json"));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("bad.json: malformed JSON: parse error at line 2, column"), std::string::npos) << r.err;
    // No common ids: exit 7 naming both files.
    write_file_atomic(tmp / "other.json", R"({"zzz": [1, 2]})");
    r = test::run_vidseg("intro eval --pred " + shell_quote(tmp / "other.json") + " --labels " +
                         shell_quote(kFixtures / "labels_a.json"));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("no common video ids"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("other.json"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("labels_a.json"), std::string::npos) << r.err;
    // Missing option, bad baseline: exit 2.
    r = test::run_vidseg("intro eval --labels " + shell_quote(kFixtures / "labels_a.json"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--pred is required"), std::string::npos) << r.err;
    r = test::run_vidseg("intro eval --pred " + shell_quote(kFixtures / "preds_c.json") + " --labels " +
                         shell_quote(kFixtures / "labels_a.json") + " --baseline 15,5");
    EXPECT_EQ(r.exit_code, 2) << r.err;
}

// Pattern metrics against values computed by hand.
#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "vidseg/eval/pattern_metrics.hpp"

using namespace vidseg;
using eval::LabeledSegment;

TEST(PatternMetrics, MultiLabelMicroMacroByHand) {
    // 4 rows x 2 labels (A, B), row-major.
    //        truth  pred
    // row 0: A      A B     -> A tp, B fp
    // row 1: A B    A       -> A tp, B fn
    // row 2: -      A       -> A fp, B tn
    // row 3: B      B       -> A tn, B tp
    const std::vector<std::uint8_t> truth = {1, 0, 1, 1, 0, 0, 0, 1};
    const std::vector<std::uint8_t> pred = {1, 1, 1, 0, 1, 0, 0, 1};
    const auto m = eval::multilabel_metrics(truth, pred, {"A", "B"});
    ASSERT_EQ(m.per_label.size(), 2u);
    // A: tp 2, fp 1, fn 0, tn 1 -> P 2/3, R 1, F1 0.8
    EXPECT_EQ(m.per_label[0].counts.tp, 2);
    EXPECT_EQ(m.per_label[0].counts.fp, 1);
    EXPECT_EQ(m.per_label[0].counts.fn, 0);
    EXPECT_EQ(m.per_label[0].counts.tn, 1);
    EXPECT_NEAR(m.per_label[0].counts.f1(), 0.8, 1e-12);
    // B: tp 1, fp 1, fn 1, tn 1 -> P 0.5, R 0.5, F1 0.5
    EXPECT_NEAR(m.per_label[1].counts.precision(), 0.5, 1e-12);
    EXPECT_NEAR(m.per_label[1].counts.f1(), 0.5, 1e-12);
    // micro: tp 3, fp 2, fn 1 -> P 3/5, R 3/4, F1 = 2*0.6*0.75/1.35 = 2/3
    EXPECT_NEAR(m.micro_f1, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(m.micro.precision(), 0.6, 1e-12);
    EXPECT_NEAR(m.micro.recall(), 0.75, 1e-12);
    // macro: F1 (0.8 + 0.5) / 2, P (2/3 + 1/2) / 2, R (1 + 1/2) / 2
    EXPECT_NEAR(m.macro_f1, 0.65, 1e-12);
    EXPECT_NEAR(m.macro_precision, 7.0 / 12.0, 1e-12);
    EXPECT_NEAR(m.macro_recall, 0.75, 1e-12);
}

TEST(PatternMetrics, LabelWithoutPositivesScoresZero) {
    const auto m = eval::multilabel_metrics({0, 0}, {0, 0}, {"A"});
    EXPECT_EQ(m.per_label[0].counts.tn, 2);
    EXPECT_EQ(m.micro_f1, 0.0);  // zero_division = 0
    EXPECT_EQ(m.macro_f1, 0.0);
}

TEST(PatternMetrics, SizeMismatchIsInvalidArgument) {
    EXPECT_EQ(test::thrown_code([] { eval::multilabel_metrics({1, 0}, {1}, {"A"}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { eval::multilabel_metrics({1, 0, 1}, {1, 0, 1}, {"A", "B"}); }),
              ErrorCode::InvalidArgument);
}

TEST(PatternMetrics, SegmentsMatchOneToOneByIou) {
    const std::vector<LabeledSegment> truth = {
        {"v1", "A", {0, 10}},   // t0
        {"v1", "A", {20, 30}},  // t1
        {"v1", "B", {0, 10}},   // t2
        {"v2", "A", {0, 10}},   // t3: no prediction in v2
    };
    const std::vector<LabeledSegment> pred = {
        {"v1", "A", {1, 10}},   // p0: IoU 0.9 with t0
        {"v1", "A", {0, 6}},    // p1: IoU 0.6 with t0, but t0 is taken by p0 -> FP
        {"v1", "A", {24, 34}},  // p2: IoU 6/14 = 0.43 with t1 -> below 0.5 -> FP, t1 FN
        {"v1", "B", {5, 10}},   // p3: IoU 0.5 with t2 -> match (>= 0.5)
        {"v1", "A", {0, 10}},   // p4: IoU 1.0 with t0 -> takes t0 first; p0 becomes FP
    };
    const auto m = eval::match_segments(truth, pred, 0.5);
    ASSERT_EQ(m.per_label.size(), 2u);
    // A: tp 1 (t0-p4), fp 3 (p0, p1, p2), fn 2 (t1, t3)
    EXPECT_EQ(m.per_label[0].label, "A");
    EXPECT_EQ(m.per_label[0].counts.tp, 1);
    EXPECT_EQ(m.per_label[0].counts.fp, 3);
    EXPECT_EQ(m.per_label[0].counts.fn, 2);
    // B: tp 1
    EXPECT_EQ(m.per_label[1].counts.tp, 1);
    EXPECT_EQ(m.per_label[1].counts.fp, 0);
    EXPECT_EQ(m.per_label[1].counts.fn, 0);
    ASSERT_EQ(m.matches.size(), 2u);
    EXPECT_EQ(m.matches[0].truth, 0u);
    EXPECT_EQ(m.matches[0].predicted, 4u);
    EXPECT_DOUBLE_EQ(m.matches[0].iou, 1.0);
    // micro: tp 2, fp 3, fn 2 -> P 0.4, R 0.5, F1 = 0.4/0.9 = 4/9; macro: A F1 = 2*0.25*(1/3)/(0.25+1/3) = 2/7, B 1
    EXPECT_NEAR(m.micro_f1, 4.0 / 9.0, 1e-12);
    EXPECT_NEAR(m.macro_f1, (2.0 / 7.0 + 1.0) / 2, 1e-12);
}

TEST(PatternMetrics, SegmentsOfOtherSourcesOrLabelsNeverMatch) {
    const auto m = eval::match_segments({{"v1", "A", {0, 10}}}, {{"v2", "A", {0, 10}}, {"v1", "B", {0, 10}}}, 0.5, {"C"});
    EXPECT_EQ(m.matches.size(), 0u);
    ASSERT_EQ(m.per_label.size(), 3u);  // A, B and the requested C
    EXPECT_EQ(m.per_label[0].counts.fn, 1);
    EXPECT_EQ(m.per_label[0].counts.fp, 1);
    EXPECT_EQ(m.per_label[1].counts.fp, 1);
    EXPECT_EQ(m.micro_f1, 0.0);
}

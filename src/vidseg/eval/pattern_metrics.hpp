// Pattern-detection metrics (issue 5 §5): row-level multi-label scores and segment matching.
//
//  - Row level: truth and prediction are rows x labels multi-hot tables (row-major). Per label
//    TP/FP/FN/TN over the rows; micro scores pool the counts of every label, macro scores average
//    the per-label precision / recall / F1 (sklearn's average="micro" / "macro", zero_division=0).
//  - Segment level: per label, predicted intervals are matched one-to-one to true intervals of the
//    same label and source, greedily by decreasing IoU, a pair counting only when IoU >= min_iou
//    (0.5 by default, as annotator agreement, SPEC §1 step 7). Matched = TP, unmatched predictions
//    = FP, unmatched truths = FN. Micro and macro as above.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/eval/intro_metrics.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::eval {

struct LabelScores {
    std::string label;
    BinaryCounts counts;
};

struct MultiLabelMetrics {
    std::vector<LabelScores> per_label;
    BinaryCounts micro;  // counts pooled over labels
    double micro_f1 = 0;
    double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
};

// truth / predicted: rows * labels.size() entries, non-zero = the row carries the label.
// Throws Error(InvalidArgument) when the sizes differ or are not a multiple of the labels.
MultiLabelMetrics multilabel_metrics(const std::vector<std::uint8_t>& truth, const std::vector<std::uint8_t>& predicted,
                                     const std::vector<std::string>& labels);

struct LabeledSegment {
    std::string source;  // segments match only within one source
    std::string label;
    timeline::Interval span;
};

struct SegmentMatch {
    std::size_t truth = 0, predicted = 0;  // indices into the inputs
    double iou = 0;
};

struct SegmentMetrics {
    std::vector<LabelScores> per_label;  // tn = 0
    BinaryCounts micro;
    double micro_f1 = 0, macro_f1 = 0;
    std::vector<SegmentMatch> matches;
};

// labels: the label set to report (labels seen in either input are added, sorted).
SegmentMetrics match_segments(const std::vector<LabeledSegment>& truth, const std::vector<LabeledSegment>& predicted,
                              double min_iou = 0.5, std::vector<std::string> labels = {});

nlohmann::json to_json(const MultiLabelMetrics& metrics);
nlohmann::json to_json(const SegmentMetrics& metrics);

}  // namespace vidseg::eval

// Intro-detection metrics (SPEC §2): predictions against labels, one optional intro per video.
//
// Definitions (N = number of label entries; every label entry is one episode):
//  - Matching: a label id takes the prediction with the same id, else the one with the same
//    intro::match_key (directory and extension stripped). A label without prediction counts as
//    "no intro predicted" and is listed in missing_ids; predictions without label are listed in
//    extra_ids and otherwise ignored.
//  - Per-episode IoU: both have an intro -> interval IoU; neither has one -> 1 (a correct "no
//    intro", the convention of the published results); exactly one has one -> 0.
//    mean_iou = mean over all N episodes; mean_iou_with_intro = mean over the episodes whose label
//    has an intro (the number the SPEC's 0.73 constant-baseline figure refers to).
//  - start/end absolute error: |pred - label| of the start and of the end, only over episodes where
//    both have an intro (both_with_intro of them); start_mae, end_mae and boundary_mae (mean of
//    the two) are nullopt when there is none.
//  - Boundary hit rate within ±T (T = 0.5 s, 1 s): over the 2 boundaries of every labeled intro,
//    the share with a predicted intro whose matching boundary satisfies |pred - label| <= T.
//    An episode whose prediction has no intro misses both. nullopt when no label has an intro.
//  - Presence (positive = has intro): TP/FP/FN/TN counts over the N episodes, accuracy =
//    (TP+TN)/N, precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R).
//  - Frame level at 1 FPS: second k (k = 0, 1, 2, ...) is an intro frame of [s, e) when
//    s <= k + 0.5 < e (the frame sampled mid-second), i.e. the seconds ceil(s-0.5) .. ceil(e-0.5)-1.
//    TP/FP/FN summed over all episodes (micro average); precision/recall/F1 as above. True
//    negatives are not needed, so no video duration is required.
//  - Any ratio whose denominator is 0 is reported as 0 (sklearn's zero_division=0), except the
//    ones documented as nullopt above.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::eval {

struct IntroEpisodeResult {
    std::string id;                              // the label id
    std::string pred_id;                         // the matched prediction id; empty when missing
    std::optional<timeline::Interval> label;     // nullopt = no intro
    std::optional<timeline::Interval> pred;      // nullopt = no intro predicted (or missing)
    bool pred_missing = false;
    double iou = 0;
    std::optional<double> start_error;           // |pred.start - label.start| when both have an intro
    std::optional<double> end_error;
    long long frame_tp = 0, frame_fp = 0, frame_fn = 0;
};

struct BinaryCounts {
    long long tp = 0, fp = 0, fn = 0, tn = 0;
    double precision() const noexcept;
    double recall() const noexcept;
    double f1() const noexcept;
    double accuracy() const noexcept;  // (tp + tn) / all
};

struct IntroMetrics {
    std::size_t episodes = 0;           // N = label entries
    std::size_t with_intro = 0;         // labels with an intro
    std::size_t both_with_intro = 0;    // label and prediction both have an intro
    std::size_t matched = 0;            // labels that found a prediction
    double mean_iou = 0;
    double mean_iou_with_intro = 0;
    std::optional<double> start_mae, end_mae, boundary_mae;
    std::optional<double> within_0_5s, within_1s;
    BinaryCounts presence;
    BinaryCounts frames;  // tn stays 0
    std::vector<IntroEpisodeResult> rows;  // in label order
    std::vector<std::string> missing_ids;  // labels without prediction
    std::vector<std::string> extra_ids;    // predictions without label
};

// Frame-level counts of one episode at 1 FPS (definition above).
BinaryCounts frame_counts(const std::optional<timeline::Interval>& label,
                          const std::optional<timeline::Interval>& pred) noexcept;

IntroMetrics evaluate_intro(const std::vector<intro::IntroLabel>& labels,
                            const std::vector<intro::IntroLabel>& predictions);

// The constant predictor: the same interval for every label id (SPEC §2 baseline: 5 s - 15 s).
std::vector<intro::IntroLabel> constant_predictions(const std::vector<intro::IntroLabel>& labels,
                                                    timeline::Interval interval);

// Summary numbers (and the per-episode rows when asked) as JSON; nullopt values become null.
nlohmann::json to_json(const IntroMetrics& metrics, bool per_episode = true);

}  // namespace vidseg::eval

// Per-label decision thresholds tuned on held-out rows. With class weights up to 100 a rare pattern's
// probabilities sit high almost everywhere, and a fixed 0.5 marks it nearly everywhere (recall .83,
// precision .013 on real lessons); the threshold that gives the best F1 on the validation rows is
// stored in the model instead (ModelInfo::thresholds) and `--threshold` overrides it.
#pragma once

#include <cstddef>
#include <vector>

namespace vidseg::models {

struct TunedThreshold {
    double threshold = 0.5;     // a row carries the label when its probability >= threshold
    double f1 = 0;              // F1 on the validation rows at that threshold
    std::size_t positives = 0;  // validation rows carrying the label
    bool tuned = false;         // false: no positive validation row, the default kept
};

// probabilities and targets: rows * labels (targets 0 / 1). For each label, of the cuts between two
// neighbouring distinct probabilities whose F1 is within one standard error of the best
// (sqrt(F1 (1 - F1) / positive rows), at least 0.005), the one nearest `fallback`:
// `fallback` itself when such a cut contains it, else the middle of the nearest such cut; kept inside
// [0.01, 0.99]. A label without positive rows keeps `fallback`.
std::vector<TunedThreshold> tune_thresholds(const std::vector<float>& probabilities, const std::vector<float>& targets,
                                            std::size_t labels, double fallback = 0.5);

}  // namespace vidseg::models

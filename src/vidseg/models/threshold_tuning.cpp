#include "vidseg/models/threshold_tuning.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "vidseg/core/error.hpp"

namespace vidseg::models {

std::vector<TunedThreshold> tune_thresholds(const std::vector<float>& probabilities, const std::vector<float>& targets,
                                            std::size_t labels, double fallback) {
    if (labels == 0 || probabilities.size() != targets.size() || probabilities.size() % labels != 0)
        throw Error(ErrorCode::Internal, "tune_thresholds: probabilities and targets differ in shape");
    const std::size_t rows = probabilities.size() / labels;
    std::vector<TunedThreshold> out(labels);
    for (std::size_t l = 0; l < labels; ++l) {
        std::vector<std::pair<float, bool>> scored(rows);
        std::size_t positives = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            scored[r] = {probabilities[r * labels + l], targets[r * labels + l] > 0.5f};
            positives += scored[r].second;
        }
        auto& t = out[l];
        t.threshold = fallback;
        t.positives = positives;
        if (positives == 0) continue;
        std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        // Sweep from the highest probability down: a cut t in (next lower score, p] takes every row >= p.
        struct Cut {
            double low, high, f1;
        };
        std::vector<Cut> cuts;
        std::size_t tp = 0, fp = 0;
        double best_f1 = -1;
        for (std::size_t i = 0; i < rows;) {
            const float p = scored[i].first;
            for (; i < rows && scored[i].first == p; ++i) (scored[i].second ? tp : fp) += 1;
            const double f1 = 2.0 * double(tp) / double(2 * tp + fp + (positives - tp));
            cuts.push_back({i < rows ? double(scored[i].first) : 0.0, double(p), f1});
            best_f1 = std::max(best_f1, f1);
        }
        // Of the cuts whose F1 is as good as the best within its sampling error, the one nearest the fallback
        // (the one-standard-error rule of model selection). A validation set of a few dozen positive rows
        // gives its best F1 at a cut that hugs its own noise; such a cut found false intervals in new data.
        // The threshold moves away from the fallback only as far as the validation F1 clearly asks for — as
        // for a rare pattern whose scores all lie below 0.5. Standard error of F1 taken as that of a
        // proportion over the positive rows, at least 0.005.
        const double tolerance = std::max(0.005, std::sqrt(best_f1 * (1 - best_f1) / double(positives)));
        double best_distance = 2;
        for (const auto& cut : cuts) {
            if (cut.f1 < best_f1 - tolerance) continue;
            const double candidate = cut.low < fallback && fallback <= cut.high ? fallback : (cut.low + cut.high) / 2;
            const double distance = std::abs(candidate - fallback);
            if (distance < best_distance) {
                best_distance = distance;
                t.threshold = std::clamp(candidate, 0.01, 0.99);
            }
        }
        t.f1 = best_f1;
        t.tuned = true;
    }
    return out;
}

}  // namespace vidseg::models

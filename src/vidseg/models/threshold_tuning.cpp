#include "vidseg/models/threshold_tuning.hpp"

#include <algorithm>
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
        // Sweep from the highest probability down: after taking every row >= scored[i].first, tp / fp.
        std::size_t tp = 0, fp = 0;
        double best_f1 = -1;
        for (std::size_t i = 0; i < rows;) {
            const float p = scored[i].first;
            for (; i < rows && scored[i].first == p; ++i) (scored[i].second ? tp : fp) += 1;
            const double f1 = 2.0 * double(tp) / double(2 * tp + fp + (positives - tp));
            if (f1 > best_f1 + 1e-12) {
                best_f1 = f1;
                const double below = i < rows ? double(scored[i].first) : 0.0;
                t.threshold = std::clamp((double(p) + below) / 2, 0.01, 0.99);
            }
        }
        t.f1 = best_f1;
        t.tuned = true;
    }
    return out;
}

}  // namespace vidseg::models

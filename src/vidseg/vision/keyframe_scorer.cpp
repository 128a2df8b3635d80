#include "vidseg/vision/keyframe_scorer.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "vidseg/core/error.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace vidseg::vision {

namespace {

constexpr double kBlurThreshold = 100;  // Laplacian variance mapped to sharpness 0.5
constexpr double kDarkMean = 70, kBrightMean = 185;
constexpr int kClipLow = 8, kClipHigh = 247;
constexpr double kCloseFace = 0.02;  // face area share at which the face bonus saturates

double exposure_term(double mean, double clipped) {
    double brightness = 1;
    if (mean < kDarkMean)
        brightness = mean / kDarkMean;
    else if (mean > kBrightMean)
        brightness = (255 - mean) / (255 - kBrightMean);
    return std::clamp(brightness, 0.0, 1.0) * (1 - clipped);
}

double weighted_total(const KeyframeScore& s, const KeyframeWeights& w) {
    return (w.sharpness * s.sharpness + w.exposure * s.exposure + w.person * s.person) /
           (w.sharpness + w.exposure + w.person);
}

// Sharpness and exposure only (person left at 0, person_checked false).
KeyframeScore measure(const media::Image& image, int analysis_width) {
    KeyframeScore s;
    s.person_checked = false;
    const FrameMeasures m = vision_backend().measure(image, analysis_width, kClipLow, kClipHigh);
    s.laplacian_variance = m.laplacian_variance;
    s.mean_luma = m.mean_luma;
    s.clipped_share = m.clipped_share;
    s.sharpness = s.laplacian_variance / (s.laplacian_variance + kBlurThreshold);
    s.exposure = exposure_term(s.mean_luma, s.clipped_share);
    return s;
}

}  // namespace

struct KeyframeScorer::Impl {
    KeyframeScorerOptions options;
    std::optional<PersonDetector> detector;
};

KeyframeScorer::KeyframeScorer(KeyframeScorerOptions options) : impl_(std::make_unique<Impl>()) {
    const auto& w = options.weights;
    if (w.sharpness < 0 || w.exposure < 0 || w.person < 0 || w.sharpness + w.exposure + w.person <= 0)
        throw Error(ErrorCode::InvalidArgument, "keyframe weights must be >= 0 and not all 0");
    if (options.detect_people) impl_->detector.emplace(options.detector);
    impl_->options = std::move(options);
}

KeyframeScorer::~KeyframeScorer() = default;
KeyframeScorer::KeyframeScorer(KeyframeScorer&&) noexcept = default;
KeyframeScorer& KeyframeScorer::operator=(KeyframeScorer&&) noexcept = default;

KeyframeScore KeyframeScorer::score(const media::Image& image) {
    KeyframeScore s = measure(image, impl_->options.analysis_width);
    if (impl_->detector) {
        const auto found = impl_->detector->detect(image);
        s.faces = static_cast<int>(found.faces.size());
        s.bodies = static_cast<int>(found.bodies.size());
        if (s.faces > 0)
            s.person = 0.75 + 0.25 * std::min(1.0, found.largest_face_fraction / kCloseFace);
        else if (s.bodies > 0)
            s.person = 0.5;
    }
    s.person_checked = true;
    s.total = weighted_total(s, impl_->options.weights);
    return s;
}

BestKeyframe KeyframeScorer::pick_best(const std::vector<media::Image>& frames,
                                       const std::vector<double>& times, double middle) {
    if (frames.empty() || frames.size() != times.size())
        throw Error(ErrorCode::InvalidArgument,
                    "best keyframe: need one time per frame and at least one frame");
    const auto& w = impl_->options.weights;
    std::vector<KeyframeScore> scores;
    for (const auto& f : frames) {
        scores.push_back(measure(f, impl_->options.analysis_width));
        scores.back().total = weighted_total(scores.back(), w);
    }
    BestKeyframe out;
    if (impl_->detector && w.person > 0) {
        std::vector<size_t> order(frames.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return scores[a].total > scores[b].total; });
        const double person_bonus = w.person / (w.sharpness + w.exposure + w.person);
        double best_total = -1;
        for (size_t i : order) {
            // Strictly below the best even with person = 1: cannot win, not even a tie.
            if (scores[i].total + person_bonus < best_total - 1e-12) break;
            scores[i] = score(frames[i]);
            ++out.detections;
            best_total = std::max(best_total, scores[i].total);
        }
    } else {
        for (auto& s : scores) s.person_checked = true;
    }
    out.index = best_candidate(scores, times, middle);
    out.score = scores[out.index];
    return out;
}

std::vector<double> candidate_times(double start, double end, int count, double fps) {
    if (!(end > start)) throw Error(ErrorCode::InvalidArgument, "keyframe candidates: end <= start");
    if (count < 1) throw Error(ErrorCode::InvalidArgument, "keyframe candidates: count must be >= 1");
    if (fps > 0) {
        const double frames = std::floor((end - start) * fps + 1e-9);
        count = static_cast<int>(std::clamp(frames, 1.0, static_cast<double>(count)));
    }
    std::vector<double> times;
    const double step = (end - start) / count;
    for (int k = 0; k < count; ++k) times.push_back(start + (k + 0.5) * step);
    return times;
}

size_t best_candidate(const std::vector<KeyframeScore>& scores, const std::vector<double>& times,
                      double middle) {
    if (scores.empty() || scores.size() != times.size())
        throw Error(ErrorCode::InvalidArgument,
                    "best keyframe: need one time per score and at least one score");
    size_t best = 0;
    for (size_t i = 1; i < scores.size(); ++i) {
        const double d = scores[i].total - scores[best].total;
        if (d > 1e-12 ||
            (std::abs(d) <= 1e-12 && std::abs(times[i] - middle) < std::abs(times[best] - middle)))
            best = i;
    }
    return best;
}

}  // namespace vidseg::vision

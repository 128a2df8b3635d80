#include "vidseg/vision/scene_cut_detector.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "vidseg/core/error.hpp"
#include "vidseg/vision/frame_stats.hpp"

namespace vidseg::vision {

namespace {
constexpr int kBins = 64;
constexpr int kGridCols = 32;
constexpr int kGridRows = 18;
// A mean absolute difference of 64 grey levels on the averaged grid already means a different
// picture; beyond that the structural term saturates.
constexpr double kMadFullScale = 64.0;
}  // namespace

SceneCutDetector::SceneCutDetector(SceneCutOptions options) : options_(options) {
    if (!(options_.threshold > 0 && options_.threshold <= 1))
        throw Error(ErrorCode::InvalidArgument,
                    "scene cut threshold must be in (0, 1], got " + std::to_string(options_.threshold));
    if (!(options_.min_scene_seconds >= 0))
        throw Error(ErrorCode::InvalidArgument,
                    "minimum scene length must be >= 0 s, got " + std::to_string(options_.min_scene_seconds));
}

SceneCutDetector::Features SceneCutDetector::features_of(const media::Image& frame) {
    Features f;
    const auto luma = luma_plane(frame);  // validates the image
    // Soft binning: bin centres at 4k + 1.5; a value between two centres votes for both in
    // proportion to its distance, so a one-level drift moves a quarter of a vote, not a whole one.
    std::vector<double> hist(kBins, 0.0);
    for (float y : luma) {
        const double pos = std::clamp((static_cast<double>(y) - 1.5) / 4.0, 0.0, kBins - 1.0);
        const int lo = static_cast<int>(pos);
        const int hi = std::min(lo + 1, kBins - 1);
        const double frac = pos - lo;
        hist[static_cast<size_t>(lo)] += 1.0 - frac;
        hist[static_cast<size_t>(hi)] += frac;
    }
    f.histogram.resize(kBins);
    for (int i = 0; i < kBins; ++i) f.histogram[static_cast<size_t>(i)] = static_cast<float>(hist[i] / luma.size());

    f.grid = downscaled_luma(frame, kGridCols, kGridRows);
    double mean = 0;
    for (float v : f.grid) mean += v;
    mean /= static_cast<double>(f.grid.size());
    for (float& v : f.grid) v = static_cast<float>(v - mean);
    return f;
}

double SceneCutDetector::score(const Features& a, const Features& b) {
    double l1 = 0;
    for (size_t i = 0; i < a.histogram.size(); ++i) l1 += std::fabs(a.histogram[i] - b.histogram[i]);
    const double hist_term = std::min(1.0, 0.5 * l1);

    double mad = 0;
    for (size_t i = 0; i < a.grid.size(); ++i) mad += std::fabs(a.grid[i] - b.grid[i]);
    mad /= static_cast<double>(a.grid.size());
    const double struct_term = std::min(1.0, mad / kMadFullScale);

    return 0.5 * hist_term + 0.5 * struct_term;
}

double SceneCutDetector::frame_difference(const media::Image& a, const media::Image& b) {
    return score(features_of(a), features_of(b));
}

void SceneCutDetector::process(const media::Image& frame) {
    if (flushed_) throw Error(ErrorCode::InvalidArgument, "scene cut detector: frame after flush()");
    if (previous_ && frame.time < previous_time_)
        throw Error(ErrorCode::InvalidArgument, "scene cut detector: frame time " + std::to_string(frame.time) +
                                                    " is earlier than the previous frame's " +
                                                    std::to_string(previous_time_));
    Features current = features_of(frame);
    if (!previous_) {
        scene_start_ = frame.time;
    } else {
        const double s = score(*previous_, current);
        last_score_ = s;
        // The small tolerance keeps a cut exactly min_scene after the previous one (frame times
        // computed as n / fps) from being lost to rounding.
        if (s >= options_.threshold && frame.time - scene_start_ >= options_.min_scene_seconds - 1e-9) {
            cuts_.push_back(frame.time);
            scene_start_ = frame.time;
        }
    }
    previous_ = std::move(current);
    previous_time_ = frame.time;
}

void SceneCutDetector::flush() { flushed_ = true; }

}  // namespace vidseg::vision

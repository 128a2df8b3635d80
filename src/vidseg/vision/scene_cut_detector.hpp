// Streaming hard-cut detector in the spirit of PySceneDetect's content detector: each frame is
// compared with the previous one and a cut is reported where the difference jumps.
//
// Frame difference score in [0, 1] = 0.5 * H + 0.5 * S, where
//   H = total-variation distance (half the L1 distance) of the two 64-bin luma histograms, with
//       each pixel's vote split linearly between its two nearest bin centres so that a tiny
//       brightness change does not flip whole bins;
//   S = min(1, 4 * MAD / 255), MAD = mean absolute difference of the 32x18 area-averaged luma
//       after removing the difference of the two means. Averaging over grid cells suppresses
//       sensor/compression noise; removing the mean difference makes fades and exposure drift
//       (global brightness changes) cost nothing, while a change of layout costs a lot.
// H alone misses cuts between shots with similar tonal distributions; S alone misses cuts
// between flat shots of different brightness. Together a cut needs either strong evidence in
// one or moderate evidence in both.
#pragma once

#include <optional>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::vision {

struct SceneCutOptions {
    double threshold = 0.35;         // score at or above which a frame starts a new scene
    double min_scene_seconds = 0.5;  // no cut closer than this to the previous cut or to the first frame
};

class SceneCutDetector {
public:
    // Throws InvalidArgument when threshold is not in (0, 1] or min_scene_seconds < 0.
    explicit SceneCutDetector(SceneCutOptions options = {});

    // Frames in presentation order with frame.time set. The first frame only primes the detector.
    // Frames may change size mid-stream (both features are size-independent).
    // Throws InvalidArgument for an empty frame, a frame after flush(), or a time earlier than the
    // previous frame's.
    void process(const media::Image& frame);

    // Ends the stream. The detector decides on each frame as it arrives (no look-ahead), so this
    // only closes it; cuts() is complete afterwards.
    void flush();

    // Presentation times of the first frame of each new scene, ascending.
    const std::vector<double>& cuts() const noexcept { return cuts_; }

    // Score of the last processed frame against its predecessor (nullopt before the second frame);
    // exposed so callers can log or tune thresholds.
    std::optional<double> last_score() const noexcept { return last_score_; }

    // The difference score of two frames, as defined above.
    static double frame_difference(const media::Image& a, const media::Image& b);

private:
    struct Features {
        std::vector<float> histogram;  // 64 soft bins, sum 1
        std::vector<float> grid;       // 32x18 luma, mean removed
    };
    static Features features_of(const media::Image& frame);
    static double score(const Features& a, const Features& b);

    SceneCutOptions options_;
    std::optional<Features> previous_;
    double previous_time_ = 0;
    double scene_start_ = 0;
    bool flushed_ = false;
    std::optional<double> last_score_;
    std::vector<double> cuts_;
};

}  // namespace vidseg::vision

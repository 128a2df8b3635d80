// Boundary refinement of detected intros to a fraction of a second. Fingerprints place a boundary
// within ~0.1-0.3 s (Chromaprint items are 0.124 s apart over 2.6-s windows, pictures are sampled
// at 4 fps); here the audio around each boundary is decoded again at 11025 Hz and compared sample by
// sample with the same audio in the confirming episodes, and where the audio cannot tell (silence,
// no audio, speech over it) the frames around the boundary are compared one by one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_detector.hpp"

namespace vidseg::intro {

struct RefineOptions {
    double search = 1.5;        // seconds a boundary may move
    int max_partners = 3;       // confirming episodes compared per episode (the median wins)
    double window = 0.04;       // seconds of audio per similarity window
    double hop = 0.01;          // seconds between windows
};

// Fine offset and the shared-audio extent between two sample buffers: a and b are mono 11025 Hz
// buffers starting at times a_start and b_start; `offset` (a time - b time) is known to ~0.4 s.
// Returns where the samples agree in a's time (searching around `coarse` within options.search); a
// boundary is not found (start_found / end_found false) when the audio cannot tell (silence, too
// little agreement, speech over it).
struct AudioBoundaryEstimate {
    double start = 0, end = 0;   // in a's timeline
    bool start_found = false, end_found = false;
    double offset = 0;           // the refined offset
    double level = 0;            // typical similarity inside the intro (0..1)
};
AudioBoundaryEstimate refine_with_samples(const std::vector<float>& a, double a_start, const std::vector<float>& b,
                                          double b_start, const timeline::Interval& coarse, double offset,
                                          const RefineOptions& options = {});

// Frame-level boundary from the pictures: decodes every frame of a within +-search of `boundary`
// and the frames of b around boundary - offset; returns the time of the first frame of a lasting
// run of shared frames (is_start) or of the first frame after one (!is_start), nearest to
// `boundary`; nullopt when the frames do not show one.
std::optional<double> refine_visual_boundary(const std::string& a_path, const std::string& b_path, double boundary,
                                             bool is_start, double offset, double search);

// One decoded frame's perceptual hash (perceptual_hash of a 64-px grey decode) and its time.
struct FrameHash {
    double time = 0;
    uint64_t hash = 0;
};
// Hashes of every frame shown in [from, to) of path, in time order (each frame once).
std::vector<FrameHash> frame_hashes(const std::string& path, double from, double to);
// The same on frames already hashed: a = a's frames within +-search of boundary, b = b's frames
// around boundary - offset (+-search + 0.5 s); for references that are not files (intro library).
std::optional<double> refine_visual_boundary(const std::vector<FrameHash>& a, const std::vector<FrameHash>& b,
                                             double boundary, bool is_start, double offset);

// Refines the intros in `detections` (from detect_intros_from_fingerprints on the same episodes)
// in place, reading the files `paths` (same order as fingerprints). Episodes that cannot be read
// again keep their boundaries. used_pictures (optional) receives one flag per detection: whether its
// refinement may depend on the pictures (the sound could not place both boundaries).
void refine_intro_boundaries(const std::vector<std::string>& paths, const std::vector<EpisodeFingerprints>& fingerprints,
                             std::vector<IntroDetection>& detections, const IntroDetectOptions& detect_options,
                             Progress* progress = nullptr, const RefineOptions& options = {},
                             std::vector<char>* used_pictures = nullptr);

}  // namespace vidseg::intro

// Boundary refinement done once per season (issue 16 §1): the default detection runs an audio-only
// pass and, when the sound leaves an episode in doubt, a fused pass with pictures; both refine every
// intro (decoding the audio around it and its partners', then the cue windows). An episode whose
// coarse intro and confirming partners come out of the fused pass as they came out of the first
// gets the first pass's refined boundaries back instead of decoding them again.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_detector.hpp"

namespace vidseg::intro {

// What refinement (and cue snapping) made of one detection.
struct RefinedIntro {
    std::optional<timeline::Interval> intro, aligned;
    BoundaryCue start_cue = BoundaryCue::None, end_cue = BoundaryCue::None;
};

class RefinementMemo {
public:
    std::optional<RefinedIntro> find(const std::string& key) const;
    void store(const std::string& key, const RefinedIntro& refined);
    std::size_t reused() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, RefinedIntro> entries_;
    mutable std::size_t reused_ = 0;
};

// refine_intro_boundaries(paths, fingerprints, detections, options, progress), with the outcomes of
// detections refined before from the same inputs taken from memo (nullptr = none), and the new ones
// stored in it. The inputs of an episode's refinement: its file and coarse intro, whether it has
// audio, and its confirming partners in order (file, offset, audio evidence, whether they have audio
// and are usable); where the sound could not place both boundaries, also the picture evidence and
// which episodes have pictures.
void refine_intro_boundaries_memo(const std::vector<std::string>& paths,
                                  const std::vector<EpisodeFingerprints>& fingerprints,
                                  std::vector<IntroDetection>& detections, const IntroDetectOptions& options,
                                  Progress* progress, RefinementMemo* memo);

}  // namespace vidseg::intro

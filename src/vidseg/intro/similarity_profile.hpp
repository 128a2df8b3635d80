// The unsupervised detector's evidence as a time series: for one episode, per step (1 s) of its
// analysed span, the share of the season's other episodes whose audio (Chromaprint) or pictures
// (perceptual hashes) align with it there. An intro shows as a plateau near 1 (every other episode
// repeats it), a recap or a shared sting as a lower or shorter bump, an episode's own material as 0.
// It is what the "fused" learned intro detectors read as feature columns (features::
// append_intro_similarity_columns, `vidseg features --series-dir`): the supervised models see what
// repeats across the season, not only what intros sound like.
//
// Same pairwise alignment as the detector (episode_alignment.hpp, visual_alignment.hpp, with
// IntroDetectOptions' min_length) and its whole-file rule, but no consensus, length or start
// limits: the raw profile.
#pragma once

#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/visual_alignment.hpp"

namespace vidseg::intro {

struct SimilarityProfileOptions {
    double step = 1.0;  // seconds per profile value
    AlignmentOptions audio;
    VisualAlignmentOptions visual;
    // A run covering at least this share of either episode's analysed span is dropped, as in the
    // detector: most of two files matching is a duplicate or a test pattern, not an intro.
    double max_share = 0.8;
};

struct SimilarityProfile {
    double step = 1.0;
    // Value k covers [k * step, (k + 1) * step) of the episode: the mean over the other episodes that
    // have the modality of the share of that step covered by an aligned run with them (0..1).
    // One value per step of the fingerprinted span; empty when the episode lacks the modality.
    std::vector<float> audio;
    std::vector<float> visual;
    int audio_partners = 0;   // other episodes the audio values average over (0: values are all 0)
    int visual_partners = 0;
};

// Profile of `episode` against `others` (the rest of its season; the episode itself must not be
// among them: it would align with itself everywhere). Throws Error(InvalidArgument) for step <= 0.
SimilarityProfile similarity_profile(const EpisodeFingerprints& episode,
                                     const std::vector<const EpisodeFingerprints*>& others,
                                     const SimilarityProfileOptions& options = {});

// Profiles of every episode of a season against all the others: each pair is aligned once.
std::vector<SimilarityProfile> similarity_profiles(const std::vector<EpisodeFingerprints>& season,
                                                   const SimilarityProfileOptions& options = {},
                                                   Progress* progress = nullptr);

// The profile's value at [start, start + length) (the mean of the covered steps, weighted by
// overlap; 0 outside the profile): for feature rows on another grid.
float profile_value(const std::vector<float>& values, double step, double start, double length);

}  // namespace vidseg::intro

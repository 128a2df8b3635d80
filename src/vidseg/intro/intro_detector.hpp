// Unsupervised intro detection for the episodes of one series (SPEC §2): the fragment whose audio
// repeats from episode to episode. Every pair of episodes is aligned by Chromaprint fingerprints
// (episode_alignment.hpp); each episode takes the matched interval confirmed by the most other
// episodes. No match with any other episode = no intro (never a guess).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct IntroDetectOptions {
    double max_start = 900;   // an intro starts within the first max_start seconds
    double min_length = 1;    // seconds
    double max_length = 120;  // seconds
    AlignmentOptions alignment;  // min_length is taken from above
};

struct IntroDetection {
    std::string episode;                      // the path as given
    std::optional<timeline::Interval> intro;  // nullopt = no intro (or the episode is unusable)
    double confidence = 0;  // share of the other usable episodes whose audio confirms the intro
    int confirmations = 0;  // how many other episodes confirm it
    // Empty when the episode was fingerprinted; else why it was skipped (unreadable, no audio).
    // Skipped episodes take part in nothing.
    std::string error;
    bool no_audio = false;  // skipped because it has no audio stream (visual fingerprints: TODO)
};

// One detection per episode, in input order. Episodes that cannot be read are reported through
// IntroDetection::error, never thrown; with fewer than two usable episodes every intro is nullopt.
// Throws Error(InvalidArgument) for fewer than two episodes or inconsistent options.
//
// Consensus per episode E: the matched runs of E with every other episode F (one or more per
// pair, each [min_length, max_length] long and starting before max_start) are grouped when they
// overlap by at least half of the shorter one; a group's support = the number of distinct F in it.
// The group with the most support wins (ties: the earliest start); its boundaries are the medians
// of the starts and of the ends of its runs (the longest run per F); confidence = support / (usable
// episodes - 1).
std::vector<IntroDetection> detect_intros(const std::vector<std::string>& episodes,
                                          const IntroDetectOptions& options = {}, Progress* progress = nullptr);

// The same on fingerprints already computed (one per episode; ids are used as IntroDetection::episode).
std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<AudioFingerprint>& fingerprints,
                                                            const IntroDetectOptions& options = {},
                                                            Progress* progress = nullptr);

}  // namespace vidseg::intro

// Pairwise alignment of two episodes' visual fingerprints (perceptual hashes at a few fps): where
// the same pictures are shown in both, at which offset. The visual counterpart of
// episode_alignment.hpp, with the same result type.
#pragma once

#include <vector>

#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"

namespace vidseg::intro {

struct VisualAlignmentOptions {
    int max_hash_distance = 12;  // two slots agree when their 64-bit hashes differ in at most this many bits
    double max_gap = 1.5;        // seconds of disagreeing slots allowed inside one run
    double min_length = 1.0;     // shorter runs are dropped
    int max_offsets = 12;        // best candidate offsets examined
    int min_distinct = 2;        // a run must show at least this many different pictures (a still card is weak)
};

// All runs where a and b show the same pictures, longest first, no two overlapping in a or in b.
// Flat slots (hash 0: black, fades, plain colour) neither agree nor break a run. A run of slots
// first..last covers [first * period - period / 2, last * period + period / 2) (the change happened
// between two slots) clipped at 0. matched_items counts agreeing slots; mean_bit_errors is over them.
std::vector<AlignedRun> align_visual(const VisualFingerprint& a, const VisualFingerprint& b,
                                     const VisualAlignmentOptions& options = {});

}  // namespace vidseg::intro

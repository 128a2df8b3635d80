// Pairwise alignment of two episodes' Chromaprint fingerprints: where (at which time offsets)
// their audio agrees, as matched runs in both episodes' timelines (SPEC §2: similar points =
// Hamming distance <= 6 of 32 bits, gaps <= 3.5 s).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct AlignmentOptions {
    int max_bit_errors = 6;     // an item pair "agrees" when at most this many of its 32 bits differ
    double max_gap = 3.5;       // seconds of disagreeing items allowed inside one run
    double min_length = 1.0;    // runs shorter than this (seconds, as intervals) are dropped
    int max_offsets = 12;       // best candidate offsets (most agreeing items) examined
    // Evidence a run needs besides its length. Chance agreements (similar speech, a shared sound
    // effect) give runs of 2-4 items averaging 5-6 bit errors; the same audio gives dozens of items
    // averaging 1-3.5. With Chromaprint's 2.6-s item window this puts the shortest detectable intro
    // at about 2 s.
    int min_items = 8;               // agreeing items (~1 s of item starts)
    double max_mean_bit_errors = 4;  // mean over the agreeing items
    // |a| * |b| (item pairs) from which only the offsets an index of the items' 16-bit halves nominates
    // are scored instead of all (offset_candidates.hpp): ~3000 x 3000 items = two 6-minute windows.
    // Shorter windows keep the exhaustive scan (cheap there, and exact).
    double indexed_scan_min = 9e6;
};

struct AlignedRun {
    timeline::Interval a;  // the run in the first episode, seconds
    timeline::Interval b;  // the same audio in the second episode
    double offset = 0;     // a.start - b.start, seconds
    int matched_items = 0; // items within max_bit_errors inside the run
    int items = 0;         // items the run spans
    double mean_bit_errors = 0;  // over the matched items
};

// All runs where a and b agree, longest first; no two runs overlap in a (the longest wins).
// Method: every offset is scored by its number of agreeing item pairs (a full popcount scan,
// |a| * |b| operations); the best offsets (with their neighbours +-1 item, for frame-phase
// differences) are scanned item by item, agreeing items are chained into runs while gaps stay
// <= max_gap, and each run's ends are moved in to where agreement is dense (3 of 4 items).
// Interval of a run of items first..last: [first * period + 0.225 * span, last * period + 0.56 * span)
// with span = AudioFingerprint::item_span (2.6 s): an item still agrees when ~3/4 of its window
// (at the start) or ~1/2 (at the end) covers the shared audio. The two shares were measured on
// tests/media/make_series.sh (boundaries within 0.15 s there, also on variants with a 20-s intro
// and a speech intro). A run that begins at item 0 of either stream starts at that item's time.
// Runs of near-constant items (silence, a steady tone) are rejected: they agree at any offset.
std::vector<AlignedRun> align_episodes(const AudioFingerprint& a, const AudioFingerprint& b,
                                       const AlignmentOptions& options = {});

// align_episodes scoring only the offsets in offset_ranges ([first, last) of index in a - index in b,
// as candidate_offset_ranges gives them), whatever the windows' size: for a season index that found
// them for many pairs at once (season_audio_index.hpp). Equal to align_episodes when the ranges are
// those its own index would nominate.
std::vector<AlignedRun> align_episodes_at(const AudioFingerprint& a, const AudioFingerprint& b,
                                          const AlignmentOptions& options,
                                          const std::vector<std::pair<long, long>>& offset_ranges);

// The all-offset scan behind align_episodes: for every offset d = index in a - index in b, from
// -(|b| - 1) to |a| - 1, how many item pairs (a[i], b[i - d]) differ in at most max_bit_errors bits;
// element d + |b| - 1. Uses AVX-512 VPOPCNTD when the CPU has it (same counts).
std::vector<int> agreement_by_offset(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b,
                                     int max_bit_errors);

}  // namespace vidseg::intro

// Where two long audio fingerprints can agree, found through an index instead of every offset
// (issue 16 §1: a season of long episodes). The all-offset scan of align_episodes costs |a| * |b|
// popcounts: ~53 M for two 15-minute windows, 4950 times for a 100-episode season. Media-server intro
// plugins index sub-fingerprints instead; here every item is indexed by both of its 16-bit halves.
// The same audio at another sample phase differs in a few bits (1-3.5 on average), so one half or
// the other of most agreeing items is exact: an intro of n items gives about n / 2 votes at its
// offset, while unrelated audio gives about |a| * |b| / 32768 votes spread over all offsets.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace vidseg::intro {

struct OffsetCandidateOptions {
    int min_votes = 3;      // half-key matches within +-window offsets that make an offset a candidate
    long window = 2;        // offsets (items) pooled when counting votes
    long margin = 2;        // offsets added on both sides of every candidate (the scan ranks neighbours)
    int max_key_pairs = 64; // a key shared by more item pairs than this (a steady tone) casts no votes
};

// Ranges [first, last) of offsets (index in a - index in b, from -(nb - 1) to na - 1) worth scoring,
// sorted and disjoint. Items equal to skip_a in a or skip_b in b (masked quiet items) are not indexed.
std::vector<std::pair<long, long>> candidate_offset_ranges(const uint32_t* a, long na, const uint32_t* b, long nb,
                                                           uint32_t skip_a, uint32_t skip_b,
                                                           const OffsetCandidateOptions& options = {});

// The ranges of candidate_offset_ranges from its votes: votes[offset + nb - 1] = item pairs with an
// equal half at that offset (na + nb - 1 of them). For indexes that count the votes another way
// (season_audio_index.hpp).
std::vector<std::pair<long, long>> offset_ranges_from_votes(const std::vector<uint16_t>& votes, long na, long nb,
                                                            const OffsetCandidateOptions& options = {});

}  // namespace vidseg::intro

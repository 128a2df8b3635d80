// One inverted index of a season's audio sub-fingerprints instead of one per pair (issue 16 §1, many
// episodes). align_episodes on long windows finds its candidate offsets through an index of the items'
// 16-bit halves (offset_candidates.hpp), built and merge-joined per pair: n(n-1)/2 times the sort and
// the walk of both episodes' keys. Here every episode's keys go into one sorted list once; a key's
// postings vote for the offsets of the pairs of episodes that share it, so the work is proportional to
// the shared sub-fingerprints, and a pair that shares none is never scanned. The votes, and therefore
// the candidate ranges and the alignments, are those of the per-pair index.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/offset_candidates.hpp"

namespace vidseg::intro {

class SeasonAudioIndex {
public:
    SeasonAudioIndex() = default;
    // audio: the season's fingerprints (nullptr = none). Quiet items are not indexed (as align_episodes
    // masks them). An episode with an audible item equal to 0 or ~0 (the masks' values, which the
    // per-pair index skips depending on the episode's side) is left out: its pairs take the usual path.
    explicit SeasonAudioIndex(const std::vector<const AudioFingerprint*>& audio, const OffsetCandidateOptions& options = {});

    // Whether the pair (a, b) — in either order, by content (content_key) — was indexed (two different
    // indexed contents).
    bool covers(const AudioFingerprint& a, const AudioFingerprint& b) const;
    // The candidate offset ranges of (a, b), equal to candidate_offset_ranges on the masked items of a
    // and b; empty = they share no sub-fingerprint. Only for a covered pair.
    std::vector<std::pair<long, long>> ranges(const AudioFingerprint& a, const AudioFingerprint& b) const;

    std::size_t episodes() const noexcept { return sizes_.size(); }
    std::size_t pairs_sharing() const noexcept { return votes_.size(); }

private:
    OffsetCandidateOptions options_;
    std::map<uint64_t, std::size_t> episode_of_;  // content key -> episode
    std::vector<long> sizes_;                     // items per episode
    // (lower episode, higher episode) -> offsets (index in lower - index in higher), one per vote.
    std::map<std::pair<std::size_t, std::size_t>, std::vector<int32_t>> votes_;
};

}  // namespace vidseg::intro

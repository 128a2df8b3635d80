// The pairwise alignments of a season computed once: series grouping and intro detection both align
// every pair of episodes (the all-offset scan is |a| x |b| popcounts per pair), so they share one
// memo. Results are keyed by the CONTENT of the two fingerprints (a 64-bit hash of their items /
// hashes, levels and timing), so copies and subsets of the episodes hit the same entries.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/refinement_memo.hpp"
#include "vidseg/intro/season_audio_index.hpp"
#include "vidseg/intro/visual_alignment.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"

namespace vidseg::intro {

class PairAlignments {
public:
    // The options every alignment of this memo is made with (min_length already applied to both).
    PairAlignments(const AlignmentOptions& audio, const VisualAlignmentOptions& visual);
    // What detection and series grouping use: options.alignment and default visual options, both
    // with options.min_length.
    explicit PairAlignments(const IntroDetectOptions& options);
    PairAlignments(const PairAlignments&) = delete;
    PairAlignments& operator=(const PairAlignments&) = delete;

    // align_episodes(a, b, audio options) / align_visual(a, b, visual options), computed on first use.
    // Thread-safe; the references stay valid as long as the memo. Order matters: (a, b) != (b, a).
    const std::vector<AlignedRun>& audio(const AudioFingerprint& a, const AudioFingerprint& b);
    const std::vector<AlignedRun>& visual(const VisualFingerprint& a, const VisualFingerprint& b);

    const AlignmentOptions& audio_options() const noexcept { return audio_options_; }
    const VisualAlignmentOptions& visual_options() const noexcept { return visual_options_; }

    // Indexes the season's audio once (season_audio_index.hpp) when some pair of it is long enough for
    // align_episodes' indexed scan (AlignmentOptions::indexed_scan_min): audio() then takes such pairs'
    // candidate offsets from the season index (same alignments), and a pair that shares no
    // sub-fingerprint costs nothing. Call before the alignments; idempotent for the same season.
    void index_season(const std::vector<const AudioFingerprint*>& audio);

    // The season's refined boundaries, shared by its passes like the alignments (refinement_memo.hpp).
    RefinementMemo& refinements() noexcept { return refinements_; }

    // How many alignments were computed / answered from the memo (tests, benchmarks).
    std::size_t computed() const;
    std::size_t reused() const;

private:
    using Key = std::pair<uint64_t, uint64_t>;
    struct Entry {
        std::once_flag once;
        std::vector<AlignedRun> runs;
    };
    template <class Compute>
    const std::vector<AlignedRun>& lookup(std::map<Key, std::unique_ptr<Entry>>& table, const Key& key,
                                          Compute&& compute);

    AlignmentOptions audio_options_;
    VisualAlignmentOptions visual_options_;
    mutable std::mutex mutex_;
    std::map<Key, std::unique_ptr<Entry>> audio_, visual_;
    std::size_t computed_ = 0, reused_ = 0;
    RefinementMemo refinements_;
    std::shared_ptr<const SeasonAudioIndex> season_index_;
};

// Content key of a fingerprint (what PairAlignments is keyed by).
uint64_t content_key(const AudioFingerprint& fp);
uint64_t content_key(const VisualFingerprint& fp);

}  // namespace vidseg::intro

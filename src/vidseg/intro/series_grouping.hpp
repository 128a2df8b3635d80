// Intro detection on a folder that may mix the episodes of several series (SPEC §2, issue 4 §8).
// Every episode is fingerprinted once (through the on-disk cache), the episodes are grouped into
// series by shared audio — connected components of the graph whose edges are episode pairs with an
// aligned run of at least min_length seconds starting within max_start in both — and the intro is
// detected inside each series. An episode that shares audio with no other episode gets no intro and
// a reason; unreadable episodes are reported, never thrown.
#pragma once

#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/pair_alignments.hpp"

namespace vidseg::intro {

// The fingerprint span detection needs: [0, max_start + max_length), with options.visual.
FingerprintOptions fingerprint_options_for_detection(const IntroDetectOptions& options);

struct FingerprintedEpisode {
    std::string path;
    EpisodeFingerprints fingerprints;  // meaningful only when error is empty
    std::string error;                 // why the episode could not be fingerprinted
    uint64_t cache_key = 0;            // its fingerprint cache entry (0 = no cache)
    // On an audio-first pass's episode handed to a fused pass (audio_pass below): the windows whose
    // pictures that pass decodes (picture_windows.hpp); empty = the whole span.
    std::vector<timeline::Interval> picture_windows;
};

// Fingerprints every episode (options.threads / 2 at a time) through cache (nullptr = no cache).
// Per-episode failures go to FingerprintedEpisode::error; Interrupted and Internal errors are rethrown.
// audio_pass (optional, one per path): the episodes of an audio-only pass over the same paths and
// options; their audio fingerprints are reused, so only the pictures are decoded (in their
// picture_windows when set).
std::vector<FingerprintedEpisode> fingerprint_episodes(const std::vector<std::string>& paths,
                                                       const IntroDetectOptions& options, FingerprintCache* cache,
                                                       Progress* progress = nullptr,
                                                       const std::vector<FingerprintedEpisode>* audio_pass = nullptr);

// Connected components of "shares an aligned audio run" among the given audio fingerprints (see the
// header comment), each sorted, ordered by their first index; singletons included.
// memo (optional): the season's shared pair alignments (detection then reuses them).
std::vector<std::vector<std::size_t>> group_by_shared_audio(const std::vector<const AudioFingerprint*>& audio,
                                                            const IntroDetectOptions& options,
                                                            Progress* progress = nullptr, PairAlignments* memo = nullptr);

// Series by audio OR pictures: the components of group_by_shared_audio among the episodes with
// audio, then every episode still alone (no audio match, or no audio) is linked by its pictures
// (align_visual: a run of >= min_length seconds starting within max_start in both that is not most
// of both files) to any other episode with visual fingerprints. Pictures are compared only for those
// unlinked episodes (speech dubbed over the intro hides it from Chromaprint, its frames still match),
// so a season whose sound already links every episode costs no visual alignment. fingerprints[i] ==
// nullptr: not readable (a singleton). Components are sorted and ordered by first index.
std::vector<std::vector<std::size_t>> group_by_shared_content(const std::vector<const EpisodeFingerprints*>& fingerprints,
                                                              const IntroDetectOptions& options,
                                                              Progress* progress = nullptr, PairAlignments* memo = nullptr);

// What tells the seasons of different shows apart when their intros share nothing: the folder, the
// file-name prefix before the first digit (lower case: "show.s" of "Show.S01E03.mkv", "ep" of
// "ep4.mp4"), the picture size, and the duration (within 25 %). Components of >= 2 episodes with
// the same profile are one series whose intro changed (a new variant from the middle of a season),
// not two series; see merge_same_profile_groups.
struct EpisodeProfile {
    std::string folder;
    std::string name_prefix;
    int width = 0, height = 0;  // 0 = no video
    double duration = 0;        // seconds, 0 = unknown
};
EpisodeProfile episode_profile(const std::string& path, double duration);
bool same_profile(const EpisodeProfile& a, const EpisodeProfile& b);
// Merges groups (of >= 2 members) whose members all share one profile; profiles[i] per episode index.
std::vector<std::vector<std::size_t>> merge_same_profile_groups(std::vector<std::vector<std::size_t>> groups,
                                                                const std::vector<EpisodeProfile>& profiles);

struct SeriesDetection {
    std::vector<IntroDetection> detections;        // one per input episode, in input order
    std::vector<FingerprintedEpisode> episodes;    // the fingerprints, in input order (for intro learn)
    std::vector<std::vector<std::size_t>> series;  // groups of >= 2 episodes (indices), by first member
    std::vector<int> series_of;                    // per episode: index into series, -1 = in none
    // Per episode: why it has no intro when that is not simply "none detected" (matches no other
    // episode, cannot be assigned to a series), else empty.
    std::vector<std::string> reasons;
};

// Fingerprints, groups and detects as described above. With a cache, each series' detections are
// also cached, keyed by its members' fingerprint entries (in order), the detection options and the
// running executable (size and mtime: a rebuilt or upgraded vidseg recomputes), so that a re-run
// neither aligns nor re-decodes for boundary refinement. Series = group_by_shared_content, then
// merge_same_profile_groups (a season whose new intro shares nothing with the old one stays one
// series, its intros get variant ids 0, 1, ...). Episodes without audio that pictures did not link
// join the only series when there is exactly one; when no two episodes share audio or pictures, all
// readable episodes are treated as one series. Throws Error(InvalidArgument) for < 2 episodes.
// Without need_fingerprints the whole outcome (series, reasons, detections) is cached as well, keyed
// by every episode's entry key: a re-run then reads only the sampled blocks of each file
// (SeriesDetection::episodes then holds no fingerprints).
// audio_pass: as fingerprint_episodes'. memo (optional): pair alignments shared with an earlier pass
// over the same episodes and options (its audio scans are reused; nullptr = a memo of this call's own).
SeriesDetection detect_intros_by_series(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                        FingerprintCache* cache, Progress* progress = nullptr,
                                        bool need_fingerprints = true,
                                        const std::vector<FingerprintedEpisode>* audio_pass = nullptr,
                                        PairAlignments* memo = nullptr);

}  // namespace vidseg::intro

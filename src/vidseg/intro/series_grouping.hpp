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

namespace vidseg::intro {

// The fingerprint span detection needs: [0, max_start + max_length), with options.visual.
FingerprintOptions fingerprint_options_for_detection(const IntroDetectOptions& options);

struct FingerprintedEpisode {
    std::string path;
    EpisodeFingerprints fingerprints;  // meaningful only when error is empty
    std::string error;                 // why the episode could not be fingerprinted
    uint64_t cache_key = 0;            // its fingerprint cache entry (0 = no cache)
};

// Fingerprints every episode (options.threads / 2 at a time) through cache (nullptr = no cache).
// Per-episode failures go to FingerprintedEpisode::error; Interrupted and Internal errors are rethrown.
std::vector<FingerprintedEpisode> fingerprint_episodes(const std::vector<std::string>& paths,
                                                       const IntroDetectOptions& options, FingerprintCache* cache,
                                                       Progress* progress = nullptr);

// Connected components of "shares an aligned audio run" among the given audio fingerprints (see the
// header comment), each sorted, ordered by their first index; singletons included.
std::vector<std::vector<std::size_t>> group_by_shared_audio(const std::vector<const AudioFingerprint*>& audio,
                                                            const IntroDetectOptions& options,
                                                            Progress* progress = nullptr);

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
// neither aligns nor re-decodes for boundary refinement. Episodes without audio join the only series
// when there is exactly one; when no two episodes share audio, all readable episodes are treated as
// one series (their pictures may still match). Throws Error(InvalidArgument) for < 2 episodes.
// Without need_fingerprints the whole outcome (series, reasons, detections) is cached as well, keyed
// by every episode's entry key: a re-run then reads only the sampled blocks of each file
// (SeriesDetection::episodes then holds no fingerprints).
SeriesDetection detect_intros_by_series(const std::vector<std::string>& episodes, const IntroDetectOptions& options,
                                        FingerprintCache* cache, Progress* progress = nullptr,
                                        bool need_fingerprints = true);

}  // namespace vidseg::intro

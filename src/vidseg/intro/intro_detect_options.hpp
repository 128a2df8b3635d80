// The options of intro detection, for every front end: `vidseg intro detect` / `intro learn` and a job
// submitted to `vidseg serve` ({"kind": "intro detect", "options": {"max-length": 60}}) are checked by
// the same table and turned into IntroDetectOptions by the same functions. detect_season() is the
// detection both run: audio fingerprints first, pictures only when the sound leaves an episode unsure.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/series_grouping.hpp"

namespace vidseg::intro {

// --dir, --max-start, --min-length, --max-length, --cache, --no-cache, --threads (detect and learn).
std::vector<OptionSpec> intro_season_options();
// The table of `vidseg intro detect` (the season options, then --library, --audio-only, --no-cues,
// --edl, --chapters, --predictions).
CommandSpec intro_detect_command_spec();

// EPISODE... then the media files of --dir (sorted).
std::vector<std::string> intro_episodes(const ParsedOptions& options);
// max-start, min/max length, threads (checks max-length >= min-length); with the detect table also
// --audio-only (no pictures) and --no-cues.
IntroDetectOptions intro_detect_options(const ParsedOptions& options);
// --cache DIR, the default cache, or "" with --no-cache.
std::string intro_cache_dir(const ParsedOptions& options);

struct SeasonRun {
    SeriesDetection season;
    bool audio_only = false;  // the sound alone decided (asked, or it sufficed)
    std::unique_ptr<FingerprintCache> cache, audio_cache;
    FingerprintCache* shown_cache = nullptr;  // the cache whose counters describe the run
    std::vector<std::string> warnings;        // of the audio-first cache when the pictures were needed
};

// Audio first: video decoding costs several times the audio, so the pictures are fingerprinted only
// when the sound alone leaves some episode unsure (audio_detection_suffices). The audio-first pass
// keeps its own cache (DIR/v1/audio-first) so the entries and counters of the fused detection stay
// what they were. config.visual.fps == 0 means audio only. cache_dir "" = no cache.
SeasonRun detect_season(const std::vector<std::string>& episodes, const IntroDetectOptions& config,
                        const std::string& cache_dir, Progress* progress);

}  // namespace vidseg::intro

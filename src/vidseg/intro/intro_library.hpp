// Intro library of a series (issue 4 §2): the audio fingerprints of each intro variant found in a
// season, so that a new episode is matched without the other episodes (`vidseg intro learn`,
// `vidseg intro detect EPISODE --library LIB`).
//
// File format (one UTF-8 JSON file, written atomically; documented in README.md):
//   {"format": "vidseg-intro-library", "version": 1,
//    "fingerprint": {"audio": "chromaprint", "algorithm": "default", "sample_rate": 11025,
//                    "item_period": 0.1238..., "item_span": 2.6..., "parameters": "<cache key text>"},
//    "detect": {"max_start": 900, "min_length": 1, "max_length": 120},
//    "variants": [{"id": 0, "length": 6.0,
//                  "intro": [s, e],          // the intro inside this variant's item timeline, seconds
//                  "audio_items": [u32, ...],// raw Chromaprint items, item k at k * item_period
//                  "audio_levels": [u8, ...],// loudness per item (AudioFingerprint::levels; [] = unknown)
//                  "episodes": [{"episode": "ep1.mp4", "intro": [3.0, 9.0]}, ...]}]}
// A variant keeps the items of its longest occurrence from one window before the intro (items
// whose window only partly covers it) to its end, so alignment maps boundaries exactly as between
// two episodes (episode_alignment.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/series_grouping.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

inline constexpr int kIntroLibraryVersion = 1;
inline constexpr const char* kIntroLibraryFormat = "vidseg-intro-library";

struct IntroOccurrence {
    std::string episode;  // file name of the episode it was learned from
    timeline::Interval intro;
};

struct IntroVariant {
    int id = 0;
    double length = 0;         // seconds of its longest occurrence
    AudioFingerprint audio;    // items around the intro (see the header comment)
    timeline::Interval intro;  // the intro in audio's timeline
    std::vector<IntroOccurrence> episodes;
};

struct IntroLibrary {
    std::vector<IntroVariant> variants;
    std::string fingerprint_parameters;  // fingerprint_parameters() of the learned episodes
    double max_start = 900, min_length = 1, max_length = 120;
};

// The items of fp around intro (one item window before it to its end) and the intro in their timeline.
IntroVariant cut_variant(const AudioFingerprint& fp, const timeline::Interval& intro);

// Variants from a season's detections: episodes whose intro audio aligns over at least half of the
// shorter intro share a variant (the longest occurrence is kept; shortened intros join it), others
// start a new one. Episodes without an intro or without audio contribute nothing.
IntroLibrary build_intro_library(const SeriesDetection& season, const IntroDetectOptions& options);

nlohmann::json intro_library_to_json(const IntroLibrary& library);
// Throws Error(InvalidData) naming what is wrong (not JSON, other format, unsupported version,
// missing or mistyped fields).
IntroLibrary intro_library_from_json(const nlohmann::json& doc, const std::string& subject = {});

void save_intro_library(const IntroLibrary& library, const std::filesystem::path& path);
// Throws Error: InputNotFound (missing), InvalidData (corrupt, wrong version).
IntroLibrary load_intro_library(const std::filesystem::path& path);

// Matches one episode against every variant: aligned runs are clipped to the variant's intro, the
// run with the most agreeing items wins; confidence = matched length / variant length (capped at 1).
// Below options.min_confidence or min_length: no intro. IntroDetection::variant = the variant id.
IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const AudioFingerprint& audio, const IntroDetectOptions& options);

}  // namespace vidseg::intro

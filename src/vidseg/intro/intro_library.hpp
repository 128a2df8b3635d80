// Intro library of a series (issue 4 §2): what `vidseg intro detect EPISODE --library LIB` needs to
// find the intro of a new episode without the other episodes, as precisely as season detection:
// per intro variant the audio (Chromaprint) and visual (perceptual hash) fingerprints around the
// intro, for matching by sound OR pictures, and a reference clip of the episode it was learned from
// (its 11025 Hz audio over the intro +-2.5 s and the hash of every frame within +-2 s of each
// boundary), so the boundary refinement of season detection (boundary_refiner.hpp: sample-level
// audio, frame-level pictures; then boundary_cues.hpp) runs against it as against a partner episode.
//
// File format (one UTF-8 JSON file, written atomically; documented in README.md):
//   {"format": "vidseg-intro-library", "version": 2,
//    "fingerprint": {"audio": "chromaprint", "algorithm": "default", "sample_rate": 11025,
//                    "item_period": 0.1238..., "item_span": 2.6..., "parameters": "<cache key text>"},
//    "detect": {"max_start": 900, "min_length": 1, "max_length": 120},
//    "variants": [{"id": 0, "length": 6.0,
//                  "intro": [s, e],          // the intro inside this variant's item timeline, seconds
//                  "audio_items": [u32, ...],// raw Chromaprint items, item k at k * item_period ([] = no audio)
//                  "audio_levels": [u8, ...],// loudness per item (AudioFingerprint::levels; [] = unknown)
//                  "visual": {"period": 0.25, "intro": [s, e], "hashes": ["16 hex digits", ...],
//                             "luma": [u8, ...]} | null,   // slot k at k * period
//                  "reference": {"origin": t, "intro": [s, e], "sample_rate": 11025,
//                                "samples_s16": "<base64 of mono s16le>",   // "" = no audio
//                                "frames": [[time, "16 hex digits", luma, spread], ...]},  // from origin
//                  "episodes": [{"episode": "ep1.mp4", "intro": [3.0, 9.0]}, ...]}]}
// Version 1 libraries (audio fingerprints only) are refused with the advice to run `intro learn` again.
// A variant keeps the items of one occurrence from one window before the intro (items whose window
// only partly covers it) to its end, so alignment maps boundaries exactly as between two episodes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/boundary_cues.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/series_grouping.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

inline constexpr int kIntroLibraryVersion = 2;  // 2: visual fingerprints + reference clip
inline constexpr const char* kIntroLibraryFormat = "vidseg-intro-library";

struct IntroOccurrence {
    std::string episode;  // file name of the episode it was learned from
    timeline::Interval intro;
};

// The source episode around the intro, for boundary refinement (times from `origin`, which is the
// source episode's time of the clip's start).
struct ReferenceClip {
    double origin = 0;
    timeline::Interval intro;    // the intro in the clip's timeline
    std::vector<float> samples;  // mono kFingerprintSampleRate audio from time 0 (empty: no audio)
    std::vector<CueFrame> frames;  // every frame within +-2 s of either boundary (empty: no video)
    bool empty() const noexcept { return samples.empty() && frames.empty(); }
};

struct IntroVariant {
    int id = 0;
    double length = 0;         // seconds of the occurrence it was cut from
    AudioFingerprint audio;    // items around the intro (see the header comment); empty: no audio
    timeline::Interval intro;  // the intro in audio's timeline
    VisualFingerprint visual;  // slots around the intro; empty: no video
    timeline::Interval visual_intro;  // the intro in visual's timeline
    ReferenceClip reference;
    std::vector<IntroOccurrence> episodes;
};

struct IntroLibrary {
    std::vector<IntroVariant> variants;
    std::string fingerprint_parameters;  // fingerprint_parameters() of the learned episodes
    double max_start = 900, min_length = 1, max_length = 120;
};

// The items of fp around intro (one item window before it to its end) and the intro in their timeline.
IntroVariant cut_variant(const AudioFingerprint& fp, const timeline::Interval& intro);
// The same for pictures: the slots from 2 s before the intro to 2 s after it (visual / visual_intro).
void cut_visual(IntroVariant& variant, const VisualFingerprint& fp, const timeline::Interval& intro);
// Reads the reference clip of `intro` from the episode file (audio and frames it has; a stream that
// cannot be read stays empty: matching still works, refinement then has less to go on).
ReferenceClip read_reference_clip(const std::string& path, const timeline::Interval& intro, bool audio, bool video);

// Variants from a season's detections: episodes with the same IntroDetection::variant (>= 0) share a
// variant; without variant ids, episodes whose intro audio aligns over at least half of the shorter
// intro do. A variant is cut from the occurrence whose intro most partners confirmed by sound (speech
// over an intro spoils its audio), the longest among those; then its reference clip is read from
// that episode's file (read_file = false: fingerprints only, for tests without files). Episodes
// without an intro contribute nothing.
IntroLibrary build_intro_library(const SeriesDetection& season, const IntroDetectOptions& options,
                                 bool read_files = true);

nlohmann::json intro_library_to_json(const IntroLibrary& library);
// Throws Error(InvalidData) naming what is wrong (not JSON, other format, unsupported version,
// missing or mistyped fields).
IntroLibrary intro_library_from_json(const nlohmann::json& doc, const std::string& subject = {});

void save_intro_library(const IntroLibrary& library, const std::filesystem::path& path);
// Throws Error: InputNotFound (missing), InvalidData (corrupt, wrong version).
IntroLibrary load_intro_library(const std::filesystem::path& path);

// Matches one episode against every variant by sound and by pictures: aligned runs clipped to the
// variant's intro; an audio run and a visual run at the same offset are fused (their union), a
// visual run alone counts too (speech dubbed over the intro). The best run (both modalities first,
// then the longest) wins; confidence = matched length / variant length (capped at 1). Below
// options.min_confidence or min_length: no intro. IntroDetection::variant = the variant id and
// matches = {variant index, offset of the episode from the reference clip, evidence bits}. Boundaries
// are at fingerprint resolution; refine_library_match sharpens them.
IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const EpisodeFingerprints& fingerprints, const IntroDetectOptions& options);
// Audio-only form.
IntroDetection match_intro_library(const IntroLibrary& library, const std::string& episode,
                                   const AudioFingerprint& audio, const IntroDetectOptions& options);

// Season detection's refinement against the matched variant's reference clip: sample-level audio
// (refine_with_samples), frame-level pictures where the sound cannot tell (refine_visual_boundary),
// then cue snapping (snap_boundary, when options.cues). Reads only the episode's own file around
// the boundaries; keeps the boundaries when it cannot be read.
void refine_library_match(const IntroLibrary& library, const std::string& path, const EpisodeFingerprints& fingerprints,
                          IntroDetection& detection, const IntroDetectOptions& options, const RefineOptions& refine = {});

}  // namespace vidseg::intro

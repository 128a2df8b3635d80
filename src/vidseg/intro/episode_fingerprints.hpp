// Everything intro detection needs to know about one episode, computed once per file: the audio
// (Chromaprint) and visual (perceptual hash) fingerprints of its first max_start + max_length
// seconds. This struct is what an on-disk fingerprint cache or an intro library stores; the
// detector (intro_detector.hpp) works on vectors of it. Changes to it are additive only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

// Bump when the content of EpisodeFingerprints computed with the same options changes (cache keys).
// 2: AudioFingerprint::levels; 3: resampler as Chromaprint's; 4: 8-tap resampler (audio_fingerprint.cpp).
inline constexpr int kEpisodeFingerprintsVersion = 4;

struct FingerprintOptions {
    double seconds = 1020;  // span fingerprinted from the start: max_start + max_length (900 + 120)
    bool audio = true;      // compute the audio fingerprint (when the file has audio)
    bool video = true;      // compute the visual fingerprint (when the file has video)
    VisualFingerprintOptions visual;
    // Where the pictures are decoded (seconds, sorted, disjoint); empty = all of [0, seconds). Slots
    // outside them are stored as flat (hash 0: never match). See picture_windows.hpp.
    std::vector<timeline::Interval> video_windows;
};

// Threads for fingerprinting work: n > 0 as given, 0 (or less) = one per core (at least 1).
int resolve_threads(int threads);

// How many episodes to fingerprint at once with `threads` threads (0 = one per core): one per thread,
// at most `episodes`. An episode whose video is decoded runs its audio on a helper thread as well,
// but the audio is a small share of it, so the cores stay busy without oversubscribing them much.
std::size_t episodes_at_once(int threads, std::size_t episodes);

struct EpisodeFingerprints {
    AudioFingerprint audio;    // empty items when !has_audio
    VisualFingerprint visual;  // empty hashes when !has_video
    bool has_audio = false;    // an audio stream was found and fingerprinted
    bool has_video = false;    // a video stream was found and fingerprinted
    double duration = 0;       // seconds of the whole file (container duration; 0 = unknown)
    // The raw 11025 Hz mono audio is not kept (memory); boundary refinement re-decodes what it needs.
};

// Decodes the episode's audio (11025 Hz mono) and video (low resolution, a few fps) in parallel and
// fingerprints both over [0, options.seconds). A missing stream only clears has_audio / has_video.
// known_audio: the audio fingerprint of the same file and span, already computed (the audio-first pass
// of a detection): taken as it is, and only the pictures are decoded.
// Throws Error: InputNotFound, InvalidMedia (unreadable, or neither audio nor video), Internal.
EpisodeFingerprints fingerprint_episode(const std::string& path, const FingerprintOptions& options = {},
                                        Progress* progress = nullptr, const AudioFingerprint* known_audio = nullptr);

}  // namespace vidseg::intro

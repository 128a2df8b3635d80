// Chromaprint raw fingerprints of an episode's first minutes (SPEC §2: the audio fingerprints the
// media-server intro plugins compare between the episodes of a season).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"

namespace vidseg::intro {

// The sample rate Chromaprint works at internally; audio is decoded straight to it (mono).
inline constexpr int kFingerprintSampleRate = 11025;

struct AudioFingerprint {
    std::vector<uint32_t> items;  // one 32-bit item per item_period seconds
    // Seconds between consecutive items: chromaprint_get_item_duration() / 11025 = 1365 / 11025
    // ≈ 0.12381 s (frame 4096 samples, overlap 4096 - 4096/3).
    double item_period = 1365.0 / kFingerprintSampleRate;
    // Seconds of audio one item depends on, starting at index * item_period: chromaprint_get_delay()
    // (its internal buffers: the 4096-sample frame, the 5-tap chroma filter and the 16-row widest
    // classifier) = 2.60 s for the default algorithm at 11025 Hz.
    double item_span = 0;
    double duration = 0;  // seconds of audio fingerprinted
    // Loudness of each item's window (item_span seconds from item_time): RMS in dBFS + 100, clamped
    // to 0..100 (0 = digital silence). Silence gives the same item value at any offset, so items
    // quieter than kQuietLevel take no part in alignment. Empty = unknown (all items count).
    std::vector<uint8_t> levels;

    bool quiet(std::size_t index) const noexcept { return index < levels.size() && levels[index] < kQuietLevel; }
    static constexpr uint8_t kQuietLevel = 50;  // -50 dBFS

    double item_time(std::size_t index) const noexcept { return double(index) * item_period; }
};

// Fingerprints [0, seconds) of the first audio stream (seconds <= 0: the whole stream) with
// CHROMAPRINT_ALGORITHM_DEFAULT. The audio is decoded once (media::read_audio, 11025 Hz mono).
// Throws Error: InputNotFound, InvalidMedia (not media / no audio stream), Internal (Chromaprint
// failure).
AudioFingerprint fingerprint_audio(const std::string& path, double seconds, Progress* progress = nullptr);

// Fingerprints samples already at 11025 Hz mono in [-1, 1] (tests, other front ends).
AudioFingerprint fingerprint_samples(const std::vector<float>& samples);

// Differing bits of two items.
// Without the POPCNT instruction enabled __builtin_popcount is a libgcc call (7 % of an audio-only
// detection in perf); the bit-parallel count inlines and vectorises.
inline int bit_errors(uint32_t a, uint32_t b) noexcept {
#if defined(__POPCNT__)
    return __builtin_popcount(a ^ b);
#else
    uint32_t x = a ^ b;
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return int((x * 0x01010101u) >> 24);
#endif
}

}  // namespace vidseg::intro

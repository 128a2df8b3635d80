// Simple loudness statistics of a mono PCM span: what `vidseg prepare` stores per segment so that
// reviewers (and later the pattern models) can tell speech from silence without listening.
#pragma once

#include <cstddef>

namespace vidseg::audio {

// Level below which a signal counts as digital silence; also the floor of every dB value here,
// so that all-zero input gives a finite number that JSON can carry.
inline constexpr double kSilenceFloorDb = -120.0;

struct LoudnessStats {
    double rms_db = kSilenceFloorDb;   // 20*log10(RMS) in dBFS (full-scale square wave = 0 dBFS)
    double peak_db = kSilenceFloorDb;  // 20*log10(max |x|) in dBFS
    double silence_ratio = 1.0;        // share of windows whose RMS is below the threshold, 0..1
};

// samples: mono floats in [-1, 1]; n may be 0 (→ floor values, silence_ratio 1).
// Windows are consecutive, non-overlapping, window_seconds long; a final partial window counts
// with its own RMS (a short tail is still audio the listener hears).
// Throws InvalidArgument when sample_rate <= 0, window_seconds <= 0, or samples is null with n > 0.
LoudnessStats loudness(const float* samples, size_t n, int sample_rate, double silence_threshold_db = -40.0,
                       double window_seconds = 0.05);

// 20*log10(amplitude) clamped below at kSilenceFloorDb.
double amplitude_to_db(double amplitude) noexcept;

}  // namespace vidseg::audio

#include "vidseg/audio/loudness.hpp"

#include <algorithm>
#include <cmath>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

double amplitude_to_db(double amplitude) noexcept {
    // 1e-6 = -120 dB; anything quieter (including exact zero) reports the floor.
    if (!(amplitude > 1e-6)) return kSilenceFloorDb;
    return 20.0 * std::log10(amplitude);
}

LoudnessStats loudness(const float* samples, size_t n, int sample_rate, double silence_threshold_db,
                       double window_seconds) {
    if (sample_rate <= 0)
        throw Error(ErrorCode::InvalidArgument, "sample rate must be > 0, got " + std::to_string(sample_rate));
    if (!(window_seconds > 0))
        throw Error(ErrorCode::InvalidArgument, "window length must be > 0 s, got " + std::to_string(window_seconds));
    if (n > 0 && samples == nullptr) throw Error(ErrorCode::InvalidArgument, "null sample buffer");

    LoudnessStats stats;
    if (n == 0) return stats;

    const size_t window = std::max<size_t>(1, static_cast<size_t>(std::llround(window_seconds * sample_rate)));
    // Compare mean squares instead of taking a log per window: same decision, no log of zero.
    const double threshold_ms = std::pow(10.0, silence_threshold_db / 10.0);

    double total_sq = 0;  // double accumulation: an hour of float samples would lose precision in float
    double peak = 0;
    size_t windows = 0, silent = 0;
    for (size_t begin = 0; begin < n; begin += window) {
        const size_t end = std::min(n, begin + window);
        double sq = 0;
        for (size_t i = begin; i < end; ++i) {
            const double x = samples[i];
            sq += x * x;
            peak = std::max(peak, std::fabs(x));
        }
        total_sq += sq;
        ++windows;
        if (sq / static_cast<double>(end - begin) < threshold_ms) ++silent;
    }
    stats.rms_db = amplitude_to_db(std::sqrt(total_sq / static_cast<double>(n)));
    stats.peak_db = amplitude_to_db(peak);
    stats.silence_ratio = static_cast<double>(silent) / static_cast<double>(windows);
    return stats;
}

}  // namespace vidseg::audio

#include "vidseg/audio/spectral_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numbers>

#include "vidseg/audio/lane_vectors.hpp"
#include "vidseg/core/error.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio::kernels {

FrameKernel::FrameKernel(const SpectralConfig& c)
    : n_fft(c.n_fft),
      hop(c.hop),
      bins(c.n_fft / 2 + 1),
      n_mels(c.n_mels),
      fft(c.n_fft),
      window(hann_window(c.n_fft)) {
    for (double f : fft_frequencies(c.sample_rate, c.n_fft)) freqs.push_back(static_cast<float>(f));
    mel = mel_filterbank(c.sample_rate, c.n_fft, c.n_mels);
    const Filterbank chroma = chroma_filterbank(c.sample_rate, c.n_fft, c.tuning, 12);
    make_chroma_runs(chroma);
    make_bands(c);
    for (float f : freqs) freqs_by_lane.insert(freqs_by_lane.end(), kLanes, f);
    for (std::size_t m = 0; m < n_mels; ++m) {
        mel_by_lane_at.push_back(mel_by_lane.size());
        for (std::size_t b = mel.first[m]; b < mel.last[m]; ++b)
            mel_by_lane.insert(mel_by_lane.end(), kLanes, mel.weights[m * bins + b]);
    }
}

// librosa.feature.spectral_contrast's band layout (see its source): octave bands
// [fmin 2^(k-1), fmin 2^k] plus the bin just below each (k > 0), minus the top bin (k < n),
// the last band running to Nyquist.
void FrameKernel::make_bands(const SpectralConfig& c) {
    const std::size_t n = c.contrast_bands;
    const auto freqs64 = fft_frequencies(c.sample_rate, c.n_fft);
    std::vector<double> octa(n + 2, 0.0);
    for (std::size_t i = 1; i < n + 2; ++i)
        octa[i] = c.contrast_fmin * std::pow(2.0, static_cast<double>(i - 1));
    for (std::size_t k = 0; k + 1 < n + 2; ++k)
        if (octa[k] >= 0.5 * c.sample_rate)
            throw Error(ErrorCode::InvalidArgument, "spectral contrast band exceeds Nyquist");
    for (std::size_t k = 0; k <= n; ++k) {
        std::size_t first = bins, last = 0;
        for (std::size_t b = 0; b < bins; ++b)
            if (freqs64[b] >= octa[k] && freqs64[b] <= octa[k + 1]) {
                first = std::min(first, b);
                last = b;
            }
        if (first == bins) throw Error(ErrorCode::InvalidArgument, "empty spectral contrast band");
        std::size_t begin = first, end = last + 1;
        if (k > 0) begin = first - 1;
        if (k == n) end = bins;
        const std::size_t count = end - begin;
        if (k < n) end -= 1;
        Band band{begin, end,
                  static_cast<std::size_t>(std::max(1.0, std::nearbyint(c.contrast_quantile * count)))};
        bands.push_back(band);
        max_take = std::max(max_take, band.take);
    }
}

void FrameKernel::make_chroma_runs(const Filterbank& chroma) {
    float top = 0;
    for (float w : chroma.weights) top = std::max(top, w);
    const float negligible = kChromaNegligible * top;
    for (std::size_t k = 0; k < bins; ++k) {
        // The shortest cyclic run of pitch classes holding every weight above `negligible`.
        std::size_t start = 0, width = 12;
        for (std::size_t s = 0; s < 12 && width > kChromaNarrow; ++s) {
            std::size_t span = 0;
            for (std::size_t p = 0; p < 12; ++p)
                if (chroma.weights[p * bins + k] > negligible) span = std::max(span, (p + 12 - s) % 12 + 1);
            if (span <= kChromaNarrow) start = s, width = kChromaNarrow;
        }
        if (chroma_runs.empty() || chroma_runs.back().start != start || chroma_runs.back().width != width)
            chroma_runs.push_back(ChromaRun{k, k, start, width, chroma_w.size()});
        chroma_runs.back().end = k + 1;
        for (std::size_t i = 0; i < width; ++i)
            chroma_w.push_back(chroma.weights[((start + i) % 12) * bins + k]);
    }
}

// The kernels, once per level (spectral_kernels_body.inl takes its vector types from `Vectors`).
namespace portable {
using Vectors = lanes::HalvesVectors;
#define VIDSEG_LEVEL_TARGET
#include "vidseg/audio/spectral_kernels_body.inl"
#undef VIDSEG_LEVEL_TARGET
}  // namespace portable

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIDSEG_HAVE_X86_LEVELS 1
namespace v2 {
using Vectors = lanes::HalvesVectors;
#define VIDSEG_LEVEL_TARGET __attribute__((target("arch=x86-64-v2")))
#include "vidseg/audio/spectral_kernels_body.inl"
#undef VIDSEG_LEVEL_TARGET
}  // namespace v2

namespace v3 {
using Vectors = lanes::Avx2Vectors;
#define VIDSEG_LEVEL_TARGET __attribute__((target("arch=x86-64-v3")))
#include "vidseg/audio/spectral_kernels_body.inl"
#undef VIDSEG_LEVEL_TARGET
}  // namespace v3

namespace v4 {
using Vectors = lanes::Avx512Vectors;
#define VIDSEG_LEVEL_TARGET __attribute__((target("arch=x86-64-v4")))
#include "vidseg/audio/spectral_kernels_body.inl"
#undef VIDSEG_LEVEL_TARGET
}  // namespace v4
#endif

namespace {
#define VIDSEG_KERNEL_SET(ns, level)                                                      \
    BlockKernels {                                                                        \
        level, &ns::block_spectra, &ns::block_moments, &ns::block_mel, &ns::block_chroma, \
            &ns::block_contrast, &ns::block_cepstrum, &ns::power_to_db                    \
    }
const BlockKernels kPortable = VIDSEG_KERNEL_SET(portable, SimdLevel::Portable);
#ifdef VIDSEG_HAVE_X86_LEVELS
const BlockKernels kV2 = VIDSEG_KERNEL_SET(v2, SimdLevel::V2);
const BlockKernels kV3 = VIDSEG_KERNEL_SET(v3, SimdLevel::V3);
const BlockKernels kV4 = VIDSEG_KERNEL_SET(v4, SimdLevel::V4);
#endif
#undef VIDSEG_KERNEL_SET
}  // namespace

const BlockKernels& block_kernels(SimdLevel level) {
    switch (level) {
        case SimdLevel::Portable:
            return kPortable;
#ifdef VIDSEG_HAVE_X86_LEVELS
        case SimdLevel::V2:
            return kV2;
        case SimdLevel::V3:
            return kV3;
        case SimdLevel::V4:
            return kV4;
#endif
        default:
            break;
    }
    throw Error(ErrorCode::InvalidArgument,
                "SIMD level " + std::string(simd_level_name(level)) + " is not built into this binary");
}

}  // namespace vidseg::audio::kernels

// Every SIMD level of the audio block kernels (audio/simd_level.hpp, audio/spectral_kernels.hpp) against
// the portable build and against plain references: each level is called explicitly, not through the
// CPU's choice, so a level that is wrong only on some machines still fails here. A level this CPU
// cannot run is skipped with a message naming it (x86-64-v4 needs AVX-512).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <ostream>
#include <random>
#include <string>

#include "support/test_support.hpp"
#include "vidseg/audio/simd_level.hpp"
#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/audio/spectral_kernels.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::audio {
// gtest prints a parameter with it ("v3" instead of the enum's bytes).
void PrintTo(SimdLevel level, std::ostream* os) {
    *os << simd_level_name(level);
}
}  // namespace vidseg::audio

using namespace vidseg;
using namespace vidseg::audio;
using namespace vidseg::audio::kernels;

namespace {

// Speech-like material for every kernel's branches: a tone with harmonics, noise, clicks, a silent
// stretch (zero spectra: librosa's unnormalised centroid, flatness of amin) and a length that leaves
// the last block of 8 frames partly empty.
std::vector<float> mixed_signal() {
    std::mt19937 rng(11);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<float> y(2 * 22050 + 3 * 512 + 77);
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double t = static_cast<double>(i) / 22050;
        double v =
            0.3 * std::sin(2 * std::numbers::pi * 220 * t) + 0.1 * std::sin(2 * std::numbers::pi * 1320 * t);
        v += 0.4 * std::exp(-60 * std::fmod(t, 0.25)) * std::sin(2 * std::numbers::pi * 3000 * t);
        y[i] = static_cast<float>(v) + noise(rng);
    }
    std::fill(y.begin() + 22050, y.begin() + 22050 + 6000, 0.0f);
    return y;
}

std::string skip_reason(SimdLevel level) {
    std::string why = "SIMD level " + std::string(simd_level_name(level)) + " cannot run on this CPU";
    if (level == SimdLevel::V4) why += " (x86-64-v4 needs AVX-512; its kernels are built but untested here)";
    return why;
}

// |got - want| <= rel * |want| + abs, element by element, naming the first mismatch.
void expect_close(const std::vector<float>& got, const std::vector<float>& want, double rel, double abs,
                  const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double tol = rel * std::abs(static_cast<double>(want[i])) + abs;
        if (std::abs(static_cast<double>(got[i]) - want[i]) > tol) {
            ADD_FAILURE() << what << "[" << i << "]: " << got[i] << " vs portable " << want[i];
            return;
        }
    }
}

class FeaturesSimdLevel : public ::testing::TestWithParam<SimdLevel> {
  protected:
    void SetUp() override {
        if (!cpu_supports(GetParam())) GTEST_SKIP() << skip_reason(GetParam());
    }
};

// The whole analysis (every kernel, partial last block, silence) at the level vs the portable build.
TEST_P(FeaturesSimdLevel, AllFeaturesMatchThePortableKernels) {
    const auto y = mixed_signal();
    SpectralConfig portable{.threads = 1};
    portable.simd_level = SimdLevel::Portable;
    SpectralConfig level = portable;
    level.simd_level = GetParam();
    const AudioFrames want = analyze_audio(y, portable), got = analyze_audio(y, level);
    ASSERT_EQ(got.frames, want.frames);
    ASSERT_EQ(want.frames, 90u);  // 11 blocks of 8 frames and a partial one
    // Levels differ only in rounding (FMA contraction, the order of per-bin sums with AVX-512).
    expect_close(got.rms, want.rms, 1e-5, 1e-9, "rms");
    EXPECT_EQ(got.zcr, want.zcr);
    expect_close(got.centroid, want.centroid, 1e-5, 1e-6, "centroid");
    expect_close(got.bandwidth, want.bandwidth, 1e-5, 1e-6, "bandwidth");
    expect_close(got.flatness, want.flatness, 1e-4, 1e-9, "flatness");
    expect_close(got.chroma, want.chroma, 1e-5, 1e-7, "chroma");
    expect_close(got.contrast, want.contrast, 1e-5, 1e-4, "contrast");
    expect_close(got.mfcc, want.mfcc, 1e-5, 1e-3, "mfcc");
    expect_close(got.onset, want.onset, 1e-4, 1e-4, "onset");
    // The silent stretch is really there (zero spectra took the kernels' special cases).
    EXPECT_EQ(want.rms[50], 0.0f);
    EXPECT_EQ(want.centroid[50], 0.0f);
}

// Contrast against a plain sort of each band, per lane, for q = 1 .. 21 (the fixed-q chains and the
// general insertion path), on magnitudes with many ties.
TEST_P(FeaturesSimdLevel, ContrastPicksTheSameExtremesAsASort) {
    const BlockKernels& kernels = block_kernels(GetParam());
    for (double quantile : {0.02, 0.05}) {
        SpectralConfig cfg;
        cfg.contrast_quantile = quantile;
        const FrameKernel k(cfg);
        BlockScratch s(k);
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> level(0, 300);
        // One shape per lane: noise on a falling spectrum, monotonic runs (the q best in adjacent bins,
        // so both bins of a pair are among them), all equal, equal pairs, alternating, coarse ties.
        for (std::size_t b = 0; b < k.bins; ++b) {
            const float x = static_cast<float>(b);
            const float lane_value[kLanes] = {
                static_cast<float>(level(rng)) / 16.0f + 40.0f / (1.0f + x / 50.0f),
                2000.0f - x,
                x,
                5.0f,
                static_cast<float>((b / 2) % 7),
                static_cast<float>((b * 37) % 101),
                b % 2 ? 100.0f : 1.0f,
                static_cast<float>(level(rng) / 60)};
            for (std::size_t j = 0; j < kLanes; ++j) s.mag[b * kLanes + j] = lane_value[j];
        }
        const std::size_t nb = k.bands.size();
        std::vector<float> peak(kLanes * nb), valley(kLanes * nb);
        BlockOut o{};
        o.peak = peak.data();
        o.valley = valley.data();
        o.valid = kLanes;
        kernels.contrast(k, o, s);
        std::size_t largest_q = 0;
        for (std::size_t bi = 0; bi < nb; ++bi) {
            const Band& band = k.bands[bi];
            const std::size_t q = std::min(band.take, band.end - band.begin);
            largest_q = std::max(largest_q, q);
            for (std::size_t j = 0; j < kLanes; ++j) {
                std::vector<float> v;
                for (std::size_t b = band.begin; b < band.end; ++b) v.push_back(s.mag[b * kLanes + j]);
                std::sort(v.begin(), v.end());
                double low = 0, high = 0;
                for (std::size_t i = 0; i < q; ++i) low += v[i], high += v[v.size() - 1 - i];
                EXPECT_NEAR(valley[j * nb + bi], low / q, 1e-5 * low / q + 1e-6)
                    << "band " << bi << " lane " << j << " q " << q;
                EXPECT_NEAR(peak[j * nb + bi], high / q, 1e-5 * high / q + 1e-6)
                    << "band " << bi << " lane " << j << " q " << q;
            }
        }
        EXPECT_GT(largest_q, quantile > 0.03 ? 10u : 8u);  // the general path ran for 0.05
    }
}

TEST_P(FeaturesSimdLevel, PowerToDbMatchesLog10) {
    const BlockKernels& kernels = block_kernels(GetParam());
    std::vector<float> v;
    for (int i = 0; i < 37; ++i)
        v.push_back(std::pow(10.0f, static_cast<float>(i % 23) - 12.0f) * (1.0f + 0.1f * i));
    v[5] = 0.0f;  // floored at amin = 1e-10: -100 dB
    std::vector<float> want(v.size());
    float top = -1e30f;
    for (std::size_t i = 0; i < v.size(); ++i) {
        want[i] = 10.0f * std::log10(std::max(1e-10f, v[i]));
        top = std::max(top, want[i]);
    }
    const float got_top = kernels.power_to_db(v.data(), v.size());
    EXPECT_NEAR(got_top, top, 1e-4);
    expect_close(v, want, 1e-6, 1e-4, "dB");
    EXPECT_NEAR(v[5], -100.0f, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Levels, FeaturesSimdLevel,
                         ::testing::Values(SimdLevel::Portable, SimdLevel::V2, SimdLevel::V3, SimdLevel::V4),
                         [](const auto& info) { return std::string(simd_level_name(info.param)); });

TEST(FeaturesSimdLevels, NamesAndSelection) {
    EXPECT_EQ(parse_simd_level("v3"), SimdLevel::V3);
    EXPECT_EQ(parse_simd_level("x86-64-v4"), SimdLevel::V4);
    EXPECT_EQ(parse_simd_level("portable"), SimdLevel::Portable);
    EXPECT_EQ(parse_simd_level("avx2"), std::nullopt);
    EXPECT_TRUE(cpu_supports(SimdLevel::Portable));
    EXPECT_TRUE(cpu_supports(best_simd_level()));
    const char* before = std::getenv("VIDSEG_SIMD_LEVEL");
    const std::string saved = before ? before : "";
    ::unsetenv("VIDSEG_SIMD_LEVEL");
    EXPECT_EQ(selected_simd_level(), best_simd_level());
    ::setenv("VIDSEG_SIMD_LEVEL", "portable", 1);
    EXPECT_EQ(selected_simd_level(), SimdLevel::Portable);
    ::setenv("VIDSEG_SIMD_LEVEL", "sse9", 1);
    EXPECT_EQ(test::thrown_code([] { selected_simd_level(); }), ErrorCode::InvalidArgument);
    if (!cpu_supports(SimdLevel::V4)) {
        ::setenv("VIDSEG_SIMD_LEVEL", "v4", 1);
        EXPECT_EQ(test::thrown_code([] { selected_simd_level(); }), ErrorCode::InvalidArgument);
        SpectralConfig cfg;
        cfg.simd_level = SimdLevel::V4;
        EXPECT_EQ(test::thrown_code([&] { SpectralAnalyzer a(cfg); }), ErrorCode::InvalidArgument);
    }
    if (before)
        ::setenv("VIDSEG_SIMD_LEVEL", saved.c_str(), 1);
    else
        ::unsetenv("VIDSEG_SIMD_LEVEL");
}

}  // namespace

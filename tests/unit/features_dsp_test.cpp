// The audio DSP under `vidseg features` (FFT, filterbanks, frame features, tempo) against
// closed-form values. Agreement with librosa itself is tests/python/test_features_librosa.py.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <thread>

#include "support/test_support.hpp"
#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/lane_vectors.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/audio/tempo.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using namespace vidseg::audio;
namespace lanes = vidseg::audio::lanes;

// lanes::Float8 by value outside AVX code: inlined, never crosses a call (see lane_vectors.hpp).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace {

std::vector<float> sine(double freq, double amp, std::size_t n, double sr = 22050) {
    std::vector<float> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = static_cast<float>(amp * std::sin(2 * std::numbers::pi * freq * i / sr));
    return y;
}

// X[k] = sum_t x[t] e^{-2 pi i k t / n}, k = 0 .. n/2, in double.
std::vector<std::complex<double>> direct_dft(const std::vector<float>& x) {
    const std::size_t n = x.size();
    std::vector<std::complex<double>> out(n / 2 + 1);
    for (std::size_t k = 0; k < out.size(); ++k)
        for (std::size_t t = 0; t < n; ++t) out[k] += static_cast<double>(x[t]) * std::polar(1.0, -2 * std::numbers::pi * k * t / n);
    return out;
}

void expect_forward_matches_direct_dft(const std::vector<float>& x) {
    RealFft fft(x.size());
    RealFft::Workspace ws(fft);
    std::vector<float> re(fft.bins()), im(fft.bins());
    fft.forward(x.data(), re.data(), im.data(), ws);
    const auto want = direct_dft(x);
    for (std::size_t k = 0; k < fft.bins(); ++k) {
        EXPECT_NEAR(re[k], want[k].real(), 1e-4) << k;
        EXPECT_NEAR(im[k], want[k].imag(), 1e-4) << k;
    }
}

}  // namespace

TEST(FeaturesRealFft, MatchesDirectDft) {
    const std::size_t n = 64;
    std::mt19937 rng(7);
    std::normal_distribution<float> dist;
    std::vector<float> x(n);
    for (auto& v : x) v = dist(rng);
    expect_forward_matches_direct_dft(x);
}

TEST(FeaturesRealFft, CosineAtBinGivesHalfLengthPeak) {
    const std::size_t n = 2048, bin = 100;
    std::vector<float> x(n);
    for (std::size_t t = 0; t < n; ++t) x[t] = static_cast<float>(std::cos(2 * std::numbers::pi * bin * t / n));
    RealFft fft(n);
    RealFft::Workspace ws(fft);
    std::vector<float> re(fft.bins()), im(fft.bins());
    fft.forward(x.data(), re.data(), im.data(), ws);
    EXPECT_NEAR(re[bin], n / 2.0, 1e-2);
    EXPECT_NEAR(std::hypot(re[bin + 1], im[bin + 1]), 0.0, 1e-2);
    EXPECT_NEAR(re[0], 0.0, 1e-2);
}

TEST(FeaturesRealFft, InverseOfForwardIsNTimesTheSignal) {
    const std::size_t n = 1024;
    std::mt19937 rng(11);
    std::normal_distribution<float> dist;
    RealFft fft(n);
    RealFft::Workspace ws(fft);
    std::vector<float> x(n);
    for (std::size_t t = 0; t < n; ++t) ws.real()[t] = x[t] = dist(rng);
    fft.forward(ws);
    fft.inverse(ws);
    for (std::size_t t = 0; t < n; ++t) EXPECT_NEAR(ws.real()[t], n * x[t], 1e-3 * n) << t;
}

TEST(FeaturesRealFft, SharedByThreadsWithOwnWorkspaces) {
    RealFft fft(2048);
    std::vector<float> x(2048);
    for (std::size_t t = 0; t < x.size(); ++t) x[t] = static_cast<float>(std::sin(0.05 * t));
    std::vector<float> ref_re(fft.bins()), ref_im(fft.bins());
    {
        RealFft::Workspace ws(fft);
        fft.forward(x.data(), ref_re.data(), ref_im.data(), ws);
    }
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&, i] {
            RealFft own(1024);  // planning concurrently with the other threads' transforms
            RealFft::Workspace ws(fft);
            std::vector<float> re(fft.bins()), im(fft.bins());
            for (int rep = 0; rep < 50; ++rep) {
                fft.forward(x.data(), re.data(), im.data(), ws);
                mismatches[static_cast<std::size_t>(i)] += re != ref_re || im != ref_im;
            }
        });
    for (auto& t : threads) t.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(FeaturesSimd, VectorLogMatchesStdLog) {
    // The eight-lane logarithm behind flatness and the dB conversions, over librosa's whole range
    // (amin 1e-10 up to large powers), every lane different.
    // Both vector shapes: one 8-lane vector (AVX2 / AVX-512 levels) and two 4-lane halves (SSE, NEON).
    double worst = 0, worst_pair = 0;
    for (double base = 1e-10; base < 1e8; base *= 1.37) {
        float v[8];
        for (int i = 0; i < 8; ++i) v[i] = static_cast<float>(base * (1.0 + 0.113 * i));
        const auto y = lanes::log(lanes::load<lanes::Float8>(v));
        const auto y_pair = lanes::log(lanes::load<lanes::Pair<lanes::Float4>>(v));
        for (int i = 0; i < 8; ++i) {
            const double ref = std::log(static_cast<double>(v[i]));
            worst = std::max(worst, std::abs(y[i] - ref) / std::max(1.0, std::abs(ref)));
            worst_pair = std::max(worst_pair, std::abs(y_pair[i] - ref) / std::max(1.0, std::abs(ref)));
        }
    }
    EXPECT_LT(worst, 4e-7);
    EXPECT_LT(worst_pair, 4e-7);
}

TEST(FeaturesRealFft, ThreeTimesPowerOfTwoMatchesDirectDft) {
    const std::size_t n = 96;  // the tempogram's 768-point shape, smaller
    std::vector<float> x(n);
    for (std::size_t t = 0; t < n; ++t) x[t] = static_cast<float>(std::cos(0.3 * t) + 0.01 * t);
    expect_forward_matches_direct_dft(x);
}

// power() splits a half-size complex transform itself (sizes that are multiples of 16) or squares
// the real transform (other sizes): both must equal |DFT|^2 at every bin, including 0 and n/2.
TEST(FeaturesRealFft, PowerSpectrumMatchesDirectDft) {
    std::mt19937 rng(11);
    std::normal_distribution<float> dist;
    for (const std::size_t n : {std::size_t{2048}, std::size_t{768}, std::size_t{48}, std::size_t{20}}) {
        std::vector<float> x(n);
        for (std::size_t t = 0; t < n; ++t) x[t] = dist(rng) + 0.5f;  // a DC part: bin 0 matters
        RealFft fft(n);
        RealFft::Workspace ws(fft);
        std::copy(x.begin(), x.end(), ws.real());
        std::vector<float> power(fft.bins(), -1.0f);
        fft.power(ws, power.data());
        const auto dft = direct_dft(x);
        double top = 0;
        for (const auto& v : dft) top = std::max(top, std::norm(v));
        for (std::size_t k = 0; k < fft.bins(); ++k)
            EXPECT_NEAR(power[k], std::norm(dft[k]), 1e-5 * top) << "n " << n << " bin " << k;
        for (std::size_t t = 0; t < n; ++t) ASSERT_EQ(ws.real()[t], x[t]) << "power() must keep its input";
    }
}

TEST(FeaturesRealFft, RejectsOddOrTinySizes) {
    EXPECT_EQ(test::thrown_code([] { RealFft f(1001); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { RealFft f(2); }), ErrorCode::InvalidArgument);
}

TEST(FeaturesFilterbanks, SlaneyMelScale) {
    EXPECT_DOUBLE_EQ(hz_to_mel(0), 0.0);
    EXPECT_NEAR(hz_to_mel(500), 7.5, 1e-12);    // linear part: 3 mel per 200 Hz
    EXPECT_NEAR(hz_to_mel(1000), 15.0, 1e-12);  // the break point
    EXPECT_NEAR(hz_to_mel(6400), 15.0 + 27.0, 1e-9);  // 27 mel per factor 6.4 above 1 kHz
    for (double hz : {30.0, 999.0, 1000.0, 4321.0, 11025.0}) EXPECT_NEAR(mel_to_hz(hz_to_mel(hz)), hz, 1e-9);
}

TEST(FeaturesFilterbanks, SlaneyNormalisedMelFiltersHaveUnitArea) {
    const auto fb = mel_filterbank(22050, 2048, 40);
    const double bin_hz = 22050.0 / 2048;
    for (std::size_t m = 0; m < fb.filters; ++m) {
        double area = 0;
        for (std::size_t k = 0; k < fb.bins; ++k) area += fb.weights[m * fb.bins + k] * bin_hz;
        if (fb.last[m] - fb.first[m] > 20) EXPECT_NEAR(area, 1.0, 0.05) << m;  // wide triangles: area 1
        EXPECT_GT(fb.last[m], fb.first[m]);
    }
}

TEST(FeaturesFilterbanks, OrthonormalDct) {
    const std::size_t n = 16;
    const auto d = dct_ortho_matrix(n, n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            double dot = 0;
            for (std::size_t k = 0; k < n; ++k) dot += d[i * n + k] * d[j * n + k];
            EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
        }
}

TEST(FeaturesFilterbanks, PeriodicHann) {
    const auto w = hann_window(8);
    EXPECT_FLOAT_EQ(w[0], 0.0f);
    EXPECT_FLOAT_EQ(w[4], 1.0f);
    EXPECT_FLOAT_EQ(w[2], 0.5f);
}

TEST(FeaturesSpectral, SineFramesHaveClosedFormValues) {
    const double sr = 22050, f = 440, amp = 0.5;
    const auto y = sine(f, amp, 22050, sr);
    const auto frames = analyze_audio(y);
    ASSERT_EQ(frames.frames, 1 + y.size() / 512);
    const std::size_t mid = frames.frames / 2;
    EXPECT_NEAR(frames.rms[mid], amp / std::sqrt(2.0), 1e-3);
    EXPECT_NEAR(frames.zcr[mid], 2 * f / sr, 2.0 / 2048);  // two crossings per period
    EXPECT_NEAR(frames.centroid[mid], f, 22050.0 / 2048);  // one bin
    EXPECT_LT(frames.flatness[mid], 1e-3);                 // a pure tone is as un-flat as it gets
    // A440 is chroma bin 9 (C = 0), the maximum after normalisation.
    EXPECT_FLOAT_EQ(frames.chroma[mid * 12 + 9], 1.0f);
    for (std::size_t c = 0; c < 12; ++c)
        if (c != 9) EXPECT_LT(frames.chroma[mid * 12 + c], 0.9f) << c;
    // A steady tone has no positive flux in the middle.
    EXPECT_NEAR(frames.onset[mid], 0.0, 0.5);
}

TEST(FeaturesSpectral, WhiteNoiseIsFlat) {
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 0.1f);
    std::vector<float> y(22050);
    for (auto& v : y) v = dist(rng);
    const auto frames = analyze_audio(y);
    const std::size_t mid = frames.frames / 2;
    EXPECT_GT(frames.flatness[mid], 0.3);
    EXPECT_NEAR(frames.zcr[mid], 0.5, 0.05);
}

TEST(FeaturesSpectral, StreamingInChunksEqualsOneShot) {
    std::mt19937 rng(5);
    std::normal_distribution<float> dist(0.0f, 0.2f);
    std::vector<float> y(3 * 22050 + 77);
    for (auto& v : y) v = dist(rng);
    const auto whole = analyze_audio(y, SpectralConfig{.threads = 1});
    SpectralConfig two;
    two.threads = 2;
    SpectralAnalyzer analyzer(two);
    for (std::size_t i = 0; i < y.size(); i += 999) analyzer.push(y.data() + i, std::min<std::size_t>(999, y.size() - i));
    const auto chunked = analyzer.finish();
    ASSERT_EQ(chunked.frames, whole.frames);
    EXPECT_EQ(chunked.mfcc, whole.mfcc);
    EXPECT_EQ(chunked.zcr, whole.zcr);
    EXPECT_EQ(chunked.contrast, whole.contrast);
}

TEST(FeaturesSpectral, SilenceAndEmptyInput) {
    const auto empty = analyze_audio({});
    EXPECT_EQ(empty.frames, 0u);
    const auto silent = analyze_audio(std::vector<float>(4096, 0.0f));
    ASSERT_EQ(silent.frames, 9u);
    EXPECT_EQ(silent.rms[4], 0.0f);
    EXPECT_EQ(silent.centroid[4], 0.0f);  // librosa leaves an all-zero spectrum unnormalised
    EXPECT_EQ(silent.zcr[4], 0.0f);
}

TEST(FeaturesSpectral, RejectsBadConfig) {
    EXPECT_EQ(test::thrown_code([] { SpectralAnalyzer a(SpectralConfig{.n_mfcc = 0}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { SpectralAnalyzer a(SpectralConfig{.n_fft = 1000}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { SpectralAnalyzer a(SpectralConfig{.hop = 0}); }), ErrorCode::InvalidArgument);
}

TEST(FeaturesTempo, ClickTrainAt120Bpm) {
    // Onset envelope with an impulse every 0.5 s (21.53 frames at 22050 / 512).
    const double fps = 22050.0 / 512;
    std::vector<float> onset(static_cast<std::size_t>(20 * fps), 0.0f);
    for (double t = 0.25; t < 20; t += 0.5) onset[static_cast<std::size_t>(std::lround(t * fps))] = 1.0f;
    TempoEstimator tempo(onset);
    EXPECT_EQ(tempo.win_length(), 344u);
    const double bpm = tempo.tempo_bpm(0, onset.size());
    EXPECT_NEAR(bpm, 120.0, 6.0);  // nearest lag bins: 117.5 / 123.0 bpm
    const auto column = tempo.column(onset.size() / 2);
    EXPECT_NEAR(column[0], 1.0, 1e-9);  // normalised by the zero-lag peak
}

TEST(FeaturesTempo, MeanColumnsEqualsTheMeanOfTheColumns) {
    // mean_columns takes one inverse FFT of the energy-weighted power spectra (each column is
    // normalised by its lag-0 value); it must equal averaging the columns one by one.
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> onset(2000);
    for (std::size_t i = 0; i < onset.size(); ++i) onset[i] = dist(rng) * (i % 23 == 0 ? 10.0f : 1.0f);
    TempoEstimator tempo(onset);
    for (auto [a, b] : {std::pair<std::size_t, std::size_t>{0, 43}, {900, 1330}, {1990, 2000}}) {
        const auto mean = tempo.mean_columns(a, b);
        std::vector<double> ref(tempo.win_length(), 0.0);
        for (std::size_t t = a; t < b; ++t) {
            const auto c = tempo.column(t);
            for (std::size_t k = 0; k < ref.size(); ++k) ref[k] += c[k] / static_cast<double>(b - a);
        }
        EXPECT_NEAR(ref[0], 1.0, 1e-6);
        for (std::size_t k = 0; k < ref.size(); ++k) ASSERT_NEAR(mean[k], ref[k], 2e-5) << a << " lag " << k;
    }
}

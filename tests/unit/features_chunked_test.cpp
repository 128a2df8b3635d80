// Audio features in bounded memory (issue 14 §4, 3-hour lessons): the analyzer hands its frames out in
// chunks (SpectralConfig::chunk_frames, the rest waiting in a temporary file) and the timeline pools rows
// from those pieces (AudioRowPooler). Every value must equal the whole-signal computation, bit for bit,
// whatever the chunk size: the floors of MFCC, onset and contrast are maxima over the WHOLE signal, so
// the loudest sound is put last, after every chunk but the last was set aside.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>

#include "support/test_support.hpp"
#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/features/audio_row_pooler.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"

using namespace vidseg;
using namespace vidseg::audio;

namespace {

// 4 s of quiet noise, then 1 s of a loud chord: the global maxima come from the last frames.
std::vector<float> quiet_then_loud() {
    std::mt19937 rng(11);
    std::normal_distribution<float> noise(0.0f, 0.002f);
    std::vector<float> y(5 * 22050 + 123);
    for (std::size_t i = 0; i < y.size(); ++i) {
        y[i] = noise(rng);
        if (i >= 4 * 22050)
            for (double f : {220.0, 277.2, 329.6})
                y[i] += static_cast<float>(0.3 * std::sin(2 * std::numbers::pi * f * static_cast<double>(i) / 22050));
    }
    return y;
}

// Bitwise equality (NaN equals NaN).
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void expect_same_frames(const AudioFrames& a, const AudioFrames& b) {
    ASSERT_EQ(a.frames, b.frames);
    EXPECT_EQ(a.n_mfcc, b.n_mfcc);
    EXPECT_EQ(a.n_contrast, b.n_contrast);
    EXPECT_TRUE(same_bits(a.mfcc, b.mfcc));
    EXPECT_TRUE(same_bits(a.contrast, b.contrast));
    EXPECT_TRUE(same_bits(a.chroma, b.chroma));
    EXPECT_TRUE(same_bits(a.onset, b.onset));
    for (auto [x, y] : {std::pair{&a.rms, &b.rms}, {&a.centroid, &b.centroid}, {&a.bandwidth, &b.bandwidth},
                        {&a.flatness, &b.flatness}, {&a.zcr, &b.zcr}})
        EXPECT_TRUE(same_bits(*x, *y));
}

AudioFrames analyze_in_chunks(const std::vector<float>& y, std::size_t chunk_frames, int threads,
                              std::vector<std::pair<std::size_t, std::size_t>>* pieces = nullptr) {
    SpectralConfig config;
    config.chunk_frames = chunk_frames;
    config.threads = threads;
    SpectralAnalyzer analyzer(config);
    for (std::size_t i = 0; i < y.size(); i += 4001) analyzer.push(y.data() + i, std::min<std::size_t>(4001, y.size() - i));
    AudioFrames all;
    analyzer.finish([&](const AudioFrames& p, std::size_t first) {
        if (pieces) pieces->emplace_back(first, p.frames);
        EXPECT_EQ(first, all.frames);
        all.n_mfcc = p.n_mfcc;
        all.n_contrast = p.n_contrast;
        all.frame_period = p.frame_period;
        append_frames(all, p);
    });
    return all;
}

}  // namespace

TEST(FeaturesChunked, AnalyzerPiecesEqualTheWholeSignalAtEveryChunkSize) {
    const auto y = quiet_then_loud();
    const auto whole = analyze_audio(y, SpectralConfig{.threads = 1, .chunk_frames = 1 << 20});
    ASSERT_EQ(whole.frames, 1 + y.size() / 512);
    for (std::size_t chunk : {8, 24, 100, 1000}) {  // 100 rounds up to 104
        for (int threads : {1, 2}) {
            SCOPED_TRACE("chunk " + std::to_string(chunk) + ", threads " + std::to_string(threads));
            std::vector<std::pair<std::size_t, std::size_t>> pieces;
            expect_same_frames(analyze_in_chunks(y, chunk, threads, &pieces), whole);
            const std::size_t rounded = (chunk + 7) / 8 * 8;
            ASSERT_EQ(pieces.size(), (whole.frames + rounded - 1) / rounded);
            for (std::size_t i = 0; i + 1 < pieces.size(); ++i) EXPECT_EQ(pieces[i].second, rounded);
        }
    }
    // The floors are global: the quiet frames' MFCC 0 sits at the loud end's maximum - 80 dB, which a
    // chunk of the quiet part alone would not know.
    EXPECT_LT(whole.mfcc[20 * whole.n_mfcc], whole.mfcc[(whole.frames - 20) * whole.n_mfcc]);
}

TEST(FeaturesChunked, SignalShorterThanOneChunkAndEmptySignal) {
    const std::vector<float> y(3000, 0.1f);
    expect_same_frames(analyze_in_chunks(y, 16384, 2), analyze_audio(y));
    std::vector<std::pair<std::size_t, std::size_t>> pieces;
    EXPECT_EQ(analyze_in_chunks({}, 8, 1, &pieces).frames, 0u);
    EXPECT_TRUE(pieces.empty());
}

TEST(FeaturesChunked, RowsPooledFromPiecesEqualRowsPooledAtOnce) {
    const auto frames = analyze_audio(quiet_then_loud());
    // Overlapping rows (window 1.5 s, step 0.5 s), and rows past the end of the audio (NaN).
    features::FeatureMatrix grid;
    grid.spec.step = 0.5;
    grid.spec.window = 1.5;
    for (int r = 0; r < 13; ++r) grid.times.push_back(0.5 * r);
    auto whole = grid;
    features::append_audio_columns(frames, 22050, 512, whole, 2);
    ASSERT_EQ(whole.cols(), 20u + 20u + 7u + 6u + 12u + 3u);
    EXPECT_TRUE(std::isnan(whole.at(12, 0)));  // 6 s: past the 5 s of audio
    for (std::size_t piece : {1, 7, 43, 100, 1000}) {
        SCOPED_TRACE("piece " + std::to_string(piece));
        auto m = grid;
        features::AudioRowPooler pooler(m, 22050, 512, frames.n_mfcc, frames.n_contrast, 2);
        for (std::size_t first = 0; first < frames.frames; first += piece) {
            const std::size_t n = std::min(piece, frames.frames - first);
            AudioFrames p;
            p.frames = n;
            p.n_mfcc = frames.n_mfcc;
            p.n_contrast = frames.n_contrast;
            const auto cut = [&](const std::vector<float>& v, std::size_t dims) {
                return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(first * dims),
                                          v.begin() + static_cast<std::ptrdiff_t>((first + n) * dims));
            };
            p.mfcc = cut(frames.mfcc, frames.n_mfcc);
            p.contrast = cut(frames.contrast, frames.n_contrast);
            p.chroma = cut(frames.chroma, 12);
            p.rms = cut(frames.rms, 1);
            p.centroid = cut(frames.centroid, 1);
            p.bandwidth = cut(frames.bandwidth, 1);
            p.flatness = cut(frames.flatness, 1);
            p.zcr = cut(frames.zcr, 1);
            p.onset = cut(frames.onset, 1);
            pooler.add(p, first);
        }
        pooler.finish(m);
        EXPECT_EQ(m.spec.columns, whole.spec.columns);
        EXPECT_TRUE(same_bits(m.values, whole.values));
    }
}

// A real file through `vidseg features`' code path: the same matrix at every chunk size.
TEST(FeaturesChunked, FileFeaturesEqualAtEveryChunkSize) {
    features::TimelineOptions options;
    options.visual = false;
    options.step = 0.5;
    options.window = 2.0;
    options.spectral.chunk_frames = 1 << 20;  // the whole 30 s in one chunk
    const std::string lesson = test::media("lesson.mp4").string();
    const auto whole = features::compute_timeline_features(lesson, options).matrix;
    const auto whole_frames = features::compute_audio_frames(lesson, options.spectral);
    ASSERT_GT(whole.rows(), 50u);
    ASSERT_GT(whole_frames.rows(), 1000u);
    for (std::size_t chunk : {64, 500, 4096}) {
        SCOPED_TRACE("chunk " + std::to_string(chunk));
        options.spectral.chunk_frames = chunk;
        const auto m = features::compute_timeline_features(lesson, options).matrix;
        EXPECT_EQ(m.spec.columns, whole.spec.columns);
        EXPECT_EQ(m.times, whole.times);
        EXPECT_TRUE(same_bits(m.values, whole.values));
        const auto frames = features::compute_audio_frames(lesson, options.spectral);
        EXPECT_EQ(frames.times, whole_frames.times);
        EXPECT_TRUE(same_bits(frames.values, whole_frames.values));
    }
}

// Audio loudness, frame statistics and the scene cut detector, against closed-form values.
#include <gtest/gtest.h>

#include "support/test_support.hpp"

#include <cmath>
#include <random>

#include "vidseg/audio/loudness.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/vision/frame_stats.hpp"
#include "vidseg/vision/scene_cut_detector.hpp"

using namespace vidseg;
using vidseg::media::Image;
using vidseg::media::PixelLayout;

namespace {

Image gray(int w, int h, uint8_t value) {
    Image img;
    img.width = w;
    img.height = h;
    img.layout = PixelLayout::Gray8;
    img.pixels.assign(static_cast<size_t>(w) * h, value);
    return img;
}

Image rgb(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
    Image img;
    img.width = w;
    img.height = h;
    img.layout = PixelLayout::Rgb24;
    for (int i = 0; i < w * h; ++i) img.pixels.insert(img.pixels.end(), {r, g, b});
    return img;
}

Image checkerboard(int w, int h, int cell, uint8_t a, uint8_t b) {
    Image img = gray(w, h, 0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) img.pixels[static_cast<size_t>(y) * w + x] = ((x / cell + y / cell) % 2) ? b : a;
    return img;
}

// 3x3 box blur with edge clamping.
Image box_blur(const Image& in) {
    Image out = in;
    for (int y = 0; y < in.height; ++y)
        for (int x = 0; x < in.width; ++x) {
            int sum = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int yy = std::clamp(y + dy, 0, in.height - 1), xx = std::clamp(x + dx, 0, in.width - 1);
                    sum += in.pixels[static_cast<size_t>(yy) * in.width + xx];
                }
            out.pixels[static_cast<size_t>(y) * in.width + x] = static_cast<uint8_t>((sum + 4) / 9);
        }
    return out;
}

ErrorCode code_of(const std::function<void()>& f) { return test::thrown_code(f); }

}  // namespace

// ---- loudness -------------------------------------------------------------------------------

TEST(Loudness, FullScaleSine) {
    const int sr = 16000;
    std::vector<float> s(sr);  // 1 s of 1 kHz: a whole number of periods
    for (int i = 0; i < sr; ++i) s[i] = static_cast<float>(std::sin(2 * M_PI * 1000.0 * i / sr));
    const auto st = audio::loudness(s.data(), s.size(), sr);
    EXPECT_NEAR(st.rms_db, -3.0103, 1e-3);  // 20*log10(1/sqrt 2)
    EXPECT_NEAR(st.peak_db, 0.0, 1e-6);
    EXPECT_DOUBLE_EQ(st.silence_ratio, 0.0);
}

TEST(Loudness, HalfScaleSquareAndSilence) {
    std::vector<float> s(8000, 0.5f);
    for (size_t i = 0; i < s.size(); i += 2) s[i] = -0.5f;
    const auto st = audio::loudness(s.data(), s.size(), 8000);
    EXPECT_NEAR(st.rms_db, -6.0206, 1e-3);
    EXPECT_NEAR(st.peak_db, -6.0206, 1e-3);

    std::vector<float> zeros(4000, 0.0f);
    const auto z = audio::loudness(zeros.data(), zeros.size(), 8000);
    EXPECT_DOUBLE_EQ(z.rms_db, -120.0);
    EXPECT_DOUBLE_EQ(z.peak_db, -120.0);
    EXPECT_DOUBLE_EQ(z.silence_ratio, 1.0);

    const auto empty = audio::loudness(nullptr, 0, 8000);
    EXPECT_DOUBLE_EQ(empty.rms_db, -120.0);
    EXPECT_DOUBLE_EQ(empty.silence_ratio, 1.0);
}

TEST(Loudness, SilenceRatioCountsWindows) {
    // 1 s at 1 kHz = 20 windows of 50 samples; the first 5 windows (250 samples) are loud.
    std::vector<float> s(1000, 0.001f);  // -60 dBFS: below the -40 dB threshold
    for (int i = 0; i < 250; ++i) s[i] = 0.5f;
    const auto st = audio::loudness(s.data(), s.size(), 1000);
    EXPECT_DOUBLE_EQ(st.silence_ratio, 15.0 / 20.0);
    // RMS = sqrt((250 * 0.25 + 750 * 1e-6) / 1000)
    EXPECT_NEAR(st.rms_db, 20 * std::log10(std::sqrt((250 * 0.25 + 750 * 1e-6) / 1000)), 1e-4);
    // A threshold below -60 dB makes nothing silent; 0.1 s windows halve the count.
    EXPECT_DOUBLE_EQ(audio::loudness(s.data(), s.size(), 1000, -70).silence_ratio, 0.0);
    EXPECT_DOUBLE_EQ(audio::loudness(s.data(), s.size(), 1000, -40, 0.1).silence_ratio, 7.0 / 10.0);
    // A partial last window counts as one window: 1020 samples = 20 full + 1 partial (silent).
    s.resize(1020, 0.0f);
    EXPECT_DOUBLE_EQ(audio::loudness(s.data(), s.size(), 1000).silence_ratio, 16.0 / 21.0);
}

TEST(Loudness, RejectsBadParameters) {
    float x = 0;
    EXPECT_EQ(code_of([&] { audio::loudness(&x, 1, 0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { audio::loudness(&x, 1, 16000, -40, 0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { audio::loudness(nullptr, 5, 16000); }), ErrorCode::InvalidArgument);
}

// ---- frame statistics -----------------------------------------------------------------------

TEST(FrameStats, Brightness) {
    EXPECT_DOUBLE_EQ(vision::mean_brightness(gray(4, 3, 77)), 77.0);
    EXPECT_NEAR(vision::mean_brightness(rgb(2, 2, 255, 0, 0)), 0.299 * 255, 1e-3);
    EXPECT_NEAR(vision::mean_brightness(rgb(2, 2, 0, 255, 0)), 0.587 * 255, 1e-3);
    EXPECT_NEAR(vision::mean_brightness(rgb(2, 2, 0, 0, 255)), 0.114 * 255, 1e-3);
    EXPECT_NEAR(vision::mean_brightness(rgb(3, 1, 255, 255, 255)), 255.0, 1e-3);
    Image half = gray(2, 1, 0);
    half.pixels[1] = 200;
    EXPECT_DOUBLE_EQ(vision::mean_brightness(half), 100.0);
}

TEST(FrameStats, SharpnessHandComputed) {
    EXPECT_DOUBLE_EQ(vision::sharpness(gray(10, 10, 128)), 0.0);
    EXPECT_DOUBLE_EQ(vision::sharpness(gray(2, 5, 128)), 0.0);  // too small for a 3x3 kernel
    // 3x3 image: only the centre is interior. A single value has variance 0.
    Image dot = gray(3, 3, 0);
    dot.pixels[4] = 100;
    EXPECT_DOUBLE_EQ(vision::sharpness(dot), 0.0);
    // 4x3 image, bright pixel at (1,1): interior pixels (1,1) and (2,1).
    // Laplacian: at (1,1) = -400, at (2,1) = +100 → mean -150, variance 250^2 = 62500.
    Image two = gray(4, 3, 0);
    two.pixels[1 * 4 + 1] = 100;
    EXPECT_DOUBLE_EQ(vision::sharpness(two), 62500.0);
}

TEST(FrameStats, SharpCheckerboardBeatsBlurred) {
    const Image sharp = checkerboard(64, 48, 4, 0, 255);
    const Image blurred = box_blur(sharp);
    const double s1 = vision::sharpness(sharp), s2 = vision::sharpness(blurred);
    EXPECT_GT(s1, 4 * s2) << s1 << " vs " << s2;
    EXPECT_GT(vision::sharpness(blurred), vision::sharpness(box_blur(blurred)));
    // Same picture in RGB (grey pixels) gives the same measure.
    Image as_rgb = rgb(64, 48, 0, 0, 0);
    for (size_t i = 0; i < sharp.pixels.size(); ++i)
        as_rgb.pixels[3 * i] = as_rgb.pixels[3 * i + 1] = as_rgb.pixels[3 * i + 2] = sharp.pixels[i];
    EXPECT_NEAR(vision::sharpness(as_rgb), s1, s1 * 1e-5);
}

TEST(FrameStats, Histogram) {
    auto h = vision::luma_histogram(gray(5, 5, 200));
    EXPECT_FLOAT_EQ(h[50], 1.0f);
    float sum = 0;
    for (float v : h) sum += v;
    EXPECT_FLOAT_EQ(sum, 1.0f);

    Image img = gray(4, 1, 0);
    img.pixels = {0, 3, 4, 255};  // bins 0, 0, 1, 63
    h = vision::luma_histogram(img);
    EXPECT_FLOAT_EQ(h[0], 0.5f);
    EXPECT_FLOAT_EQ(h[1], 0.25f);
    EXPECT_FLOAT_EQ(h[63], 0.25f);
    // Pure green: luma 149.685 → 150 → bin 37.
    EXPECT_FLOAT_EQ(vision::luma_histogram(rgb(2, 2, 0, 255, 0))[37], 1.0f);
}

TEST(FrameStats, DownscaledLuma) {
    Image img = gray(4, 2, 0);
    img.pixels = {0, 10, 20, 30, 40, 50, 60, 70};
    const auto g = vision::downscaled_luma(img, 2, 1);
    ASSERT_EQ(g.size(), 2u);
    EXPECT_FLOAT_EQ(g[0], (0 + 10 + 40 + 50) / 4.0f);
    EXPECT_FLOAT_EQ(g[1], (20 + 30 + 60 + 70) / 4.0f);
    // A grid larger than the image repeats pixels rather than failing.
    EXPECT_EQ(vision::downscaled_luma(img, 8, 4).size(), 32u);
}

TEST(FrameStats, RejectsBadImages) {
    Image empty;
    EXPECT_EQ(code_of([&] { vision::mean_brightness(empty); }), ErrorCode::InvalidArgument);
    Image short_buf = gray(4, 4, 0);
    short_buf.pixels.resize(10);
    EXPECT_EQ(code_of([&] { vision::sharpness(short_buf); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([&] { vision::downscaled_luma(gray(2, 2, 0), 0, 1); }), ErrorCode::InvalidArgument);
}

// ---- scene cut detector ---------------------------------------------------------------------

namespace {

// A textured "scene": a smooth pattern defined by a seed, plus per-frame noise.
Image scene_frame(int seed, double brightness_offset, std::mt19937& rng, double noise_sigma = 6.0) {
    const int w = 160, h = 90;
    Image img = gray(w, h, 0);
    std::normal_distribution<double> noise(0.0, noise_sigma);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double v = 0;
            if (seed == 0) v = 40 + 150.0 * x / w;                                        // horizontal ramp
            if (seed == 1) v = 200 - 150.0 * y / h;                                       // vertical ramp
            if (seed == 2) v = 120 + 80 * std::sin(x / 7.0) * std::cos(y / 9.0);          // blobs
            if (seed == 3) v = ((x / 20 + y / 15) % 2) ? 180 : 60;                        // big checks
            v += brightness_offset + noise(rng);
            img.pixels[static_cast<size_t>(y) * w + x] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
        }
    return img;
}

std::vector<double> run(vision::SceneCutDetector& d, std::vector<Image> frames, double fps = 25) {
    for (size_t i = 0; i < frames.size(); ++i) {
        frames[i].time = static_cast<double>(i) / fps;
        d.process(frames[i]);
    }
    d.flush();
    return d.cuts();
}

}  // namespace

TEST(SceneCut, FindsHardCutsAtTheRightFrames) {
    std::mt19937 rng(1);
    std::vector<Image> frames;
    for (int i = 0; i < 50; ++i) frames.push_back(scene_frame(0, 0, rng));
    for (int i = 0; i < 50; ++i) frames.push_back(scene_frame(1, 0, rng));
    for (int i = 0; i < 50; ++i) frames.push_back(scene_frame(2, 0, rng));
    for (int i = 0; i < 50; ++i) frames.push_back(scene_frame(3, 0, rng));
    vision::SceneCutDetector d;
    const auto cuts = run(d, frames);
    ASSERT_EQ(cuts.size(), 3u);
    EXPECT_DOUBLE_EQ(cuts[0], 50 / 25.0);
    EXPECT_DOUBLE_EQ(cuts[1], 100 / 25.0);
    EXPECT_DOUBLE_EQ(cuts[2], 150 / 25.0);
}

TEST(SceneCut, CutBetweenFlatShotsOfDifferentBrightness) {
    // Only the histogram sees this cut (no structure in either frame).
    std::vector<Image> frames;
    for (int i = 0; i < 20; ++i) frames.push_back(gray(64, 36, 40));
    for (int i = 0; i < 20; ++i) frames.push_back(gray(64, 36, 200));
    vision::SceneCutDetector d;
    EXPECT_EQ(run(d, frames), (std::vector<double>{20 / 25.0}));
}

TEST(SceneCut, CutBetweenShotsWithTheSameHistogram) {
    // Checkerboard and its inverse: identical histograms, only the structure term sees the cut.
    std::vector<Image> frames;
    // 180x90 with 30-pixel checks = 6x3 checks, half of each value: the histograms are identical
    // (H = 0) and the layout difference saturates S, so the score is exactly 0.5.
    for (int i = 0; i < 20; ++i) frames.push_back(checkerboard(180, 90, 30, 30, 220));
    for (int i = 0; i < 20; ++i) frames.push_back(checkerboard(180, 90, 30, 220, 30));
    EXPECT_DOUBLE_EQ(vision::SceneCutDetector::frame_difference(frames[0], frames[20]), 0.5);
    vision::SceneCutDetector d;
    EXPECT_EQ(run(d, frames), (std::vector<double>{20 / 25.0}));
}

TEST(SceneCut, NoCutOnNoiseOrSlowFade) {
    std::mt19937 rng(7);
    std::vector<Image> frames;
    // 4 s fade-in of a textured scene, then steady noisy frames, then a fade to black.
    for (int i = 0; i < 100; ++i) frames.push_back(scene_frame(2, -120 + 1.2 * i, rng, 10.0));
    for (int i = 0; i < 50; ++i) frames.push_back(scene_frame(2, 0, rng, 10.0));
    for (int i = 0; i < 100; ++i) frames.push_back(scene_frame(2, -1.5 * i, rng, 10.0));
    // And a flat grey frame brightening 1 level per frame (bins change under it).
    for (int i = 0; i < 100; ++i) frames.push_back(gray(64, 36, static_cast<uint8_t>(100 + i)));
    vision::SceneCutDetector d;
    double max_score = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
        frames[i].time = i / 25.0;
        d.process(frames[i]);
        if (i > 0 && i != 250) max_score = std::max(max_score, *d.last_score());
    }
    d.flush();
    // The only cut is the switch from the textured scene to the grey frame at frame 250.
    EXPECT_EQ(d.cuts(), (std::vector<double>{250 / 25.0}));
    EXPECT_LT(max_score, 0.2);
}

TEST(SceneCut, MinSceneSuppressesRapidCuts) {
    // Alternating shots every 5 frames (0.2 s at 25 fps).
    std::vector<Image> frames;
    for (int i = 0; i < 60; ++i) frames.push_back(gray(32, 18, (i / 5) % 2 ? 220 : 30));
    vision::SceneCutDetector strict({.threshold = 0.35, .min_scene_seconds = 0.5});
    const auto cuts = run(strict, frames);
    // Candidates at multiples of 0.2 s; each accepted cut blocks the next 0.5 s, so 0.6, 1.2, 1.8.
    // 0.2 and 0.4 are within 0.5 s of the first frame.
    EXPECT_EQ(cuts, (std::vector<double>{0.6, 1.2, 1.8}));

    vision::SceneCutDetector loose({.threshold = 0.35, .min_scene_seconds = 0});
    EXPECT_EQ(run(loose, frames).size(), 11u);  // every switch: frames 5, 10, ..., 55
}

TEST(SceneCut, FirstFrameIsNeverACutAndInputIsChecked) {
    vision::SceneCutDetector d;
    Image f = gray(8, 8, 50);
    f.time = 3.0;
    d.process(f);
    EXPECT_TRUE(d.cuts().empty());
    EXPECT_FALSE(d.last_score().has_value());
    f.time = 2.0;
    EXPECT_EQ(code_of([&] { d.process(f); }), ErrorCode::InvalidArgument);  // time going back
    d.flush();
    f.time = 4.0;
    EXPECT_EQ(code_of([&] { d.process(f); }), ErrorCode::InvalidArgument);  // after flush
    EXPECT_EQ(code_of([] { vision::SceneCutDetector({.threshold = 0}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { vision::SceneCutDetector({.threshold = 0.3, .min_scene_seconds = -1}); }),
              ErrorCode::InvalidArgument);
}

// Visual fingerprints (perceptual hashes), visual alignment, sample-level boundary refinement and
// variant numbering on generated pictures and sounds (no media files).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/intro_variants.hpp"
#include "vidseg/intro/visual_alignment.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"

using namespace vidseg::intro;
using vidseg::media::Image;
using vidseg::media::PixelLayout;

namespace {

// A picture of random blobs (seeded), w x h grey, with brightness gain and offset applied.
Image blobs(unsigned seed, int w, int h, double gain = 1, double bias = 0) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    struct Blob { double x, y, r, v; };
    std::vector<Blob> bs;
    for (int i = 0; i < 6; ++i) bs.push_back({u(rng), u(rng), 0.1 + 0.25 * u(rng), 255 * u(rng)});
    Image img;
    img.width = w, img.height = h, img.layout = PixelLayout::Gray8;
    img.pixels.resize(std::size_t(w * h));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            double v = 40;
            for (const auto& b : bs) {
                const double dx = double(x) / w - b.x, dy = double(y) / h - b.y;
                if (dx * dx + dy * dy < b.r * b.r) v = b.v;
            }
            img.pixels[std::size_t(y * w + x)] = uint8_t(std::clamp(v * gain + bias, 0.0, 255.0));
        }
    return img;
}

}  // namespace

TEST(IntroVisual, PerceptualHashSurvivesScalingAndBrightnessButSeparatesPictures) {
    const uint64_t a = perceptual_hash(blobs(1, 64, 48));
    const uint64_t a_big = perceptual_hash(blobs(1, 320, 240));          // another resolution
    const uint64_t a_dim = perceptual_hash(blobs(1, 64, 48, 0.8, 10));   // other levels
    EXPECT_LE(hash_distance(a, a_big), 6);
    EXPECT_LE(hash_distance(a, a_dim), 6);
    int min_other = 64;
    for (unsigned s = 2; s < 12; ++s) min_other = std::min(min_other, hash_distance(a, perceptual_hash(blobs(s, 64, 48))));
    EXPECT_GE(min_other, 14);
    // A flat picture has no hash (0 = never matches); informative hashes are never 0.
    Image flat = blobs(1, 64, 48, 0, 16);
    EXPECT_EQ(perceptual_hash(flat), 0u);
    EXPECT_NE(a, 0u);
    EXPECT_EQ(mean_luma(flat), 16);
}

TEST(IntroVisual, FingerprintFramesSamplesTheFrameOnScreen) {
    std::vector<Image> frames;
    for (int k = 0; k < 10; ++k) {  // 2 fps input, 1 s of each picture
        frames.push_back(blobs(unsigned(100 + k / 2), 64, 48));
        frames.back().time = k * 0.5;
    }
    const auto fp = fingerprint_frames(frames, 5, 4);
    ASSERT_EQ(fp.hashes.size(), 20u);
    EXPECT_DOUBLE_EQ(fp.period, 0.25);
    EXPECT_EQ(fp.hashes[0], fp.hashes[3]);  // 0 .. 0.75 s: picture 100
    EXPECT_NE(fp.hashes[3], fp.hashes[4]);  // 1.0 s: picture 101
}

TEST(IntroVisual, AlignmentFindsAPlantedSequenceAndIgnoresStillsAndFlats) {
    // Two 60-s fingerprints at 4 fps of unrelated pictures (a new picture every 0.5 s); b shows a's
    // [20, 28) s at [5, 13) s.
    auto make = [](unsigned seed) {
        VisualFingerprint fp;
        for (int k = 0; k < 240; ++k) fp.hashes.push_back(perceptual_hash(blobs(seed * 1000 + unsigned(k / 2), 32, 24)));
        fp.luma.assign(fp.hashes.size(), 100);
        fp.duration = 60;
        return fp;
    };
    auto a = make(1), b = make(2);
    for (int k = 0; k < 32; ++k) b.hashes[std::size_t(20 + k)] = a.hashes[std::size_t(80 + k)];
    const auto runs = align_visual(a, b);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_NEAR(runs[0].a.start, 20 - 0.125, 1e-9);
    EXPECT_NEAR(runs[0].a.end, 28 - 0.125, 1e-9);
    EXPECT_NEAR(runs[0].b.start, 5 - 0.125, 1e-9);
    EXPECT_NEAR(runs[0].offset, 15, 1e-9);
    // A still card (one picture for 8 s) and black frames agree but are no evidence.
    auto c = make(3), d = make(4);
    for (int k = 0; k < 32; ++k) c.hashes[std::size_t(40 + k)] = d.hashes[std::size_t(100 + k)] = a.hashes[80];
    for (int k = 0; k < 32; ++k) c.hashes[std::size_t(120 + k)] = d.hashes[std::size_t(180 + k)] = 0;
    EXPECT_TRUE(align_visual(c, d).empty());
}

TEST(IntroRefine, SampleLevelAlignmentFindsBoundariesAndOffset) {
    // 30 s of noise each at 11025 Hz; a's [10.37, 16.81) s is b's [4.12, 10.56) s at 0.6 x the level.
    constexpr int R = kFingerprintSampleRate;
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0, 0.1f);
    std::vector<float> a(30 * R), b(30 * R);
    for (auto& x : a) x = n(rng);
    for (auto& x : b) x = n(rng);
    const long a0 = std::lround(10.37 * R), b0 = std::lround(4.12 * R), len = std::lround(6.44 * R);
    for (long k = 0; k < len; ++k) b[std::size_t(b0 + k)] = 0.6f * a[std::size_t(a0 + k)];
    // The fingerprints' estimate: 0.2 s off in offset, 0.3 s in each boundary.
    const auto est = refine_with_samples(a, 0, b, 0, {10.1, 17.1}, 6.25 - 0.2);
    ASSERT_TRUE(est.start_found);
    ASSERT_TRUE(est.end_found);
    EXPECT_NEAR(est.offset, 6.25, 0.001);
    EXPECT_NEAR(est.start, 10.37, 0.03);
    EXPECT_NEAR(est.end, 16.81, 0.03);
    EXPECT_GT(est.level, 0.9);
    // Unrelated audio: nothing found.
    std::vector<float> c(30 * R);
    for (auto& x : c) x = n(rng);
    const auto none = refine_with_samples(a, 0, c, 0, {10.1, 17.1}, 6.05);
    EXPECT_FALSE(none.start_found);
    EXPECT_FALSE(none.end_found);
}

TEST(IntroVariants, ComponentsNumberedInEpisodeOrder) {
    // 0-1-2 share intro A, 3-5 share B, 6 has none, 7 has an intro confirmed by nobody mutual.
    const std::vector<bool> has = {true, true, true, true, true, true, false, true};
    const auto v = assign_variants(has, {{0, 1}, {1, 2}, {4, 3}, {5, 4}, {6, 0}});
    EXPECT_EQ(v, (std::vector<int>{0, 0, 0, 1, 1, 1, -1, 2}));
}

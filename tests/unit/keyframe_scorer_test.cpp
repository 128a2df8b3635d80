// vision::KeyframeScorer / PersonDetector (`dataset build --keyframe best`) on generated pictures
// (a sharp texture vs its blurred copy, dark / bright / well exposed copies) and on a real face
// photo shipped by Debian (libdlib19.1, a dependency of libdlib-dev: dlib's face-detection example
// pictures, Boost licence), decoded with media::FrameReader like every other picture.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "support/test_support.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/vision/keyframe_scorer.hpp"
#include "vidseg/vision/person_detector.hpp"

namespace fs = std::filesystem;
using vidseg::ErrorCode;
using vidseg::media::Image;
using vidseg::media::PixelLayout;
using vidseg::test::thrown_code;
using namespace vidseg::vision;

namespace {

const fs::path kFaces = "/usr/share/doc/libdlib19.1/examples/faces";

// Deterministic texture: 8x8-pixel blocks of pseudo-random gray levels (50..205), in RGB.
Image texture(int width = 320, int height = 240) {
    Image img;
    img.width = width;
    img.height = height;
    img.pixels.resize(static_cast<size_t>(width) * height * 3);
    uint32_t state = 12345;
    std::vector<uint8_t> blocks(static_cast<size_t>((width / 8 + 1) * (height / 8 + 1)));
    for (auto& b : blocks) {
        state = state * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(50 + (state >> 24) % 156);
    }
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const uint8_t v = blocks[static_cast<size_t>(y / 8) * (width / 8 + 1) + x / 8];
            for (int c = 0; c < 3; ++c) img.pixels[(static_cast<size_t>(y) * width + x) * 3 + c] = v;
        }
    return img;
}

// Box blur of the given radius, applied `passes` times (close to a Gaussian defocus).
Image blurred(const Image& src, int radius, int passes = 3) {
    Image img = src;
    const int w = img.width, h = img.height, ch = img.channels();
    for (int p = 0; p < passes; ++p) {
        Image out = img;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                for (int c = 0; c < ch; ++c) {
                    int sum = 0, n = 0;
                    for (int dy = -radius; dy <= radius; ++dy)
                        for (int dx = -radius; dx <= radius; ++dx) {
                            const int yy = std::clamp(y + dy, 0, h - 1), xx = std::clamp(x + dx, 0, w - 1);
                            sum += img.pixels[(static_cast<size_t>(yy) * w + xx) * ch + c];
                            ++n;
                        }
                    out.pixels[(static_cast<size_t>(y) * w + x) * ch + c] = static_cast<uint8_t>(sum / n);
                }
        img = std::move(out);
    }
    return img;
}

// Every pixel value v → clamp(v * gain + offset).
Image relit(const Image& src, double gain, double offset) {
    Image img = src;
    for (auto& p : img.pixels) p = static_cast<uint8_t>(std::clamp(p * gain + offset, 0.0, 255.0));
    return img;
}

// The rectangle, grown by a quarter on each side and clamped, painted flat mid-gray.
Image masked(const Image& src, const vidseg::media::PixelRect& r) {
    Image img = src;
    const int x0 = std::max(0, r.x - r.width / 4), x1 = std::min(src.width, r.x + r.width + r.width / 4);
    const int y0 = std::max(0, r.y - r.height / 4), y1 = std::min(src.height, r.y + r.height + r.height / 4);
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            for (int c = 0; c < img.channels(); ++c)
                img.pixels[(static_cast<size_t>(y) * img.width + x) * img.channels() + c] = 128;
    return img;
}

Image photo(const std::string& name) {
    const fs::path p = kFaces / name;
    if (!fs::exists(p)) {
        ADD_FAILURE()
            << p << " is missing: it ships in Debian package libdlib19.1 (installed with libdlib-dev, "
            << "scripts/setup.sh); an image without /usr/share/doc (dpkg path-exclude) cannot run this test";
        return {};
    }
    vidseg::media::FrameReader reader(p.string());
    return reader.read_at(0);
}

KeyframeScorer sharpness_only() {
    KeyframeScorerOptions o;
    o.detect_people = false;
    return KeyframeScorer(o);
}

}  // namespace

TEST(KeyframeScorer, SharpBeatsBlurred) {
    auto scorer = sharpness_only();
    const Image sharp = texture();
    const auto s = scorer.score(sharp);
    const auto b = scorer.score(blurred(sharp, 3));
    EXPECT_GT(s.laplacian_variance, 10 * b.laplacian_variance);
    EXPECT_GT(s.sharpness, 0.9);  // block edges of up to 155 levels: far above the blur threshold
    EXPECT_LT(b.sharpness, 0.5);  // heavy blur: below it
    EXPECT_NEAR(s.exposure, b.exposure, 0.05);  // blurring does not change the exposure
    EXPECT_GT(s.total, b.total + 0.2);
    // Without detection the person component is 0 and the total is the weighted mean of the others.
    EXPECT_EQ(s.person, 0);
    EXPECT_NEAR(s.total, (0.5 * s.sharpness + 0.25 * s.exposure) / 1.0, 1e-9);
}

TEST(KeyframeScorer, WellExposedBeatsDarkAndBlown) {
    auto scorer = sharpness_only();
    const Image normal = texture();
    const auto n = scorer.score(normal);
    const auto dark = scorer.score(relit(normal, 0.12, 0));   // mean ~15: underexposed
    const auto blown = scorer.score(relit(normal, 3.0, 40));  // mostly clipped white
    EXPECT_GT(n.mean_luma, 100);
    EXPECT_LT(n.mean_luma, 160);
    EXPECT_DOUBLE_EQ(n.exposure, 1.0);  // mean in range, nothing clipped
    EXPECT_LT(dark.mean_luma, 25);
    EXPECT_LT(dark.exposure, 0.3);
    EXPECT_GT(blown.clipped_share, 0.5);
    EXPECT_LT(blown.exposure, 0.3);
    EXPECT_GT(n.total, dark.total);
    EXPECT_GT(n.total, blown.total);
}

TEST(KeyframeScorer, GrayAndRgbAgreeAndScaleIsNormalised) {
    auto scorer = sharpness_only();
    const Image rgb = texture(640, 480);
    Image gray;
    gray.width = rgb.width;
    gray.height = rgb.height;
    gray.layout = PixelLayout::Gray8;
    for (size_t i = 0; i < rgb.pixels.size(); i += 3) gray.pixels.push_back(rgb.pixels[i]);
    const auto a = scorer.score(rgb), b = scorer.score(gray);
    EXPECT_NEAR(a.laplacian_variance, b.laplacian_variance, 1e-6 * a.laplacian_variance);
    EXPECT_NEAR(a.mean_luma, b.mean_luma, 1e-6);
    // A 1280-wide copy is measured at the 640-pixel analysis width: same picture, similar sharpness.
    const Image big = texture(1280, 960);
    const auto c = scorer.score(big);
    EXPECT_GT(c.sharpness, 0.9);
}

TEST(KeyframeScorer, BadInputIsATypedError) {
    auto scorer = sharpness_only();
    EXPECT_EQ(thrown_code([&] { scorer.score(Image{}); }), ErrorCode::InvalidArgument);
    Image short_buffer = texture();
    short_buffer.pixels.resize(100);
    EXPECT_EQ(thrown_code([&] { scorer.score(short_buffer); }), ErrorCode::InvalidArgument);
    KeyframeScorerOptions o;
    o.detect_people = false;
    o.weights = {0, 0, 0};
    EXPECT_EQ(thrown_code([&] { KeyframeScorer s(o); }), ErrorCode::InvalidArgument);
    o.weights = {1, -1, 1};
    EXPECT_EQ(thrown_code([&] { KeyframeScorer s(o); }), ErrorCode::InvalidArgument);
}

TEST(PersonDetector, MissingCascadeNamesTheFolderAndPackage) {
    vidseg::test::TempDir tmp;
    PersonDetectorOptions o;
    o.cascade_dir = tmp.path().string();
    const auto e = vidseg::test::thrown_error([&] { PersonDetector d(o); });
    EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
    EXPECT_NE(std::string(e.what()).find(tmp.path().string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("opencv-data"), std::string::npos) << e.what();
    // A file with the cascade's name that is not a cascade.
    std::FILE* f = std::fopen((tmp.path() / "haarcascade_frontalface_default.xml").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("<opencv_storage></opencv_storage>\n", f);
    std::fclose(f);
    EXPECT_EQ(thrown_code([&] { PersonDetector d(o); }), ErrorCode::InvalidData);
}

TEST(PersonDetector, FindsTheFaceInARealPhotoAndNotWhenItIsCovered) {
    const Image face = photo("Tom_Cruise_avp_2014_4.jpg");
    ASSERT_FALSE(face.empty());
    PersonDetector detector;
    const auto found = detector.detect(face);
    ASSERT_EQ(found.faces.size(), 1u);
    const auto& r = found.faces[0];
    // Rectangles are in pixels of the given picture (565x800), not of the 480-wide analysis copy.
    EXPECT_GT(r.width, 80);
    EXPECT_LE(r.x + r.width, face.width);
    EXPECT_LE(r.y + r.height, face.height);
    EXPECT_GT(found.largest_face_fraction, 0.02);
    // Nothing once the face is covered, nothing on a texture.
    EXPECT_TRUE(detector.detect(masked(face, r)).faces.empty());
    EXPECT_TRUE(detector.detect(texture()).faces.empty());
}

TEST(PersonDetector, FindsSeveralFaces) {
    const Image group = photo("bald_guys.jpg");
    ASSERT_FALSE(group.empty());
    PersonDetector detector;
    EXPECT_GE(detector.detect(group).faces.size(), 3u);
}

TEST(KeyframeScorer, VisibleFaceRaisesTheScore) {
    const Image face = photo("Tom_Cruise_avp_2014_4.jpg");
    ASSERT_FALSE(face.empty());
    PersonDetector detector;
    const auto found = detector.detect(face);
    ASSERT_EQ(found.faces.size(), 1u);
    KeyframeScorer scorer;
    const auto with = scorer.score(face);
    const auto without = scorer.score(masked(face, found.faces[0]));
    EXPECT_EQ(with.faces, 1);
    EXPECT_EQ(with.person, 1.0);  // a close face: the size bonus is saturated
    EXPECT_EQ(without.faces, 0);
    EXPECT_LE(without.person, 0.5);  // at most a body
    // Exposure is nearly unchanged by the gray patch; the face decides.
    EXPECT_NEAR(with.exposure, without.exposure, 0.1);
    EXPECT_GT(with.total, without.total + 0.1);
}

TEST(KeyframeCandidates, EvenlySpreadInsideTheInterval) {
    const auto t = candidate_times(10, 14, 8);
    ASSERT_EQ(t.size(), 8u);
    EXPECT_DOUBLE_EQ(t.front(), 10.25);
    EXPECT_DOUBLE_EQ(t.back(), 13.75);
    for (size_t i = 1; i < t.size(); ++i) EXPECT_NEAR(t[i] - t[i - 1], 0.5, 1e-12);
    // Odd count: the middle is a candidate.
    const auto odd = candidate_times(10, 14, 5);
    EXPECT_DOUBLE_EQ(odd[2], 12.0);
    // 0.2 s at 25 fps has 5 frames: no more than 5 candidates.
    EXPECT_EQ(candidate_times(1.0, 1.2, 12, 25).size(), 5u);
    EXPECT_EQ(candidate_times(1.0, 1.01, 12, 25).size(), 1u);
    EXPECT_EQ(thrown_code([] { candidate_times(2, 2, 4); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(thrown_code([] { candidate_times(2, 3, 0); }), ErrorCode::InvalidArgument);
}

TEST(KeyframeCandidates, BestIsHighestTotalTiesGoToTheMiddle) {
    std::vector<KeyframeScore> s(4);
    const std::vector<double> times = {1, 2, 3, 4};
    s[0].total = 0.5;
    s[1].total = 0.7;
    s[2].total = 0.6;
    s[3].total = 0.7;
    EXPECT_EQ(best_candidate(s, times, 3.8), 3u);  // tie between 2 s and 4 s: 4 s is closer to 3.8
    EXPECT_EQ(best_candidate(s, times, 2.1), 1u);
    s[2].total = 0.9;
    EXPECT_EQ(best_candidate(s, times, 3.8), 2u);
    EXPECT_EQ(thrown_code([] { best_candidate({}, {}, 0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(thrown_code([&] { best_candidate(s, {1}, 0); }), ErrorCode::InvalidArgument);
}

TEST(KeyframeScorer, PickBestMatchesFullScoringWithFewerDetections) {
    const Image face = photo("Tom_Cruise_avp_2014_4.jpg");
    ASSERT_FALSE(face.empty());
    KeyframeScorer scorer;
    const std::vector<Image> frames = {masked(face, {150, 150, 250, 300}), blurred(face, 4, 2), face,
                                       relit(face, 0.1, 0)};
    const std::vector<double> times = {0.5, 1.5, 2.5, 3.5};
    std::vector<KeyframeScore> full;
    for (const auto& f : frames) full.push_back(scorer.score(f));
    const auto best = scorer.pick_best(frames, times, 2.0);
    EXPECT_EQ(best.index, best_candidate(full, times, 2.0));
    EXPECT_EQ(best.index, 2u);  // the upright, sharp, well exposed face
    EXPECT_TRUE(best.score.person_checked);
    EXPECT_EQ(best.score.faces, 1);
    EXPECT_NEAR(best.score.total, full[2].total, 1e-12);

    // A dark, blurred frame cannot beat a sharp, well exposed one even with a face: not detected.
    const Image sharp = texture();
    const auto two = scorer.pick_best({sharp, relit(blurred(sharp, 4), 0.1, 0)}, {1.0, 2.0}, 1.5);
    EXPECT_EQ(two.index, 0u);
    EXPECT_EQ(two.detections, 1u);
    EXPECT_EQ(thrown_code([&] { scorer.pick_best({}, {}, 0); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(thrown_code([&] { scorer.pick_best({sharp}, {1.0, 2.0}, 0); }), ErrorCode::InvalidArgument);
}

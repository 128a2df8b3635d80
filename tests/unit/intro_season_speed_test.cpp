// Issue 16 §1 (season speed): pictures decoded only in the windows the sound leaves in doubt, each
// episode's refinement audio decoded once, refinement reused between the two passes of a season.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vidseg/intro/boundary_refiner.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/picture_windows.hpp"
#include "vidseg/intro/refinement_audio.hpp"
#include "vidseg/intro/refinement_memo.hpp"
#include "vidseg/media/audio_reader.hpp"

using namespace vidseg;
using namespace vidseg::intro;
using timeline::Interval;

namespace {


IntroDetection with_intro(double start, double end, int confirmations) {
    IntroDetection d;
    d.intro = Interval{start, end};
    d.confirmations = confirmations;
    return d;
}

}  // namespace

TEST(IntroPictureWindows, ConfidentEpisodesGetAWindowAroundTheirIntroDoubtfulOnesTheWholeSpan) {
    std::vector<IntroDetection> pass{with_intro(30, 50, 3), with_intro(10, 30, 3), IntroDetection{},
                                     with_intro(2, 22, 1), with_intro(40, 70, 3), with_intro(1, 21, 3)};
    pass[2].episode = "no intro";
    const auto w = picture_windows(pass, 1020);
    ASSERT_EQ(w.size(), 6u);
    ASSERT_EQ(w[0].size(), 1u);
    EXPECT_DOUBLE_EQ(w[0][0].start, 30 - kPictureWindowMargin);
    EXPECT_DOUBLE_EQ(w[0][0].end, 50 + kPictureWindowMargin);
    EXPECT_EQ(w[1].size(), 1u);
    EXPECT_TRUE(w[2].empty());  // no intro: doubtful, all of it
    EXPECT_TRUE(w[3].empty());  // one confirmation of 3 wanted
    EXPECT_TRUE(w[4].empty());  // 30 s against a typical 20 s
    ASSERT_EQ(w[5].size(), 1u);
    EXPECT_DOUBLE_EQ(w[5][0].start, 0);  // clipped at the start of the file
}

TEST(IntroPictureWindows, NothingDoubtfulOrNothingFoundMeansWholeSpans) {
    const auto all_confident = picture_windows({with_intro(30, 50, 2), with_intro(10, 30, 2), with_intro(5, 25, 2)}, 1020);
    for (const auto& w : all_confident) EXPECT_TRUE(w.empty());
    const auto none = picture_windows({IntroDetection{}, IntroDetection{}, IntroDetection{}}, 1020);
    for (const auto& w : none) EXPECT_TRUE(w.empty());
}

TEST(IntroPictureWindows, WindowedHashesAreTheWholeSpansInsideAndFlatOutside) {
    const std::string path = (vidseg::test::series_dir() / "ep2.mp4").string();
    const auto whole = fingerprint_video(path, 1020, {});
    ASSERT_GT(whole.hashes.size(), 60u);
    const double duration = whole.duration;
    const auto part = fingerprint_video_windows(path, 1020, {}, {{12.3, 16.0}, {3.0, 5.5}, {4.0, 7.0}}, duration);
    ASSERT_EQ(part.hashes.size(), whole.hashes.size());
    ASSERT_EQ(part.luma.size(), whole.luma.size());
    int inside = 0;
    for (std::size_t k = 0; k < whole.hashes.size(); ++k) {
        const double t = whole.slot_time(k);
        const bool in = (t >= 3.0 - 1e-9 && t < 7.0) || (t >= 12.3 - 1e-9 && t < 16.0);
        if (in) {
            ++inside;
            EXPECT_EQ(part.hashes[k], whole.hashes[k]) << "slot " << k;
            EXPECT_EQ(part.luma[k], whole.luma[k]) << "slot " << k;
        } else {
            EXPECT_EQ(part.hashes[k], 0u) << "slot " << k;
        }
    }
    EXPECT_EQ(inside, 16 + 14);  // 3.00..6.75 and 12.50..15.75 at 4 fps
}

TEST(IntroPictureWindows, WindowsArePartOfTheCacheKey) {
    FingerprintOptions whole, windowed;
    windowed.video_windows = {{1, 2}};
    EXPECT_NE(fingerprint_parameters(whole), fingerprint_parameters(windowed));
}

TEST(IntroSharedAudio, SpansCutFromAWindowMatchTheirOwnDecodeAndTheWindowIsFreedByItsLastUser) {
    const std::string path = (vidseg::test::series_dir() / "ep2.mp4").string();
    const std::vector<std::string> paths{path};
    const media::AudioFormat format{.sample_rate = kFingerprintSampleRate, .channels = 1};
    SharedAudioWindows audio(paths, {Interval{5.0, 17.0}}, {2}, format);
    double first = 0;
    const auto cut = audio.read(0, 8.0, 12.0, first);
    EXPECT_NEAR(first, 8.0, 0.5 / kFingerprintSampleRate);
    const auto own = media::read_audio(path, format, 8.0, 12.0);
    ASSERT_EQ(cut.size(), own.size());
    // Both on one sample grid, resampled from different decoding starts: equal to the resampler's noise.
    double diff = 0, energy = 0;
    for (std::size_t i = 0; i < own.size(); ++i) diff += std::pow(cut[i] - own[i], 2), energy += own[i] * own[i];
    ASSERT_GT(energy, 0);
    EXPECT_LT(diff / energy, 1e-3);
    // A span the window does not cover is decoded on its own.
    const auto outside = audio.read(0, 16.0, 19.0, first);
    EXPECT_DOUBLE_EQ(first, 16.0);
    EXPECT_EQ(outside.size(), std::size_t(std::lround(3.0 * kFingerprintSampleRate)));
    audio.release(0);
    audio.release(0);  // freed: later reads decode their own span
    EXPECT_EQ(audio.read(0, 8.0, 12.0, first), own);
}

TEST(IntroRefinementMemo, ASecondRefinementOfTheSameIntrosIsTakenFromTheMemo) {
    std::vector<std::string> paths;
    std::vector<EpisodeFingerprints> fps(4);
    std::vector<IntroDetection> found(4);
    const double starts[] = {3, 8, 0, 12};
    for (int i = 0; i < 4; ++i) {
        paths.push_back((vidseg::test::series_dir() / ("ep" + std::to_string(i + 1) + ".mp4")).string());
        fps[std::size_t(i)].has_audio = true;
        found[std::size_t(i)].intro = Interval{starts[i] + 0.2, starts[i] + 5.9};
        for (int j = 0; j < 4; ++j)
            if (j != i) found[std::size_t(i)].matches.push_back({std::size_t(j), starts[i] - starts[j], 1});
    }
    IntroDetectOptions options;
    RefinementMemo memo;
    auto first = found;
    refine_intro_boundaries_memo(paths, fps, first, options, nullptr, &memo);
    EXPECT_EQ(memo.reused(), 0u);
    auto plain = found;
    refine_intro_boundaries(paths, fps, plain, options);
    auto second = found;
    refine_intro_boundaries_memo(paths, fps, second, options, nullptr, &memo);
    EXPECT_EQ(memo.reused(), 4u);
    for (std::size_t e = 0; e < 4; ++e) {
        ASSERT_TRUE(first[e].intro && second[e].intro && plain[e].intro);
        EXPECT_EQ(second[e].intro->start, first[e].intro->start);
        EXPECT_EQ(second[e].intro->end, first[e].intro->end);
        EXPECT_EQ(second[e].start_cue, first[e].start_cue);
        EXPECT_EQ(first[e].intro->start, plain[e].intro->start);
        EXPECT_EQ(first[e].intro->end, plain[e].intro->end);
        EXPECT_NEAR(first[e].intro->start, starts[e], 0.25) << e;  // ep3's intro starts the file
        EXPECT_NEAR(first[e].intro->end, starts[e] + 6, 0.25) << e;
    }
    // Another partner offset is another input: refined again.
    auto moved = found;
    moved[1].matches[0].offset += 0.04;
    refine_intro_boundaries_memo(paths, fps, moved, options, nullptr, &memo);
    EXPECT_EQ(memo.reused(), 7u);
}

TEST(IntroPictureWindows, ARunEndingAtAWindowsInnerEdgeIsCutByIt) {
    VisualFingerprint fp;
    fp.period = 0.25;
    fp.duration = 40;
    fp.windows = {{0.0, 8.5}, {20.0, 31.0}};
    EXPECT_FALSE(fp.cut_by_window({0.0, 6.1}));    // starts the file, ends by itself
    EXPECT_TRUE(fp.cut_by_window({0.0, 8.4}));     // runs to the end of what was decoded
    EXPECT_TRUE(fp.cut_by_window({20.1, 25.0}));   // starts where the decoding started
    EXPECT_FALSE(fp.cut_by_window({22.5, 28.5}));  // inside, 2.5 s from both edges
    EXPECT_TRUE(fp.cut_by_window({22.5, 30.9}));
    fp.windows = {{30.0, 40.0}};
    EXPECT_FALSE(fp.cut_by_window({32.0, 40.0}));  // the end of the span is no cut
    fp.windows.clear();
    EXPECT_FALSE(fp.cut_by_window({0.0, 8.4}));  // decoded everywhere
}

TEST(IntroPictureWindows, ASeasonDecodesOnlyTheConfidentEpisodesWindowsAndKeepsItsDetections) {
    // The test series: ep1-4 share a 6-s intro, ep5 has none and shows the same test pattern all
    // through as the others. Its pictures must not make it join the series.
    std::vector<std::string> paths;
    for (int i = 1; i <= 5; ++i) paths.push_back((vidseg::test::series_dir() / ("ep" + std::to_string(i) + ".mp4")).string());
    const auto run = detect_season(paths, IntroDetectOptions{}, "", nullptr);
    ASSERT_FALSE(run.audio_only);  // ep5 leaves the sound in doubt: the pictures were needed
    ASSERT_EQ(run.season.detections.size(), 5u);
    ASSERT_EQ(run.season.episodes.size(), 5u);
    const double starts[] = {3, 8, 0, 12};
    for (std::size_t e = 0; e < 4; ++e) {
        ASSERT_TRUE(run.season.detections[e].intro) << e;
        EXPECT_NEAR(run.season.detections[e].intro->start, starts[e], 0.5) << e;
        EXPECT_NEAR(run.season.detections[e].intro->end, starts[e] + 6, 0.5) << e;
        if (!kApplyPictureWindows) continue;
        ASSERT_EQ(run.season.episodes[e].fingerprints.visual.windows.size(), 1u) << e;
        EXPECT_LT(run.season.episodes[e].fingerprints.visual.windows[0].length(), 12.0) << e;
    }
    EXPECT_FALSE(run.season.detections[4].intro);
    EXPECT_TRUE(run.season.episodes[4].fingerprints.visual.windows.empty());  // doubtful: all of it
}

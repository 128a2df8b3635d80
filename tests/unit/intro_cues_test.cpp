// Cue finders (shot cuts, black frames, silence) and cue snapping of intro boundaries
// (boundary_cues.hpp) on generated pictures, frame lists and samples (no media files).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "vidseg/intro/boundary_cues.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"

using namespace vidseg::intro;
using vidseg::media::Image;
using vidseg::media::PixelLayout;
using vidseg::timeline::Interval;

namespace {

// Random grey blocks (seeded), scaled by gain: a "shot" is one seed; a fade scales it.
Image shot(unsigned seed, double time, double gain = 1) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> v(20, 235);
    std::vector<int> cells(64);
    for (auto& c : cells) c = v(rng);
    Image img;
    img.width = 64, img.height = 36, img.layout = PixelLayout::Gray8, img.time = time;
    img.pixels.resize(64 * 36);
    for (int y = 0; y < 36; ++y)
        for (int x = 0; x < 64; ++x)
            img.pixels[std::size_t(y * 64 + x)] = uint8_t(std::lround(cells[std::size_t((y / 5) % 8 * 8 + x / 8)] * gain));
    return img;
}

// Frames [from, to) at fps: shot_of(t) gives the seed (0 = black).
template <class F>
CueWindow window_of(double from, double to, double fps, F shot_of) {
    CueWindow w;
    w.from = from, w.to = to;
    std::vector<Image> images;
    for (long k = std::lround(from * fps); double(k) / fps < to - 1e-9; ++k) {
        const double t = double(k) / fps;
        const unsigned s = shot_of(t);
        images.push_back(shot(s ? s : 1, t, s ? 1.0 : 0.0));
        w.frames.push_back(cue_frame(images.back()));
    }
    w.cuts = find_shot_cuts(images);
    w.black = find_black_runs(w.frames, 20, 6);
    return w;
}

std::vector<float> tone(double seconds, double freq, double amp, unsigned noise_seed = 0) {
    std::vector<float> x(std::size_t(seconds * kFingerprintSampleRate));
    std::mt19937 rng(noise_seed);
    std::normal_distribution<double> n(0, 1);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double t = double(i) / kFingerprintSampleRate;
        // A melody: the pitch changes every 0.1 s, so a shifted copy does not correlate.
        const double f = freq * std::pow(2.0, double((i / 1102) * 5 % 12) / 12);
        x[i] = float(amp * (noise_seed ? 0.5 * n(rng) : std::sin(2 * M_PI * f * t)));
    }
    return x;
}

}  // namespace

TEST(IntroCues, ShotCutsAreFoundWhereTheShotChanges) {
    std::vector<Image> frames;
    for (int k = 0; k < 20; ++k) frames.push_back(shot(1, k * 0.04));
    for (int k = 20; k < 40; ++k) frames.push_back(shot(2, k * 0.04, 1.0 - 0.002 * (k - 20)));  // slow dimming
    for (int k = 40; k < 42; ++k) frames.push_back(shot(3, k * 0.04));
    const auto cuts = find_shot_cuts(frames);
    ASSERT_EQ(cuts.size(), 2u);
    EXPECT_NEAR(cuts[0], 0.80, 1e-9);
    EXPECT_NEAR(cuts[1], 1.60, 1e-9);
}

TEST(IntroCues, BlackRunsAndSilenceGaps) {
    std::vector<CueFrame> frames;
    for (int k = 0; k < 20; ++k) frames.push_back({k * 0.04, 1, (k >= 5 && k < 9) || k >= 18 ? 8.0 : 120.0, 2.0});
    frames[2].luma = 15, frames[2].spread = 30;  // dark but detailed: not black
    const auto black = find_black_runs(frames, 20, 6);
    ASSERT_EQ(black.size(), 2u);
    EXPECT_NEAR(black[0].start, 0.20, 1e-9);
    EXPECT_NEAR(black[0].end, 0.36, 1e-9);
    EXPECT_NEAR(black[1].start, 0.72, 1e-9);
    EXPECT_NEAR(black[1].end, 0.80, 1e-9);  // the last frame's time + one period

    auto samples = tone(0.5, 440, 0.3);
    samples.resize(samples.size() + std::size_t(0.3 * kFingerprintSampleRate), 0.0f);  // 0.3-s gap
    const auto more = tone(0.4, 330, 0.3);
    samples.insert(samples.end(), more.begin(), more.end());
    samples.resize(samples.size() + std::size_t(0.08 * kFingerprintSampleRate), 0.0005f);  // -66 dBFS, too short
    samples.insert(samples.end(), more.begin(), more.end());
    const auto gaps = find_silences(samples, kFingerprintSampleRate, 10.0, -55, 0.15);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NEAR(gaps[0].start, 10.5, 0.021);
    EXPECT_NEAR(gaps[0].end, 10.8, 0.021);
    // Quiet but not silent (-40 dBFS noise) is no gap.
    EXPECT_TRUE(find_silences(tone(1, 0, 0.02, 7), kFingerprintSampleRate, 0, -55, 0.15).empty());
}

// The intro shows shots 11, 12 (cut at 3.0), 13 until 5.0 in this episode; the partner shows the same
// 2 s earlier (offset 2). The body is this episode's own (shot 21) / the partner's (31).
TEST(IntroCues, EndSnapsToTheCutWhereThePicturesStopMatching) {
    auto intro_shot = [](double t) -> unsigned { return t < 3.0 ? 12 : 13; };
    const auto own = window_of(2.5, 7.5, 25, [&](double t) { return t < 5.0 ? intro_shot(t) : 21u; });
    const auto partner = window_of(0.0, 6.0, 25, [&](double t) { return t < 3.0 ? intro_shot(t + 2) : 31u; });
    const std::vector<CuePartner> partners{{&partner, 2.0}};

    // The sound said 4.3 (a silent end card): the cut at 5.0 is 0.7 s away and agrees.
    auto snap = snap_boundary(own, 4.3, false, partners);
    EXPECT_EQ(snap.cue, BoundaryCue::ShotCut);
    EXPECT_NEAR(snap.time, 5.0, 1e-9);
    // From the other side too (a music tail).
    snap = snap_boundary(own, 5.8, false, partners);
    EXPECT_EQ(snap.cue, BoundaryCue::ShotCut);
    EXPECT_NEAR(snap.time, 5.0, 1e-9);
    // Between the frame before the cut and the cut: the alignment agrees and stands, the cue confirms it.
    snap = snap_boundary(own, 4.985, false, partners);
    EXPECT_EQ(snap.cue, BoundaryCue::ShotCut);
    EXPECT_NEAR(snap.time, 4.985, 1e-9);
    // Just after the cut: moved to it.
    snap = snap_boundary(own, 5.02, false, partners);
    EXPECT_EQ(snap.cue, BoundaryCue::ShotCut);
    EXPECT_NEAR(snap.time, 5.0, 1e-9);
    // The cut at 3.0 inside the intro is nearer to 3.2 but the pictures match on both sides of it;
    // the one at 5.0 is beyond the tolerance: nothing moves.
    snap = snap_boundary(own, 3.2, false, partners);
    EXPECT_EQ(snap.cue, BoundaryCue::None);
    EXPECT_NEAR(snap.time, 3.2, 1e-9);
    // As a start boundary the cut at 5.0 disagrees (matching pictures before it, not after).
    EXPECT_EQ(snap_boundary(own, 5.1, true, partners).cue, BoundaryCue::None);
    // A partner that shows the same pictures after the cut too (a sponsor card follows the intro in
    // every episode): the cut is not where the matching stops.
    const auto same_after = window_of(0.0, 6.0, 25, [&](double t) { return t < 3.0 ? intro_shot(t + 2) : 21u; });
    EXPECT_EQ(snap_boundary(own, 4.6, false, {{&same_after, 2.0}}).cue, BoundaryCue::None);
    // No partner pictures: nothing to agree with.
    EXPECT_EQ(snap_boundary(own, 4.6, false, {}).cue, BoundaryCue::None);
}

TEST(IntroCues, StartSnapsToTheEdgeOfABlackRunThatAgrees) {
    // This episode: own shot 21 until 10.0, black 10.0-10.4 (the intro fades in from black), intro shot 12.
    const auto own = window_of(8.0, 12.5, 25, [](double t) -> unsigned { return t < 10.0 ? 21 : t < 10.4 ? 0 : 12; });
    const auto partner = window_of(4.0, 8.5, 25, [](double t) -> unsigned { return t < 6.0 ? 31 : t < 6.4 ? 0 : 12; });
    auto snap = snap_boundary(own, 10.13, true, {{&partner, 4.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::BlackFrame);
    EXPECT_NEAR(snap.time, 10.0, 1e-9);
    // Nearer the run's end: still its start, as the black recurs in the partner (a fade from black
    // belongs to the intro).
    snap = snap_boundary(own, 10.41, true, {{&partner, 4.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::BlackFrame);
    EXPECT_NEAR(snap.time, 10.0, 1e-9);
    // A partner that cuts straight from its own pictures to the intro: the black is this episode's.
    const auto no_black = window_of(4.0, 8.5, 25, [](double t) -> unsigned { return t < 6.4 ? 31 : 12; });
    snap = snap_boundary(own, 10.41, true, {{&no_black, 4.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::BlackFrame);
    EXPECT_NEAR(snap.time, 10.4, 1e-9);
}

TEST(IntroCues, ALongBlackRunCountsIntoTheIntroOnlyWhenThePartnersShowItToo) {
    // The intro (shot 12) fades to 0.8 s of black at 20.0, the body (21) starts at 20.8.
    const auto own = window_of(18.0, 23.0, 25, [](double t) -> unsigned { return t < 20.0 ? 12 : t < 20.8 ? 0 : 21; });
    const auto with_black = window_of(15.0, 20.0, 25, [](double t) -> unsigned { return t < 17.0 ? 12 : t < 17.8 ? 0 : 31; });
    const auto without = window_of(15.0, 20.0, 25, [](double t) -> unsigned { return t < 17.0 ? 12 : 31; });
    auto snap = snap_boundary(own, 20.75, false, {{&with_black, 3.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::BlackFrame);
    EXPECT_NEAR(snap.time, 20.8, 1e-9);
    // The other episode goes straight to its body: the black is this episode's, the intro ends at 20.0.
    snap = snap_boundary(own, 20.75, false, {{&without, 3.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::BlackFrame);
    EXPECT_NEAR(snap.time, 20.0, 1e-9);
}

TEST(IntroCues, SilenceGapSnapsAnAudioOnlyBoundary) {
    // Audio only: the intro's melody until 5.0, silence 5.0-5.6, then the episode's own noise; the
    // partner has the same melody 1 s earlier, then a noise of its own.
    const auto melody = tone(5.0, 300, 0.3);
    CueWindow own;
    own.from = 3.0, own.to = 7.0;
    own.audio.assign(melody.begin() + std::ptrdiff_t(3.0 * kFingerprintSampleRate), melody.end());
    own.audio.resize(own.audio.size() + std::size_t(0.6 * kFingerprintSampleRate), 0.0f);
    const auto own_noise = tone(1.4, 0, 0.2, 3);
    own.audio.insert(own.audio.end(), own_noise.begin(), own_noise.end());
    own.silences = find_silences(own.audio, kFingerprintSampleRate, own.from, -55, 0.15);
    ASSERT_EQ(own.silences.size(), 1u);
    CueWindow partner;
    partner.from = 1.0, partner.to = 7.0;
    partner.audio.assign(melody.begin() + std::ptrdiff_t(2.0 * kFingerprintSampleRate), melody.end());
    const auto partner_noise = tone(3.0, 0, 0.2, 5);
    partner.audio.insert(partner.audio.end(), partner_noise.begin(), partner_noise.end());

    // The alignment put the end inside the gap (5.4): it moves to where the intro's sound stops.
    auto snap = snap_boundary(own, 5.4, false, {{&partner, 1.0}});
    EXPECT_EQ(snap.cue, BoundaryCue::Silence);
    EXPECT_NEAR(snap.time, 5.0, 0.021);
    // As a start the gap disagrees: the shared sound is before it, not after.
    EXPECT_EQ(snap_boundary(own, 5.4, true, {{&partner, 1.0}}).cue, BoundaryCue::None);
    // Names round-trip (JSON output).
    for (auto c : {BoundaryCue::None, BoundaryCue::ShotCut, BoundaryCue::BlackFrame, BoundaryCue::Silence})
        EXPECT_EQ(parse_boundary_cue(boundary_cue_name(c)), c);
    EXPECT_FALSE(parse_boundary_cue("fade").has_value());
}

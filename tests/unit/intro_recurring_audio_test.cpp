// Recurring audio (recurring_audio.hpp, issue 16 §2): the picture check that tells a reused sound from an
// intro, the per-episode list, and its cache form.
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "support/visual_fingerprint_support.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/recurring_audio.hpp"
#include "vidseg/intro/season_structure.hpp"

using namespace vidseg::intro;
using vidseg::test::random_pictures;
using vidseg::timeline::Interval;

TEST(IntroRecurringAudio, PictureAgreementSeesTheSamePicturesAtTheOffsetAndOthersElsewhere) {
    auto a = random_pictures(160, 1), b = random_pictures(160, 2);
    // a's 10-20 s are b's 4-14 s (offset a - b = 6 s), with 3 bits of re-encoding noise.
    for (std::size_t i = 40; i < 80; ++i) b.hashes[i - 24] = a.hashes[i] ^ 0x7;
    EXPECT_DOUBLE_EQ(picture_agreement(a, b, Interval{10, 20}, 6.0), 1.0);
    EXPECT_FALSE(pictures_clearly_differ(a, b, Interval{10, 20}, 6.0));
    // The same stretch of a against b at another offset: unrelated pictures.
    EXPECT_LT(picture_agreement(a, b, Interval{10, 20}, -3.0), 0.2);
    EXPECT_TRUE(pictures_clearly_differ(a, b, Interval{10, 20}, -3.0));
    // Flat pictures (hash 0) cannot tell: no verdict.
    for (std::size_t i = 0; i < 40; ++i) a.hashes[i] = 0;
    EXPECT_LT(picture_agreement(a, b, Interval{0, 9.75}, 0.0), 0.0);
    EXPECT_FALSE(pictures_clearly_differ(a, b, Interval{0, 9.75}, 0.0));
    // No pictures at all: no verdict.
    EXPECT_LT(picture_agreement(VisualFingerprint{}, b, Interval{10, 20}, 6.0), 0.0);
}

TEST(IntroRecurringAudio, ListMergesOverlapsKeepsKindsApartAndDropsTheIntro) {
    std::vector<RecurringAudio> list;
    add_recurring_audio(list, Interval{30, 36}, 2, true);
    add_recurring_audio(list, Interval{10, 14}, 1, true);
    add_recurring_audio(list, Interval{34, 38}, 3, true);
    add_recurring_audio(list, Interval{35, 37}, 2, false);  // another kind: not merged
    ASSERT_EQ(list.size(), 3u);
    EXPECT_DOUBLE_EQ(list[0].interval.start, 10);
    EXPECT_DOUBLE_EQ(list[1].interval.start, 30);
    EXPECT_DOUBLE_EQ(list[1].interval.end, 38);
    EXPECT_EQ(list[1].partners, (std::vector<std::size_t>{2, 3}));
    EXPECT_TRUE(list[1].pictures_differ);
    EXPECT_FALSE(list[2].pictures_differ);
    const Interval intro{9, 12};
    const auto kept = outside_intro(list, &intro);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_DOUBLE_EQ(kept[0].interval.start, 30);
    EXPECT_EQ(outside_intro(list, nullptr).size(), 3u);
}

TEST(IntroRecurringAudio, CacheFormRoundTripsAndRejectsOtherTypes) {
    std::vector<RecurringAudio> list{{Interval{1.5, 7.25}, {0, 4}, true}, {Interval{20, 22}, {3}, false}};
    const auto back = recurring_audio_from(nlohmann::json::parse(recurring_audio_json(list).dump()));
    ASSERT_EQ(back.size(), 2u);
    EXPECT_DOUBLE_EQ(back[0].interval.end, 7.25);
    EXPECT_EQ(back[0].partners, (std::vector<std::size_t>{0, 4}));
    EXPECT_TRUE(back[0].pictures_differ);
    EXPECT_FALSE(back[1].pictures_differ);
    EXPECT_THROW(recurring_audio_from(nlohmann::json::object()), nlohmann::json::exception);
    EXPECT_THROW(recurring_audio_from(nlohmann::json::parse(R"([[1, 2, "yes", []]])")), nlohmann::json::exception);
}

TEST(IntroRecurringAudio, AudioFirstPassHandsRecurrencesOutsideTheIntroToThePictures) {
    std::vector<IntroDetection> found(3);
    for (auto& d : found) {
        d.intro = Interval{0, 10};
        d.confirmations = 2;
    }
    EXPECT_TRUE(audio_detection_suffices(found));
    found[1].recurring_audio.push_back({Interval{40, 46}, {0}, false});
    EXPECT_FALSE(audio_detection_suffices(found));
}

// The season's structure (season_structure.hpp): pictures are evidence only where they agree somewhere.
namespace {

PairRun run_of(Interval a, double offset, int evidence, bool pictures_differ = false) {
    PairRun r{a, Interval{a.start - offset, a.end - offset}, offset, evidence};
    r.pictures_differ = pictures_differ;
    return r;
}

}  // namespace

TEST(IntroSeasonStructure, SoundAndPictureIntroNeedsTheSupportAndPicturesCountFromTwoEpisodes) {
    // Three episodes: 0-1 and 0-2 share [10, 20) in episode 0 by sound and pictures; 1-2 share only sound.
    SeasonRuns season{3, {{0, 1}, {0, 2}, {1, 2}}, {}};
    season.runs = {{run_of(Interval{10, 20}, 5, 3)}, {run_of(Interval{10, 20}, -2, 3)}, {run_of(Interval{5, 15}, -7, 1)}};
    auto av = sound_and_picture_intros(season, 2);
    ASSERT_TRUE(av[0]);
    EXPECT_DOUBLE_EQ(av[0]->start, 10);
    EXPECT_FALSE(av[1]);  // one partner only
    EXPECT_FALSE(pictures_are_evidence(av));
    av = sound_and_picture_intros(season, 1);
    ASSERT_TRUE(av[1] && av[2]);
    EXPECT_DOUBLE_EQ(av[2]->start, 12);
    EXPECT_TRUE(pictures_are_evidence(av));
    // No run with both kinds of evidence: music under changing pictures, nothing counts.
    season.runs = {{run_of(Interval{10, 20}, 5, 1)}, {run_of(Interval{10, 20}, -2, 1)}, {}};
    EXPECT_FALSE(pictures_are_evidence(sound_and_picture_intros(season, 1)));
}

TEST(IntroSeasonStructure, DifferingPicturesDemoteOnlyWherePicturesCountAndAwayFromTheIntro) {
    const std::vector<std::optional<Interval>> av{Interval{10, 20}, Interval{5, 15}};
    const auto cue = run_of(Interval{40, 46}, 35, 1, true);  // episode 0's cue hears episode 1's intro
    EXPECT_TRUE(demoted_by_pictures(cue, 0, 1, av, true));
    EXPECT_FALSE(demoted_by_pictures(cue, 0, 1, av, false));  // the season's intro has no pictures of its own
    EXPECT_FALSE(demoted_by_pictures(run_of(Interval{40, 46}, 35, 1, false), 0, 1, av, true));
    // At both episodes' sound-and-picture intro (its pictures differ in this pair only): the intro.
    EXPECT_FALSE(demoted_by_pictures(run_of(Interval{10, 20}, 5, 1, true), 0, 1, av, true));
}

TEST(IntroSeasonStructure, AStretchHeardTwiceInAnEpisodeIsARepeatOfTheLongerOne) {
    // Partner 1's intro [0, 12) is heard at 20-32 s (the intro) and at 50-56 s (a cue of its first half);
    // partner 2's intro only at 21-33 s (overlaps the intro: the same place, not a repeat).
    const std::vector<EpisodeCandidateView> cands{
        {Interval{20, 32}, 1, 20}, {Interval{50, 56}, 1, 50}, {Interval{21, 33}, 2, 21}, {Interval{60, 64}, 2, 10}};
    const auto repeat = repeats_within_episode(cands);
    EXPECT_EQ(repeat, (std::vector<bool>{false, true, false, false}));  // 60-64 hears partner 2 at 50-54
}

TEST(IntroSeasonStructure, MuchShorterThanTheSeasonOnlyWithAgreeingPictures) {
    EXPECT_TRUE(too_short_for_season(4, 21, false));
    EXPECT_FALSE(too_short_for_season(4, 21, true));  // an intro shortened in this episode keeps its pictures
    EXPECT_FALSE(too_short_for_season(12, 21, false));
    EXPECT_FALSE(too_short_for_season(4, 0, false));
    // The season's length where pictures count: the median of its sound-and-picture intros.
    EXPECT_DOUBLE_EQ(sound_and_picture_length({Interval{0, 10}, std::nullopt, Interval{5, 19}, Interval{2, 13}}), 11);
    EXPECT_DOUBLE_EQ(sound_and_picture_length({std::nullopt, std::nullopt}), 0);
}

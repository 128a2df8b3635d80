// The season-structure rules of issue 16 §2 added after the blind seed 4 (season_structure.hpp rules (c)
// and (d), structural_ends.hpp), each on season-structure inputs: a two-episode intro variant, the
// position consistent with the season's intros, a scene two intros share, and an intro end placed by
// the partners' intros and the pictures where speech over it broke the sound.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "support/visual_fingerprint_support.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/season_structure.hpp"
#include "vidseg/intro/structural_ends.hpp"

using namespace vidseg::intro;
using vidseg::test::random_pictures;
using vidseg::timeline::Interval;

namespace {

using Intros = std::vector<std::optional<Interval>>;
using Singles = std::vector<std::optional<SinglePartnerCandidate>>;

// Six episodes: 0-3 carry the season's intro (16 s after cold opens of 0-22 s), 4-5 none yet.
Intros season_of_four() {
    return {Interval{0, 16}, Interval{22, 38}, Interval{0, 16}, Interval{11, 27}, {}, {}};
}

// Episodes 4 and 5 share [5, 18) / [6.6, 19.6) with each other only, by sound and pictures.
Singles mutual_pair(int evidence = 3) {
    Singles s(6);
    s[4] = SinglePartnerCandidate{Interval{5, 18}, 5, evidence, -1.6};
    s[5] = SinglePartnerCandidate{Interval{6.6, 19.6}, 4, evidence, 1.6};
    return s;
}

}  // namespace

TEST(IntroSeasonRules, TwoNeighbouringEpisodesSharingSoundAndPicturesAreAnIntroVariant) {
    EXPECT_EQ(two_episode_variants(mutual_pair(), season_of_four()),
              (std::vector<bool>{false, false, false, false, true, true}));
}

TEST(IntroSeasonRules, ATwoEpisodeVariantNeedsBothKindsOfEvidence) {
    // The sound alone (a reused cue, a catchphrase) or the pictures alone (a shared photo): no intro.
    EXPECT_EQ(two_episode_variants(mutual_pair(1), season_of_four()), std::vector<bool>(6, false));
    EXPECT_EQ(two_episode_variants(mutual_pair(2), season_of_four()), std::vector<bool>(6, false));
}

TEST(IntroSeasonRules, ATwoEpisodeVariantMustBeMutualAndOfNeighbours) {
    auto single = mutual_pair();
    single[5]->partner = 3;  // episode 5's best single match is another episode: not a pair
    EXPECT_EQ(two_episode_variants(single, season_of_four()), std::vector<bool>(6, false));
    // Episodes 1 and 4 (not neighbours: a recap of an old episode, a shared location).
    Intros intros{Interval{0, 16}, {}, Interval{0, 16}, Interval{11, 27}, {}, Interval{6, 22}};
    Singles far(6);
    far[1] = SinglePartnerCandidate{Interval{5, 18}, 4, 3, 0};
    far[4] = SinglePartnerCandidate{Interval{5, 18}, 1, 3, 0};
    EXPECT_EQ(two_episode_variants(far, intros), std::vector<bool>(6, false));
}

TEST(IntroSeasonRules, ATwoEpisodeVariantNeedsASeasonWithAnIntroAndEpisodesWithoutIt) {
    // No intro elsewhere (nothing tells what an intro of this season looks like): no variant.
    EXPECT_EQ(two_episode_variants(mutual_pair(), Intros(6)), std::vector<bool>(6, false));
    // One other episode only: still no season intro to compare positions with.
    Intros one(6);
    one[0] = Interval{0, 16};
    EXPECT_EQ(two_episode_variants(mutual_pair(), one), std::vector<bool>(6, false));
    // An episode that already has the season's intro keeps it (its single match is something else).
    auto intros = season_of_four();
    intros[5] = Interval{0, 16};
    EXPECT_EQ(two_episode_variants(mutual_pair(), intros), std::vector<bool>(6, false));
}

TEST(IntroSeasonRules, PositionConsistentWithTheSeasonsIntros) {
    // Starts 0..22 s, median length 16 s: consistent from -16 s to 38 s.
    const auto intros = season_of_four();
    EXPECT_TRUE(position_consistent(Interval{5, 18}, intros));
    EXPECT_TRUE(position_consistent(Interval{37.9, 50}, intros));
    EXPECT_FALSE(position_consistent(Interval{38.5, 50}, intros));  // a scene of the body
    EXPECT_FALSE(
        position_consistent(Interval{5, 18}, Intros{Interval{0, 16}, {}, {}}));  // one intro: unknown
    // A variant pair placed in the body, past every intro of the season: no intro.
    auto single = mutual_pair();
    single[4]->interval = Interval{45, 58};
    EXPECT_EQ(two_episode_variants(single, intros), std::vector<bool>(6, false));
}

TEST(IntroSeasonRules, AOneEvidenceRunInsideTwoIntrosAtAnotherOffsetIsASharedScene) {
    // Episode 0's intro [0, 11) (variant A), episode 3's [7.4, 21.4) (variant B); a photo both show.
    const Intros av{Interval{0, 11}, {}, {}, Interval{7.4, 21.4}};
    PairRun photo{Interval{5.4, 10.6}, Interval{16.1, 21.3}, 5.4 - 16.1, 2};
    EXPECT_TRUE(scene_shared_by_intros(photo, 0, 3, av));
    // The same run with both kinds of evidence is the intro's own match: never removed here.
    photo.evidence = 3;
    EXPECT_FALSE(scene_shared_by_intros(photo, 0, 3, av));
    // At the offset of the two intros' starts (same variant, speech over its sound): the intro itself.
    PairRun same{Interval{1, 9}, Interval{8.4, 16.4}, -7.4, 2};
    EXPECT_FALSE(scene_shared_by_intros(same, 0, 3, av));
    // Outside either intro (a body scene), or an episode without one: not decided by this rule.
    PairRun body{Interval{30, 35}, Interval{16.1, 21.1}, 13.9, 1};
    EXPECT_FALSE(scene_shared_by_intros(body, 0, 3, av));
    EXPECT_FALSE(scene_shared_by_intros(photo, 0, 1, av));
}

TEST(IntroSeasonRules, EndFromTheStructureWhenMostPartnersReachFurtherWithAgreeingPictures) {
    // Speech over the end: the sound stopped at 17.9 s; four partners' intros end at 24.66-24.75 s here.
    const std::vector<PartnerBoundary> partners{{24.66, true}, {24.75, true}, {24.75, true}, {24.75, true}};
    const auto end = end_from_structure(17.9, partners);
    ASSERT_TRUE(end);
    EXPECT_DOUBLE_EQ(*end, 24.75);
    // A difference within kMaxEndExtension is the refinement's (an end card of the episode's own).
    EXPECT_FALSE(end_from_structure(24.0, partners));
    // Pictures that stop agreeing for one of them (a shortened intro, then the body): no change.
    EXPECT_FALSE(end_from_structure(17.9, {{24.66, true}, {24.75, false}, {24.75, true}, {24.75, true}}));
    // Only a minority of partners reach further (one partner's intro runs into a recap): no change.
    EXPECT_FALSE(end_from_structure(17.9, {{24.66, true}, {18.0, false}, {17.8, false}}));
    // One partner in all: it decides; two partners or more: two are needed.
    EXPECT_TRUE(end_from_structure(17.9, {{24.66, true}}));
    EXPECT_FALSE(end_from_structure(17.9, {{24.66, true}, {17.9, false}}));
    EXPECT_FALSE(end_from_structure(17.9, {}));
}

TEST(IntroSeasonRules, StartFromTheStructureIsTheMirror) {
    const auto start = start_from_structure(9.0, {{4.6, true}, {4.7, true}, {4.5, true}});
    ASSERT_TRUE(start);
    EXPECT_DOUBLE_EQ(*start, 4.6);
    EXPECT_FALSE(start_from_structure(5.5, {{4.6, true}, {4.7, true}, {4.5, true}}));
}

TEST(IntroSeasonRules, PicturesGoOnRelativeToHowTheyAgreeInsideTheIntro) {
    // Sampled at an offset a fraction of a slot off, fast pictures agree on ~0.65 of slots in the
    // intro and ~0.48 after the speech-broken end: they go on. Another scene agrees on almost none.
    EXPECT_TRUE(pictures_go_on(0.48, 0.65));
    EXPECT_FALSE(pictures_go_on(0.05, 0.65));
    EXPECT_FALSE(pictures_go_on(0.3, 0.9));   // under half of the intro's own agreement
    EXPECT_FALSE(pictures_go_on(0.15, 0.2));  // above half, but pictures that clearly differ
    EXPECT_TRUE(pictures_go_on(0.6, -1));     // nothing to compare inside: an absolute majority
    EXPECT_FALSE(pictures_go_on(0.4, -1));
    EXPECT_FALSE(pictures_go_on(-1, 0.9));  // nothing to compare in the stretch
}

TEST(IntroSeasonRules, ExtendByStructureOnFingerprints) {
    // Three episodes with the same intro pictures (80 slots = 20 s) after cold opens of 0 / 4 / 2 s.
    const auto intro = random_pictures(80, 7);
    std::vector<EpisodeFingerprints> fps(3);
    const double cold[3] = {0, 4, 2};
    for (std::size_t e = 0; e < 3; ++e) {
        auto body = random_pictures(240, unsigned(100 + e));
        auto& v = fps[e].visual;
        v = body;
        const std::size_t at = std::size_t(cold[e] / 0.25);
        for (std::size_t k = 0; k < intro.hashes.size(); ++k) v.hashes[at + k] = intro.hashes[k];
        fps[e].has_video = true;
        fps[e].duration = v.duration;
    }
    std::vector<IntroDetection> d(3);
    d[0].intro = Interval{0, 20};
    d[1].intro = Interval{4, 14.5};  // speech over its second half: the sound stopped at 14.5 s
    d[2].intro = Interval{2, 22};
    d[0].matches = {{1, -4, 3}, {2, -2, 3}};
    d[1].matches = {{0, 4, 3}, {2, 2, 3}};
    d[2].matches = {{0, 2, 3}, {1, -2, 3}};
    extend_intros_by_structure(fps, d);
    ASSERT_TRUE(d[1].intro);
    EXPECT_DOUBLE_EQ(d[1].intro->end, 24);
    EXPECT_DOUBLE_EQ(d[1].intro->start, 4);
    EXPECT_DOUBLE_EQ(d[0].intro->end, 20);  // the others are unchanged
    EXPECT_DOUBLE_EQ(d[2].intro->end, 22);
    // An intro shortened in episode 1 (its body's own pictures after 14.5 s): it stays short.
    for (std::size_t k = 58; k < 100; ++k)
        fps[1].visual.hashes[k] = random_pictures(1, unsigned(900 + k)).hashes[0];
    d[1].intro = Interval{4, 14.5};
    extend_intros_by_structure(fps, d);
    EXPECT_DOUBLE_EQ(d[1].intro->end, 14.5);
}

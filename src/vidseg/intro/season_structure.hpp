// Which recurrences of a season may be its intro (issue 16 §2, the rule decided for the conflict between
// "the same sound and the same pictures" and intros whose music plays under changing pictures):
// pictures are evidence only where they agree somewhere.
//
// (a) When the season has an intro whose sound AND pictures agree across episodes, a recurrence the
//     sound alone found, whose pictures clearly differ and which is not where that intro is in both
//     episodes, is recurring audio (a reused cue, a catchphrase, a jingle), not a candidate.
// (b) Structure, in every season: an intro is heard once per episode — a shorter stretch that hears the
//     same stretch of the partner as a longer candidate of the same episode is a repeat of it; and an
//     intro much shorter than the season's consensus is only kept when its pictures agree too (an
//     intro shortened in one episode keeps its pictures; a reused cue or a repeated photo does not).
// (c) A variant change mid-season: two neighbouring episodes whose intro differs from the rest share it
//     with each other only; their one match is an intro when sound AND pictures agree, neither episode
//     has the season's intro, and it sits where the season's intros sit (position consistent).
// (d) A scene two intros share (a photo or clip shot used by two variants): a run found by one kind of
//     evidence only, lying inside both episodes' sound-and-picture intros, is part of them, not a
//     recurrence of its own.
// When the season's intro itself has no consistent pictures (music under changing pictures, recap-style
// openings) nothing is demoted by (a): sound agreement, position and once-per-episode decide.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

// The runs of every aligned pair (pairs[k] = (i, j), runs[k] its runs seen from i), already limited
// to plausible intro lengths and positions.
struct SeasonRuns {
    std::size_t episodes = 0;
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    std::vector<std::vector<PairRun>> runs;
};

// Per episode, the stretch its sound and pictures share with at least min_support other episodes (the
// stretch confirmed by the most partners), nullopt where none.
std::vector<std::optional<timeline::Interval>> sound_and_picture_intros(const SeasonRuns& season,
                                                                        std::size_t min_support);

// Whether pictures are evidence in this season: two episodes or more have a sound-and-pictures intro.
bool pictures_are_evidence(const std::vector<std::optional<timeline::Interval>>& av_intros);

// Rule (a) for run (of pair i, j): true = recurring audio, not a candidate.
bool demoted_by_pictures(const PairRun& run, std::size_t i, std::size_t j,
                         const std::vector<std::optional<timeline::Interval>>& av_intros, bool pictures_count);

// Rule (b), once per episode: for one episode's candidates (interval in the episode, partner, offset
// = episode time - partner time, length), true for each that hears a stretch of its partner a longer
// candidate of the same partner hears at another place of this episode.
struct EpisodeCandidateView {
    timeline::Interval interval;
    std::size_t partner = 0;
    double offset = 0;
};
std::vector<bool> repeats_within_episode(const std::vector<EpisodeCandidateView>& candidates);

// Rule (b), consensus length: the median length of the season's intros; an intro shorter than
// kMinShareOfConsensus of it without any partner agreeing on sound and pictures is withheld.
inline constexpr double kMinShareOfConsensus = 0.5;
bool too_short_for_season(double length, double consensus_length, bool pictures_agree);

// The median length of the sound-and-picture intros (0 when there are none): where pictures count, a
// candidate without both kinds of evidence under half of it is no intro either (a photo or clip scene
// two intro variants share, too short for the sound to contradict; a cue of the theme).
double sound_and_picture_length(const std::vector<std::optional<timeline::Interval>>& av_intros);

// Rule (d) for run (of pair i, j): a one-evidence run inside the sound-and-picture intros of both
// episodes (each side within its episode's intro, 0.5 s tolerance) that is not that pair's alignment
// of them (another offset, or the intros are of different variants): true = not a candidate.
bool scene_shared_by_intros(const PairRun& run, std::size_t i, std::size_t j,
                            const std::vector<std::optional<timeline::Interval>>& av_intros);

// Position consistent with the season's intros (at least two): the start lies within the span of their
// starts widened by their median length on both sides (cold opens vary; a body scene is beyond).
bool position_consistent(const timeline::Interval& candidate,
                         const std::vector<std::optional<timeline::Interval>>& intros);

// Rule (c): an episode with no intro whose best group has exactly one partner (with four or more
// episodes one partner is not enough by itself).
struct SinglePartnerCandidate {
    timeline::Interval interval;
    std::size_t partner = 0;
    int evidence = 0;   // 3 = sound and pictures
    double offset = 0;  // this episode's time - partner's time
};
// For each episode, true when its single-partner candidate is a two-episode intro variant: sound and
// pictures agree, the partner's candidate is mutual (it names this episode), the two are neighbours in
// the season's order, neither has an intro (intros[e]), the season has intros in two other episodes
// or more and both candidates are position consistent with them.
std::vector<bool> two_episode_variants(const std::vector<std::optional<SinglePartnerCandidate>>& single,
                                       const std::vector<std::optional<timeline::Interval>>& intros);

}  // namespace vidseg::intro

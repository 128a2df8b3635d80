// An intro's boundaries from the season's structure where its sound cannot place them (issue 16 §2):
// speech over the start or the end of an intro hides it from the audio fingerprint and from the
// sample-level refinement, so the sound stops agreeing seconds before the intro ends. The confirming
// episodes still show where it ends: their own (refined) intros, mapped through the match offset into
// this episode. Where most partners' intros reach further and the pictures go on agreeing over the
// whole stretch, the intro lasts as long as theirs. Differences up to kMaxEndExtension are the
// refinement's and the end consensus' (intro_consensus.hpp), never moved here.
#pragma once

#include <optional>
#include <vector>

#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_detector.hpp"

namespace vidseg::intro {

// One confirming episode's boundary seen from this episode: where the partner's own intro starts or
// ends in this episode's time, and whether the pictures of the two agree over the stretch between
// this episode's boundary and that one.
struct PartnerBoundary {
    double mapped = 0;
    bool pictures_agree = false;
};

// Whether the pictures go on agreeing over a stretch: gap_share / inside_share = the share of agreeing
// picture slots over the stretch / inside the intro, at the same offset (picture_agreement; negative =
// nothing to compare). Pictures sampled 4 times a second at an offset known to a slot agree less where
// they change fast, so the stretch is judged against the intro itself: at least half its share, and
// above kClearlyDiffer (a body's other pictures agree on almost no slot).
inline constexpr double kClearlyDiffer = 0.2;  // recurring_audio.hpp: pictures_clearly_differ
bool pictures_go_on(double gap_share, double inside_share);

// The end the structure gives (nullopt = keep own_end): the partners whose mapped end lies more than
// kMaxEndExtension past own_end must be a majority of all partners and at least two (one when there is
// only one partner), and the pictures must agree over the stretch for each of them; the end is then
// the median of their mapped ends.
std::optional<double> end_from_structure(double own_end, const std::vector<PartnerBoundary>& partners);
// The same for a start that the structure places earlier.
std::optional<double> start_from_structure(double own_start, const std::vector<PartnerBoundary>& partners);

// Applies both to every detected intro (after refinement: partners' intros are final), comparing the
// pictures of episode and partner (fingerprints[i].visual); episodes or partners without pictures keep
// theirs. Reads every detection's intro before changing any (the result does not depend on order).
void extend_intros_by_structure(const std::vector<EpisodeFingerprints>& fingerprints,
                                std::vector<IntroDetection>& detections);

}  // namespace vidseg::intro

// Where one episode's intro ends, from what its confirming episodes say (issue 16 §2). An intro may
// end with a second of the episode's own — a sting of its own under the shared end card, or an
// episode title card over the shared theme — so each partner sees the recurrence end either there or
// a second earlier, depending on which modality it shares. The intro keeps its structure: it lasts as
// long as at least two partners still share it (sound or pictures), but a later end agreed by a
// minority may extend the median by at most kMaxEndExtension (a sponsor card or a recap after the
// intro, repeated in a few episodes only, is several seconds long and stays out).
#pragma once

#include <vector>

#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

inline constexpr double kMaxEndExtension = 1.5;  // seconds

// The median of ends, or the second-latest end when it is within kMaxEndExtension of the median.
// Empty: 0.
double consensus_end(std::vector<double> ends);

// Whether a's pictures over `tail` (a stretch after where the sound stopped agreeing) are the same as
// b's at a's time - offset on most comparable slots (at least 2 slots).
bool pictures_continue(const VisualFingerprint& a, const VisualFingerprint& b, const timeline::Interval& tail,
                       double offset);

}  // namespace vidseg::intro

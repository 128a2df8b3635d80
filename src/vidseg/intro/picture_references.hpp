// A fused pass over the episodes that need pictures and a few references only (issue 16 §1). When the
// audio-first pass leaves some episodes in doubt (picture_windows.hpp), the confident ones only have to
// show their intro's pictures to the doubtful ones; a season of 100 episodes with 7 doubtful ones does
// not need the pictures (nor the picture alignments) of all 93 others. The fused pass then runs on the
// doubtful episodes and up to kPictureReferences confident episodes of each audio intro variant,
// spread over the season; the confident episodes keep their audio-pass detections, the doubtful ones
// take the fused pass's, joined to the season's series of their references.
#pragma once

#include <cstddef>
#include <vector>

#include "vidseg/intro/series_grouping.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

// Confident episodes per audio intro variant whose pictures a doubtful episode is compared with (the
// detector wants min(3, usable - 1) confirmations; twice that leaves room for a reference whose
// pictures differ).
inline constexpr std::size_t kPictureReferences = 6;

// The episodes (sorted indices into audio_pass) the fused pass needs: every episode whose picture
// window list is empty (doubtful, or not readable) and up to kPictureReferences confident episodes of
// each variant, evenly spread. All of them when any episode has recurring audio (the season's
// structure then needs every episode's pictures: season_structure.hpp) or when no episode is doubtful
// (every window list empty).
std::vector<std::size_t> picture_pass_episodes(const std::vector<IntroDetection>& audio_pass,
                                               const std::vector<std::vector<timeline::Interval>>& windows);

// The season's result from its audio pass (all episodes) and a fused pass over `members` (indices of
// the audio pass's episodes, in the fused pass's order): the detections, reasons and fingerprints of
// the members that are not confident (`windows[i]` empty) come from the fused pass (partner indices
// mapped back), and such an episode, when in no series, joins the audio-pass series of a reference it
// was grouped with.
// Confident episodes keep their audio-pass detection (no_video false: their pictures were not needed).
SeriesDetection merge_picture_pass(SeriesDetection audio, const std::vector<std::size_t>& members,
                                   SeriesDetection fused, const std::vector<std::vector<timeline::Interval>>& windows);

}  // namespace vidseg::intro

// Pictures only where the sound leaves a season in doubt (issue 16 §1). When the audio-first pass
// cannot decide every episode (audio_detection_suffices is false), the fused pass needs pictures —
// but not all of them: an episode the sound placed confidently (an intro confirmed by enough
// partners, of the season's typical length) only has to show its intro's pictures to the doubtful
// episodes (no intro found, too few confirmations, an odd length, no audio), whose whole span is
// decoded. The confident episodes' pictures are decoded in a window around their audio intro, so a
// season of 100 episodes with one doubtful episode decodes one span and 99 short windows instead of
// 100 spans (decoding the video was 3/4 of such a season's CPU).
#pragma once

#include <string>
#include <vector>

#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/visual_fingerprint.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

// Seconds of pictures kept on each side of a confident audio intro: its audio run already spans the
// intro (confirmed, of the typical length) to within a few tenths of a second, and a doubtful
// partner's picture run must be able to reach past both ends of it. (On the bench's 50-80-s
// episodes a window is still a third of the file; on real ones it is a few percent.)
inline constexpr double kPictureWindowMargin = 2.5;

// Whether detect_season decodes only the windows (off: whole spans, as before issue 16 §1). Off: with the
// windows (and the doubtful-only fused pass, picture_references.hpp) the season-structure rules
// (season_structure.hpp, structural_ends.hpp) lose the pictures they judge recurring sound by: on the
// repeated-sound benchmark's blind seeds 4-7 mean IoU fell from 0.998 to 0.90-0.97 with false intros
// (catchphrases) and missed jingles. Switch on again only with the structure's evidence kept.
inline constexpr bool kApplyPictureWindows = false;

// Per detection of an audio-first pass (one per episode, in order): the windows whose pictures the
// fused pass decodes; an empty list = the whole span. Episodes with an error get an empty list. When
// no episode is doubtful (the season failed audio_detection_suffices for another reason) every list
// is empty: nothing is known to be enough.
std::vector<std::vector<timeline::Interval>> picture_windows(const std::vector<IntroDetection>& audio_pass,
                                                              double span);

// The windows sorted, overlapping ones merged, clipped to [0, duration) (duration <= 0: not clipped
// at the end): what VisualFingerprint::windows holds.
std::vector<timeline::Interval> decoded_windows(std::vector<timeline::Interval> windows, double duration);

// As fingerprint_video(path, seconds, options), but only the slots inside `windows` (sorted or not,
// overlapping merged) are decoded and hashed; every other slot is flat (hash 0, luma 0), which never
// matches. A slot inside a window gets the same hash as in fingerprint_video (the decoder starts at
// the keyframe before the window). `duration`: the file's duration (0 = unknown) — the slot count of
// the whole fingerprint is that of [0, min(seconds, duration)). The result's `windows` are the decoded ones.
VisualFingerprint fingerprint_video_windows(const std::string& path, double seconds,
                                            const VisualFingerprintOptions& options,
                                            std::vector<timeline::Interval> windows, double duration);

}  // namespace vidseg::intro

// Unsupervised intro detection for the episodes of one series (SPEC §2): the fragment that repeats
// from episode to episode. Every pair of episodes is aligned on its Chromaprint fingerprints
// (episode_alignment.hpp) and on its pictures' perceptual hashes (visual_alignment.hpp); runs found by
// both at the same offset are fused. Each episode takes the matched interval confirmed by the most
// other episodes; boundaries are then refined on re-decoded audio and frames (boundary_refiner.hpp).
// No match with enough other episodes = no intro (never a guess).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/recurring_audio.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct IntroDetectOptions {
    double max_start = 900;   // an intro starts within the first max_start seconds
    double min_length = 1;    // seconds
    double max_length = 120;  // seconds
    AlignmentOptions alignment;  // min_length is taken from above
    // Below this confidence (0..1) an episode's intro is withheld: reported as none (abstain).
    double min_confidence = 0.3;
    // Refine boundaries on re-decoded audio and frames around them (detect_intros only: it has the files).
    bool refine = true;
    // Then snap refined boundaries to shot cuts / black frames / silence where they agree with the
    // alignment (boundary_cues.hpp); needs refine.
    bool cues = true;
    VisualFingerprintOptions visual;  // sampling of the visual fingerprints
    int threads = 0;                  // episodes decoded / pairs aligned in parallel (0 = one per core)
};

class PairAlignments;  // pair_alignments.hpp: per-pair alignments shared by grouping and detection

// A run two episodes share, fused from their audio and visual alignments, in both timelines.
struct PairRun {
    timeline::Interval a, b;
    double offset = 0;  // a - b, seconds
    int evidence = 0;   // 1 = audio, 2 = pictures, 3 = both
    // A run the sound alone found whose pictures clearly differ in the two episodes (recurring_audio.hpp):
    // recurring audio where the season's intro has pictures that agree (season_structure.hpp).
    bool pictures_differ = false;
    // A picture run overlapping such a run (kept apart from it; a candidate only where pictures count).
    bool beside_differing_sound = false;
};

// The fused runs of episodes a and b, as detection uses them: audio runs (extended by at most 4 s of
// matching pictures), picture runs whose sound does not clearly disagree; runs covering most of both
// files dropped. memo (nullptr = none) must have been made from the same options (PairAlignments(options)).
std::vector<PairRun> align_episode_pair(const EpisodeFingerprints& a, const EpisodeFingerprints& b,
                                        const IntroDetectOptions& options, PairAlignments* memo = nullptr);

// The editing mark a boundary was snapped to (boundary_cues.hpp); None = the alignment result stands.
enum class BoundaryCue { None, ShotCut, BlackFrame, Silence };
// "none", "shot_cut", "black_frame", "silence"; parse_boundary_cue is its inverse (nullopt: unknown).
const char* boundary_cue_name(BoundaryCue cue) noexcept;
std::optional<BoundaryCue> parse_boundary_cue(const std::string& name) noexcept;

// Another episode that confirms an intro, and where: partner's time = this episode's time - offset.
struct IntroMatch {
    std::size_t partner = 0;  // index into the episodes / fingerprints given
    double offset = 0;        // seconds
    int evidence = 0;         // 1 = audio, 2 = pictures, 3 = both
};

struct IntroDetection {
    std::string episode;                      // the path as given
    std::optional<timeline::Interval> intro;  // nullopt = no intro (or the episode is unusable)
    double confidence = 0;  // share of the other usable episodes whose audio confirms the intro
    int confirmations = 0;  // how many other episodes confirm it
    // Empty when the episode was fingerprinted; else why it was skipped (unreadable, no audio).
    // Skipped episodes take part in nothing.
    std::string error;
    bool no_audio = false;  // the episode has no audio stream (only its pictures were compared)
    bool no_video = false;  // the episode has no video stream (only its audio was compared)
    // Which intro variant the episode shows (0, 1, ...: episodes with the same intro content share
    // it; a new intro from the middle of a season gets a new id); -1 = no intro.
    int variant = -1;
    std::vector<IntroMatch> matches;  // the confirming episodes (best run of each)
    // Cue snapping (IntroDetectOptions::cues): the cue each boundary was snapped to, and the intro as
    // the alignment placed it (set when cue snapping ran on this intro).
    BoundaryCue start_cue = BoundaryCue::None, end_cue = BoundaryCue::None;
    std::optional<timeline::Interval> aligned;
    // Sound of this episode that recurs in others but is not its intro (recurring_audio.hpp); partners
    // index the episodes given. Entries whose pictures were not compared make the audio-first pass
    // hand the season to the fused one (audio_detection_suffices).
    std::vector<RecurringAudio> recurring_audio;
};

// One detection per episode, in input order. Episodes that cannot be read are reported through
// IntroDetection::error, never thrown; with fewer than two usable episodes every intro is nullopt.
// Throws Error(InvalidArgument) for fewer than two episodes or inconsistent options.
//
// Consensus per episode E: the matched runs of E with every other episode F (audio and/or visual,
// each [min_length, max_length] long and starting before max_start; runs covering most of both files
// and pictures whose informative sound disagrees are dropped) are grouped when they overlap by at
// least half of the shorter one; a group's support = the distinct F in it (a run seen by both
// modalities counts 1, by one 0.8). Among the groups within 75 % of the best support the longest
// wins (a logo sting or sponsor card repeats as often as the intro but is shorter); with four or more
// episodes at least two must confirm (a recap matches only the previous episode) — except two neighbouring
// episodes of an intro variant whose sound AND pictures match each other only, where the season's intros
// sit (season_structure.hpp, rule c; confidence 1/3). Boundaries are the
// medians over the F; confidence = support / min(3, episodes - 1), abstaining below min_confidence.
// Episodes whose intros confirm each other share a variant id.
std::vector<IntroDetection> detect_intros(const std::vector<std::string>& episodes,
                                          const IntroDetectOptions& options = {}, Progress* progress = nullptr);

// Audio-first fast path: whether detections made from audio fingerprints alone (visual.fps = 0)
// can stand without the pictures, so video decoding (most of the cost) can be skipped. True only
// when every usable episode has audio, an intro confirmed by min(3, episodes - 1) others, and an
// intro length within 0.5 s of the median: an episode without an audio match may have a silent or
// speech-covered intro (pictures needed), a shorter one may have speech over its start or end, and
// Episodes with an error are ignored. "No intro" stands on audio alone only when no episode has
// one and every episode's sound (audio[i], one per detection, nullptr = none) is informative all
// through (levels known, no quiet stretch of min_length seconds where silent-intro pictures could
// hide); a single episode without a match among matching ones is never decided without the pictures
// (speech over its intro). Limitation: pictures repeated under different, never-silent sound in every
// episode are missed by the default fast path (same as --audio-only).
bool audio_detection_suffices(const std::vector<IntroDetection>& audio_only,
                              const std::vector<const AudioFingerprint*>& audio = {}, double min_length = 1.0);

// The same on fingerprints already computed (one per episode; ids are used as IntroDetection::episode).
// Audio and visual evidence are fused; boundaries are at fingerprint resolution (no re-decoding:
// options.refine is ignored here, see refine_intro_boundaries in boundary_refiner.hpp).
// memo (nullptr = none): alignments already made (e.g. by series grouping) are reused, new ones added.
std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<EpisodeFingerprints>& fingerprints,
                                                            const IntroDetectOptions& options = {},
                                                            Progress* progress = nullptr,
                                                            PairAlignments* memo = nullptr);
// Audio-only form (kept for callers that have only Chromaprint fingerprints).
std::vector<IntroDetection> detect_intros_from_fingerprints(const std::vector<std::string>& ids,
                                                            const std::vector<AudioFingerprint>& fingerprints,
                                                            const IntroDetectOptions& options = {},
                                                            Progress* progress = nullptr);

}  // namespace vidseg::intro

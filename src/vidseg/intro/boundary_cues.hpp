// Cue snapping of refined intro boundaries (issue 4 §3): around each boundary the episode's own
// frames and sound are decoded again (+-1.5 s, 64-px grey pictures, 11025 Hz mono) and searched for
// the marks an editor leaves at the edge of an intro — hard shot cuts, black frames, silence. A
// boundary moves to such a cue only when the cue lies within a tolerance and agrees with the
// alignment evidence: a cut or the edge of a black run exactly where the intro's pictures stop (or
// begin) matching those of the confirming episodes; a silence gap at a boundary the pictures cannot
// tell (no video), bordered by sound that matches on the intro's side only. Otherwise the alignment
// result stands. Why: Chromaprint items span ~2.6 s and the sample-level refinement follows the
// sound, which can stop before the pictures do (a silent end card) or run past them (a music tail).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/media/image.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct CueOptions {
    double tolerance = 1.0;   // seconds a boundary may move to a cue
    double black_luma = 20;   // mean luma (0..255) at or below which a frame is black ...
    double black_spread = 6;  // ... when its luma's standard deviation is at most this
    double cut_threshold = 0.35;  // vision::SceneCutDetector score that starts a new shot
    double silence_db = -55;  // RMS (dBFS) over 20 ms below which sound is silence
    double min_silence = 0.15;  // seconds of silence that make a gap
    double match_span = 0.5;    // seconds of frames on each side of a cue checked against the partners
    int threads = 0;            // episodes' windows decoded in parallel (0 = one per core)
};

// One decoded frame of a cue window.
struct CueFrame {
    double time = 0;     // presentation time (s)
    uint64_t hash = 0;   // perceptual_hash (visual_fingerprint.hpp)
    double luma = 0;     // mean luma 0..255
    double spread = 0;   // standard deviation of the luma (a dark picture still has detail; black has none)
};

// What the episode shows and sounds like in [from, to).
struct CueWindow {
    double from = 0, to = 0;
    bool at_end = false;                           // `to` is the end of the media (the window was cut short)
    std::vector<CueFrame> frames;                  // every frame, in time order (empty: no video)
    std::vector<double> cuts;                      // times of the first frame of each new shot
    std::vector<timeline::Interval> black;         // runs of black frames [first black, first non-black)
    std::vector<float> audio;                      // mono kFingerprintSampleRate samples from `from` (empty: no audio)
    std::vector<timeline::Interval> silences;      // silence gaps (clipped to the window)
    bool covers(double a, double b) const noexcept { return a >= from - 1e-6 && b <= to + 1e-6; }
};

// ---- cue finders (pure; unit-tested on synthetic frames and samples) ----
// Times of the first frame of each new shot among frames in time order (vision::SceneCutDetector,
// no minimum shot length: a cut may follow another one frame later).
std::vector<double> find_shot_cuts(const std::vector<media::Image>& frames, double threshold = 0.35);
// Runs of black frames (mean luma <= max_luma, spread <= max_spread): [time of the first, time of the
// frame after the run); a run reaching the last frame ends at that frame's time + one frame period.
std::vector<timeline::Interval> find_black_runs(const std::vector<CueFrame>& frames, double max_luma,
                                                double max_spread);
// A frame's time, perceptual hash and luma statistics.
CueFrame cue_frame(const media::Image& image);
// Silence gaps in mono samples (rate Hz, first sample at `start` seconds): RMS over 20 ms windows
// below threshold_db for at least min_length seconds.
std::vector<timeline::Interval> find_silences(const std::vector<float>& samples, int rate, double start,
                                              double threshold_db, double min_length);

// Decodes [from, to) of an episode (video: every frame, 64 px grey; audio: 11025 Hz mono) and finds
// its cues. A missing or unreadable stream leaves its part empty (never throws for that).
CueWindow decode_cue_window(const std::string& path, double from, double to, const CueOptions& options = {});

// A confirming episode's view of the same moment: its frames / sound, with offset = this episode's
// time - partner's time (IntroMatch::offset).
struct CuePartner {
    const CueWindow* window = nullptr;
    double offset = 0;
};

struct CueSnap {
    double time = 0;                    // the boundary after snapping (== the input when no cue)
    BoundaryCue cue = BoundaryCue::None;
};

// Snaps one boundary (is_start: the intro's start, else its end) of the episode whose window is
// `own`, using the partners' windows for the agreement test (see the file comment). Pure.
// Picture cues (own and some partner have frames) are tried nearest first within options.tolerance;
// the first that agrees with the majority of the partners that can tell wins, and the boundary becomes
// the cue's frame time — unless it already lies between the frame before the cue and the cue (then it
// stays: the cue confirms it; a frame-rate conversion can put the true change anywhere in there).
// Of a black run whose both edges agree, the edge that counts the (recurring) black into the intro
// wins. Silence gaps are used only when no pictures can be compared.
CueSnap snap_boundary(const CueWindow& own, double boundary, bool is_start, const std::vector<CuePartner>& partners,
                      const CueOptions& options = {});

// Cue snapping of every refined intro in `detections` (in place; sets start_cue / end_cue and keeps
// the alignment result in `aligned`). paths as for refine_intro_boundaries.
void snap_intro_boundaries(const std::vector<std::string>& paths, std::vector<IntroDetection>& detections,
                           Progress* progress = nullptr, const CueOptions& options = {});

}  // namespace vidseg::intro

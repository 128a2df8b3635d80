// Scores how good a frame is as the keyframe of a fragment (`vidseg dataset build --keyframe best`):
// sharp (no motion blur / defocus), well exposed, and showing a person. Each component is in [0, 1]
// and the total is their weighted mean, so scores are comparable across fragments and videos.
//
//   sharpness = v / (v + 100), v = variance of the 3x3 Laplacian of luma at the analysis width
//               (100 is the usual "blurry below" threshold of this measure, so it maps to 0.5);
//   exposure  = brightness term × (1 − clipped share): the brightness term is 1 for a mean luma in
//               [70, 185] and falls linearly to 0 at black (0) and white (255); clipped = pixels with
//               luma <= 8 or >= 247 (crushed shadows, blown highlights);
//   person    = 1 with a detected face (0.75 + 0.25 × min(1, largest face area / 2 % of the frame),
//               so a close face beats a tiny one), 0.5 with only a body (HOG), 0 with nobody;
//   total     = (w_s × sharpness + w_e × exposure + w_p × person) / (w_s + w_e + w_p).
// The OpenCV measurements and detectors run in the dlopen()ed vision module (vision_backend.hpp):
// the first score() / pick_best() loads it (Error(Unsupported) when libvidseg_vision.so cannot be loaded).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"
#include "vidseg/vision/person_detector.hpp"

namespace vidseg::vision {

struct KeyframeScore {
    double total = 0;
    double sharpness = 0;  // components, each 0..1
    double exposure = 0;
    double person = 0;
    // Raw measurements behind the components.
    double laplacian_variance = 0;
    double mean_luma = 0;      // 0..255
    double clipped_share = 0;  // 0..1
    int faces = 0;
    int bodies = 0;
    // False when pick_best skipped detection because even person = 1 could not make this frame win;
    // then person, faces and bodies are 0 and total is a lower bound.
    bool person_checked = true;
};

struct BestKeyframe {
    size_t index = 0;       // into the candidates
    KeyframeScore score;    // of that candidate (always person_checked when detection is on)
    size_t detections = 0;  // person detections actually run (<= candidates)
};

struct KeyframeWeights {
    double sharpness = 0.5;
    double exposure = 0.25;
    double person = 0.25;
};

struct KeyframeScorerOptions {
    KeyframeWeights weights;
    // Frames are measured at this width (scaled down, never up) so that the sharpness of a 4K and a
    // 360p copy of one lesson agree.
    int analysis_width = 640;
    bool detect_people = true;  // false: person = 0 for every frame, no OpenCV data files needed
    // Detection runs at its own, smaller width (PersonDetectorOptions::analysis_width, see there):
    // Haar + HOG cost ~80 + 105 ms per frame at 640 px and ~40 + 45 ms at 480 px on this machine.
    PersonDetectorOptions detector;
};

class KeyframeScorer {
  public:
    // Throws InvalidArgument for negative weights or weights summing to 0; what PersonDetector
    // throws when detect_people and the face cascade is missing.
    explicit KeyframeScorer(KeyframeScorerOptions options = {});
    ~KeyframeScorer();
    KeyframeScorer(KeyframeScorer&&) noexcept;
    KeyframeScorer& operator=(KeyframeScorer&&) noexcept;

    // Rgb24 or Gray8; throws InvalidArgument for an empty image or a short pixel buffer.
    // Not thread-safe (see PersonDetector).
    KeyframeScore score(const media::Image& image);

    // The best of several candidate frames (times[i] = time of frames[i]; ties go to the one closest
    // to `middle`, as best_candidate). Same choice as scoring every frame fully, but person detection
    // (the expensive part) runs in decreasing order of the sharpness + exposure part and stops once
    // no remaining frame could win even with a person in it.
    // Throws InvalidArgument when frames is empty or sizes differ.
    BestKeyframe pick_best(const std::vector<media::Image>& frames, const std::vector<double>& times,
                           double middle);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// `count` candidate times evenly spread over [start, end): the centres of `count` equal slices, so
// the first and last frames (often a cut or a transition) are avoided and an odd count includes
// the middle. With fps > 0 the count is capped at the number of frames in the interval.
// Throws InvalidArgument when end <= start or count < 1.
std::vector<double> candidate_times(double start, double end, int count, double fps = 0);

// Index of the best score: highest total; ties go to the candidate closest to `middle`
// (times[i] are the candidates' times). Throws InvalidArgument when empty or sizes differ.
size_t best_candidate(const std::vector<KeyframeScore>& scores, const std::vector<double>& times,
                      double middle);

}  // namespace vidseg::vision

// `vidseg dataset build --keyframe best`: instead of the middle frame, score `candidates` frames
// spread over each fragment's interval (vision/keyframe_scorer.hpp: sharpness, exposure, visible
// person) and keep the best one. Candidates of one video are decoded in one batched, frame-exact
// pass (media::FrameReader::read_many) at the scorer's analysis width; the builder then reads the
// chosen frames at full size.
#pragma once

#include "vidseg/dataset/dataset_plan.hpp"
#include "vidseg/vision/keyframe_scorer.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::dataset {

enum class KeyframeMode { Middle, Best };

// "middle" / "best"; throws InvalidArgument naming the option otherwise.
KeyframeMode parse_keyframe_mode(const std::string& text);

struct KeyframeChoiceOptions {
    int candidates = 12;  // per fragment (fewer when the interval has fewer frames)
    vision::KeyframeScorerOptions scorer;
    Progress* progress = nullptr;
};

// For every item: keyframe_time = presentation time of the best-scoring candidate frame,
// keyframe_score = its score, box = the item's track at that time (no box when the track does
// not cover it). Sets plan.keyframes_scored. Throws what FrameReader and KeyframeScorer throw.
void choose_best_keyframes(DatasetPlan& plan, const KeyframeChoiceOptions& options);

}  // namespace vidseg::dataset

// `vidseg dataset build --keyframe best`: instead of the middle frame, score `candidates` frames
// spread over each fragment's interval (vision/keyframe_scorer.hpp: sharpness, exposure, visible
// person) and keep the best one. `--keyframe model:FILE`: the same candidates, chosen by a ranker
// learned from review decisions (keyframe_ranker.hpp) instead of the fixed score. Every candidate is
// scored fully (person detection included) so that its features can be stored
// (keyframe_candidates.hpp) and learned from later. Candidates of one video are decoded in one batched, frame-exact
// pass (media::FrameReader::read_many) at the scorer's analysis width; the builder then reads the
// chosen frames at full size.
//
// Scoring costs decoding + analysing every candidate, so a build keeps the choice of each fragment
// as a value artifact of its build manifest (build_manifest.hpp, artifact "keyframe_choice": time,
// score and every candidate's scores, keyed by the video fingerprint, the interval, the candidate
// count and the scorer's settings); a re-run with the same inputs takes it from there and decodes
// nothing — with another chooser (best <-> model, another model) too: the stored candidates are
// ranked again.
#pragma once

#include <filesystem>

#include "vidseg/dataset/dataset_plan.hpp"
#include "vidseg/dataset/keyframe_candidates.hpp"
#include "vidseg/vision/keyframe_scorer.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::dataset {

enum class KeyframeMode { Middle, Best, Model };

// "middle" / "best" / "model:FILE"; throws InvalidArgument naming the option otherwise.
KeyframeMode parse_keyframe_mode(const std::string& text);
// FILE of "model:FILE" ("" for the other modes).
std::string keyframe_model_path(const std::string& text);

class KeyframeRanker;

struct KeyframeChoiceOptions {
    int candidates = 12;  // per fragment (fewer when the interval has fewer frames)
    // When set: every scored candidate is also written as <dir>/<item>/<k>.jpg (at the analysis
    // width) and <dir>/candidates.json lists them per item ({"<item>": {"chosen": t, "candidates":
    // [{"time": t, "image": "<item>/<k>.jpg"}]}}), so that a review can pick another frame.
    // Choices reused from the manifest have no candidates there.
    std::filesystem::path candidates_dir;
    vision::KeyframeScorerOptions scorer;
    const KeyframeRanker* ranker = nullptr;  // null: the fixed score (best); else the learned ranker
    Progress* progress = nullptr;
};

class ResumableStage;

struct KeyframeChoiceStats {
    size_t chosen = 0;               // items scored in this run
    size_t reused = 0;               // items whose choice came from the manifest / journal
    size_t candidates_decoded = 0;   // candidate frames decoded and scored in this run
    // Every item's scored candidates (for keyframe_candidates.jsonl), `suggested` = the choice made.
    std::vector<FragmentCandidates> fragments;
};

// For every item: keyframe_time = presentation time of the best-scoring candidate frame (by the
// ranker when options.ranker is set),
// keyframe_score = its score, box = the item's track at that time (no box when the track does
// not cover it). Sets plan.keyframes_scored. With a stage, choices whose key is unchanged are
// reused and new ones recorded there. Throws what FrameReader and KeyframeScorer throw.
KeyframeChoiceStats choose_best_keyframes(DatasetPlan& plan, const KeyframeChoiceOptions& options,
                                          ResumableStage* stage = nullptr);

}  // namespace vidseg::dataset

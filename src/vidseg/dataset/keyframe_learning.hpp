// `vidseg keyframes learn`: review decisions of dataset builds as training data for the keyframe
// ranker (keyframe_ranker.hpp), and the agreement of a ranker and of the fixed heuristic score with
// the reviewers on decisions it was not trained on.
//
// A review folder is the output of `dataset build --keyframe best|model:FILE`: review.jsonl
// (review.hpp) and keyframe_candidates.jsonl (keyframe_candidates.hpp). Per fragment with candidates,
// the latest decision of review.jsonl says what the reviewer chose:
//   - a picked keyframe ("keyframe": seconds, the latest row that has one): the candidate at that
//     time (within 1 ms; a pick that is not one of the candidates is counted and skipped), weight 1;
//   - kept without a pick: the reviewer saw and accepted the suggested frame, weight
//     `accepted_weight` (0 leaves these out);
//   - excluded: the fragment was left out, which says nothing about its frames: skipped (counted);
//   - no decision: skipped.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/dataset/keyframe_ranker.hpp"

namespace vidseg::dataset {

struct ReviewedChoice {
    FragmentCandidates fragment;
    size_t target = 0;    // the candidate the reviewer chose
    bool picked = false;  // by a pick (else: the suggestion was accepted)
    double weight = 1;
};

struct ReviewExamples {
    std::vector<ReviewedChoice> choices;
    size_t folders = 0;
    size_t fragments = 0;           // with candidates
    size_t picks = 0, accepted = 0;  // choices by kind
    size_t excluded = 0, undecided = 0, picks_off_candidates = 0, single_candidate = 0;
};

struct ReviewReadOptions {
    double accepted_weight = 0.5;
};

// Reads every folder. Errors name the file: InputNotFound (a folder, its review.jsonl or its
// keyframe_candidates.jsonl missing), InvalidData (either malformed).
ReviewExamples read_review_examples(const std::vector<std::filesystem::path>& folders,
                                    const ReviewReadOptions& options = {});

std::vector<ChoiceExample> choice_examples(const ReviewExamples& examples);

// How often a chooser takes the reviewer's candidate (unweighted counts of decisions).
struct Agreement {
    size_t decisions = 0, model = 0, heuristic = 0;  // all decisions
    size_t picks = 0, model_picks = 0, heuristic_picks = 0;  // explicit picks only
};
Agreement measure_agreement(const KeyframeRanker& ranker, const ReviewExamples& examples);

nlohmann::json to_json(const ReviewExamples& examples);
nlohmann::json to_json(const Agreement& agreement);

// The whole command: read `reviews`, train, write the model to `out` atomically (its "training"
// member summarises the data), measure the agreement on the training decisions and on `evaluate`
// (held-out folders, read like `reviews` but never trained on). Throws what read_review_examples and
// KeyframeRanker::train throw (InvalidData "no review decision to learn from"), OutputError when
// `out` cannot be written.
struct KeyframeLearnConfig {
    std::vector<std::filesystem::path> reviews, evaluate;
    std::filesystem::path out;
    ReviewReadOptions read;
    RankerTrainingOptions training;
};

struct KeyframeLearnReport {
    ReviewExamples training, held_out;
    Agreement training_agreement, held_out_agreement;
    bool evaluated = false;
    KeyframeRanker ranker;
};

KeyframeLearnReport learn_keyframe_ranker(const KeyframeLearnConfig& config);
nlohmann::json to_json(const KeyframeLearnReport& report);

}  // namespace vidseg::dataset

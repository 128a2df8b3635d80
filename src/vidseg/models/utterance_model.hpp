// The utterance-level text model (issue 15 §2): patterns decided per utterance (transcript segment)
// from what was said — hashed word and character n-grams with TF-IDF (text/lexical_vectorizer.hpp),
// the previous and next utterances' words as context, and the speaker's role when the transcript
// names speakers (the lesson's main speaker, usually the teacher, or another) — by a sparse
// multi-label logistic regression with balanced class weights solved to its optimum
// (text/sparse_logistic.hpp). On the utterances of held-out lessons each pattern's score is calibrated
// (Platt scaling: the score is a probability of the pattern, not of the balanced prior); the threshold is
// the calibrated score of the balanced decision boundary (margin 0), or, on request, tuned there (best
// F1, nearest that boundary within its sampling error); then the weights are fitted again on every
// lesson, the calibration kept. Probabilities are projected
// onto the timeline grid (a row takes the utterance that overlaps it most), so the output is a
// models::Prediction like the networks' and goes through the same decoding, reports and metrics.
//
// Model file: one line of JSON, {"format": "vidseg.text-model", "version": 1, ...}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/models/trained_model.hpp"
#include "vidseg/text/chain_crf.hpp"
#include "vidseg/text/lexical_vectorizer.hpp"
#include "vidseg/text/sparse_logistic.hpp"
#include "vidseg/text/utterance_table.hpp"

namespace vidseg::models {

struct UtteranceTrainOptions {
    text::LexicalConfig lexical;
    text::LogisticOptions logistic;
    // Previous / next utterance words and the speaker role as features; off by default (the CLI's default
    // too): they cost macro-F1 on the text benchmark once thresholds stay at the balanced boundary.
    bool context = false;
    bool neighbours = true;     // with context: the previous / next utterances' words (false: the speaker role only)
    double val_fraction = 0.2;  // lessons held out to calibrate and tune the thresholds (0 = none: 0.5 for all)
    bool calibrate = true;      // Platt scaling per pattern on the held-out lessons (needs val_fraction > 0)
    bool refit = true;          // after calibrating, fit the weights again on every lesson
    // Thresholds tuned per pattern on the held-out (or out-of-fold) lessons (`train --thresholds tuned`);
    // false (default): each pattern's threshold is the score of margin 0, the boundary the balanced
    // class weights draw — scikit-learn's LogisticRegression(class_weight="balanced") decisions.
    // Held-out *training* lessons share the training lessons' phrasing: a threshold tuned on them moves
    // towards precision and loses the utterances phrased in new ways (bench/RESULTS.md, session 10).
    bool tune_thresholds = false;
    // folds >= 2: instead of one held-out share, k-fold cross-validation over whole lessons: every
    // lesson's margins come from a model that did not see it; the calibration and thresholds are chosen
    // on all of them, C (from c_grid) by their macro-F1; then one fit on every lesson.
    int folds = 0;
    std::vector<double> c_grid;  // with folds: the C values to choose among (empty: logistic.c alone)
    // A chain CRF per pattern over each lesson's utterance margins (text/chain_crf.hpp), fitted on the
    // held-out (or, with folds, out-of-fold) margins instead of the Platt scaling: `train --arch crf`.
    bool chain = false;
    std::uint64_t seed = 1;
};

// An n-gram of the utterances behind a decision and how much it pushed the pattern's score.
struct NgramWeight {
    std::string ngram;
    double weight = 0;  // sum over the utterances of weight x TF-IDF value
};

class UtteranceModel {
public:
    // Throws Error(InvalidData): no utterance with a label, a single class.
    static UtteranceModel train(const std::vector<text::LessonUtterances>& lessons, const UtteranceTrainOptions& options);
    static UtteranceModel load(const std::filesystem::path& path);
    void save(const std::filesystem::path& path) const;
    // Whether the file's first line is a text model's header (else: a network, TrainedModel).
    static bool is_text_model_file(const std::filesystem::path& path);

    const std::vector<std::string>& labels() const { return labels_; }
    const std::vector<double>& thresholds() const { return thresholds_; }
    const nlohmann::json& training() const { return training_; }
    // "utterance-crf" with a chain CRF over the utterances, else "utterance-lr".
    std::string arch() const { return chain_.empty() ? "utterance-lr" : "utterance-crf"; }

    // Probabilities per utterance: segments * labels.
    std::vector<float> predict_utterances(const std::vector<timeline::TranscriptSegment>& segments) const;

    // The lesson on a grid of `step`-second rows covering [0, duration) (features::grid_rows), with the
    // detections decoded (merge_gap, min_length as decode_detections). threshold overrides the tuned ones.
    Prediction predict(const std::string& source, const std::vector<timeline::TranscriptSegment>& segments,
                       double duration, double step = 1.0, std::optional<double> threshold = std::nullopt,
                       double merge_gap = 0, double min_length = 0) const;

    // The n-grams of the utterances overlapping `span` that pushed `label` up most (at most `top`).
    std::vector<NgramWeight> explain(const std::vector<timeline::TranscriptSegment>& segments,
                                     const timeline::Interval& span, const std::string& label, std::size_t top = 5) const;

private:
    std::vector<text::SparseRow> rows_of(const std::vector<timeline::TranscriptSegment>& segments) const;
    nlohmann::json to_json() const;

    std::vector<std::string> labels_;
    std::vector<double> thresholds_;
    bool context_ = true;
    bool neighbours_ = true;  // the neighbours' word blocks (else left empty: the speaker role only)
    text::LexicalVectorizer lexical_;
    text::SparseLogistic classifier_;
    std::vector<text::ChainCrf> chain_;  // one per label, or empty
    nlohmann::json training_ = nlohmann::json::object();
};

// Utterance probabilities projected onto rows [times[r], times[r] + window): each row takes the
// probabilities of the utterance overlapping it most (0 where nobody speaks). rows * labels.
std::vector<float> project_to_rows(const std::vector<timeline::TranscriptSegment>& segments,
                                   const std::vector<float>& utterance_probabilities, std::size_t labels,
                                   const std::vector<double>& times, double window);

}  // namespace vidseg::models

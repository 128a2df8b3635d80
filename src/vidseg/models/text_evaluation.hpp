// `vidseg patterns eval --table TEST` (issue 15 §4): a text model scored on held-out transcribed
// lessons at two levels — per utterance and on the 1 s grid (rows carry what the utterance
// overlapping them most carries, for the truth as for the prediction) — next to a bag-of-words
// logistic-regression baseline trained in the same run on the same training lessons: word unigram
// TF-IDF, no character n-grams, no context or speaker, the same solver (dual coordinate descent), threshold 0.5 (what a researcher's
// first scikit-learn TfidfVectorizer + LogisticRegression would be).
#pragma once

#include <vector>

#include "vidseg/eval/pattern_metrics.hpp"
#include "vidseg/models/utterance_model.hpp"

namespace vidseg::models {

struct TextScores {
    eval::MultiLabelMetrics utterances;
    eval::MultiLabelMetrics grid;
};

// Scores on `test` with the model's labels (a test label the model does not know is not scored).
TextScores evaluate_text_model(const UtteranceModel& model, const std::vector<text::LessonUtterances>& test,
                               double step = 1.0);

UtteranceModel train_bag_of_words_baseline(const std::vector<text::LessonUtterances>& train, std::uint64_t seed = 1);

}  // namespace vidseg::models

#include "vidseg/models/text_evaluation.hpp"

#include <algorithm>

#include "vidseg/features/timeline_features.hpp"

namespace vidseg::models {

TextScores evaluate_text_model(const UtteranceModel& model, const std::vector<text::LessonUtterances>& test,
                               double step) {
    const auto& labels = model.labels();
    const std::size_t n = labels.size();
    std::vector<std::uint8_t> truth_u, pred_u, truth_g, pred_g;
    for (const auto& lesson : test) {
        const auto segments = text::segments_of(lesson);
        std::vector<float> truth(segments.size() * n, 0.f);
        for (std::size_t i = 0; i < lesson.utterances.size(); ++i)
            for (std::size_t l = 0; l < n; ++l) {
                const auto& ls = lesson.utterances[i].labels;
                truth[i * n + l] = std::find(ls.begin(), ls.end(), labels[l]) != ls.end() ? 1.f : 0.f;
            }
        const auto probabilities = model.predict_utterances(segments);
        for (std::size_t i = 0; i < probabilities.size(); ++i) {
            truth_u.push_back(truth[i] > 0.5f);
            pred_u.push_back(probabilities[i] >= model.thresholds()[i % n]);
        }
        double end = 0;
        for (const auto& s : segments) end = std::max(end, s.end);
        const auto p = model.predict(lesson.lesson, segments, end, step);
        const auto truth_rows = project_to_rows(segments, truth, n, p.times, step);
        for (const float t : truth_rows) truth_g.push_back(t > 0.5f);
        pred_g.insert(pred_g.end(), p.decisions.begin(), p.decisions.end());
    }
    return {eval::multilabel_metrics(truth_u, pred_u, labels), eval::multilabel_metrics(truth_g, pred_g, labels)};
}

UtteranceModel train_bag_of_words_baseline(const std::vector<text::LessonUtterances>& train, std::uint64_t seed) {
    UtteranceTrainOptions o;
    o.lexical.word_min = o.lexical.word_max = 1;
    o.lexical.char_max = 0;
    o.context = false;
    o.val_fraction = 0;  // threshold 0.5
    o.seed = seed;
    return UtteranceModel::train(train, o);
}

}  // namespace vidseg::models

// The options of `vidseg predict`, for every front end: the CLI command and a `predict` job of
// `vidseg serve` ({"kind": "predict", "inputs": {"model": "NAME"}, "options": {"min-length": 2}}) are
// checked by this one table and turned into a PredictConfig by this one function; one item (a video,
// a feature file, a transcript) is predicted by the same functions in both.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/core/options.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"
#include "vidseg/models/text_prediction.hpp"
#include "vidseg/models/trained_model.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::models {

CommandSpec predict_command_spec();  // positional INPUT..., --model, --out, ...; no --lang (the CLI adds it)

struct PredictConfig {
    std::string model;  // --model
    double merge_gap = 0, min_length = 0;
    std::optional<double> threshold;
    bool rows = false, keep_going = false;
    ItemTranscript transcript;  // --transcript, --whisper-*
    text::TableColumns columns;
    features::IntroSimilarityOptions season;  // fused intro models: --series-dir, --intro-cache, ...
    TextPredictOptions text_options() const;
};

// Every field from the parsed options; no check of how many inputs there are.
PredictConfig predict_config(const ParsedOptions& options);

// One input of a network model: its features (read, or computed from the media on the model's grid),
// the network, the decoded intervals. A media file whose features do not fit is the media's fault
// (InvalidMedia); a feature file that does not fit is named as given. inference_seconds: the network only.
struct ItemPrediction {
    Prediction prediction;
    double inference_seconds = 0;
};
ItemPrediction predict_item(const TrainedModel& model, const std::string& item, const PredictConfig& config,
                            Progress* progress = nullptr);

// One video's entry of the JSON document of `vidseg predict` ("videos": [...]): source, labels, rows,
// intervals (label, start, end, score), the intro heads when the network has them, per-row
// probabilities when `rows`.
nlohmann::json prediction_json(const Prediction& prediction, bool rows);
// The same for a lesson of a text model, its intervals with the n-grams behind them.
nlohmann::json text_prediction_json(const UtteranceModel& model, const TextLessonPrediction& lesson, bool rows);

}  // namespace vidseg::models

// `vidseg predict` with a text model (models/utterance_model.hpp): what an input gives it —
//   a video       its transcript (--transcript, --whisper-backend, or one beside it:
//                 models::transcript_for_item), the grid over the media's duration;
//   a transcript  .srt / .vtt / .json segments: the grid up to the end of its last segment;
//   a table       .csv / .tsv / .xlsx of utterances (text/utterance_table.hpp): every lesson in it;
// and the intervals with the n-grams that drove each decision.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/utterance_model.hpp"

namespace vidseg::models {

struct TextLessonPrediction {
    Prediction prediction;
    std::vector<timeline::TranscriptSegment> segments;
};

struct TextPredictOptions {
    ItemTranscript transcript;
    text::TableColumns columns;
    std::optional<double> threshold;
    double merge_gap = 0, min_length = 0;
};

// Whether the file is a transcript a text model reads as one lesson (.srt, .vtt, .json by extension).
bool is_transcript_file(const std::string& path);

// Throws InputNotFound / InvalidData / InvalidMedia like the readers, InvalidArgument for a video
// without a transcript.
std::vector<TextLessonPrediction> predict_text_item(const UtteranceModel& model, const std::string& item,
                                                    const TextPredictOptions& options);

// The detections as `vidseg predict` writes intervals, each with "top_ngrams": [{"ngram", "weight"}]
// (UtteranceModel::explain, at most `top`).
nlohmann::json explained_intervals(const UtteranceModel& model, const TextLessonPrediction& lesson, std::size_t top = 5);

}  // namespace vidseg::models

// The per-lesson report of `vidseg patterns find`: a self-contained HTML page (an inline SVG
// timeline of every pattern's probability with the detected intervals and a talk lane, totals per
// pattern, teacher/student talk and silence shares, the top segments with their keyframes and
// transcript snippets) and the same figures as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/messages.hpp"
#include "vidseg/models/lesson_talk.hpp"
#include "vidseg/models/model_config.hpp"
#include "vidseg/models/trained_model.hpp"

namespace vidseg::models {

// What the report shows beside the model's output; every part may be missing, and then the report
// says why (the *_note fields).
struct LessonContext {
    std::optional<TalkShares> talk;
    std::string talk_note;                 // why there are no talk figures
    std::vector<std::string> keyframes;    // data: URIs per top segment (empty = none)
    std::string keyframe_note;
    std::optional<std::vector<std::string>> snippets;  // per top segment; nullopt = no transcript
    std::string transcript_source;         // file or transcriber the snippets came from
    std::string transcript_note;           // why there are no snippets
    // Text models (models/utterance_model.hpp): per top segment the n-grams that drove the decision
    // (n-gram, weight), and the model's kind shown instead of the network architecture.
    std::optional<std::vector<std::vector<std::pair<std::string, double>>>> top_ngrams;
    std::string model_arch;  // "" = architecture_name(info.arch)
};

// The top segments: detections ranked by score x length, at most `top`.
std::vector<Detection> top_segments(const Prediction& prediction, std::size_t top = 10);

// Totals per label (seconds, share of the lesson, intervals, mean probability), the detections,
// the top segments (with keyframe / snippet when the context has them), talk and silence shares.
nlohmann::json pattern_report_json(const Prediction& prediction, const ModelInfo& info, const LessonContext& context = {},
                                   std::size_t top = 10);

// HTML page built from pattern_report_json's figures plus the per-row probabilities, its fixed texts,
// numbers (decimal comma in Russian) and lang attribute in the messages' language. Pattern names,
// file names and the notes of the context are data: shown as they are.
std::string pattern_report_html(const Prediction& prediction, const ModelInfo& info,
                                const LessonContext& context = {}, std::size_t top = 10,
                                const Messages& messages = Messages());

}  // namespace vidseg::models

// The per-lesson report of `vidseg patterns find`: a self-contained HTML page (an inline SVG
// timeline of every pattern's probability with the detected intervals, totals per pattern, the top
// segments) and the same figures as JSON.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/models/model_config.hpp"
#include "vidseg/models/trained_model.hpp"

namespace vidseg::models {

// Totals per label (seconds, share of the lesson, intervals, mean probability), the detections and
// the top segments (score x length, at most `top`).
nlohmann::json pattern_report_json(const Prediction& prediction, const ModelInfo& info, std::size_t top = 10);

// HTML page built from pattern_report_json's figures plus the per-row probabilities.
std::string pattern_report_html(const Prediction& prediction, const ModelInfo& info, std::size_t top = 10);

}  // namespace vidseg::models

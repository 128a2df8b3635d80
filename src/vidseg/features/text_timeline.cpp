#include "vidseg/features/text_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/features/audio_timeline.hpp"

namespace vidseg::features {

std::vector<TranscriptSegment> parse_transcript(const std::string& json_text, const std::string& source) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text);
    } catch (const std::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("transcript is not JSON: ") + e.what(), source);
    }
    const nlohmann::json* list = &doc;
    if (doc.is_object()) {
        if (!doc.contains("segments")) throw Error(ErrorCode::InvalidData, "transcript has no \"segments\" array", source);
        list = &doc["segments"];
    }
    if (!list->is_array()) throw Error(ErrorCode::InvalidData, "transcript \"segments\" is not an array", source);
    std::vector<TranscriptSegment> segments;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto& s = (*list)[i];
        try {
            TranscriptSegment seg{s.at("start").get<double>(), s.at("end").get<double>(), s.value("text", std::string())};
            if (!std::isfinite(seg.start) || !std::isfinite(seg.end) || seg.end < seg.start || seg.start < 0)
                throw Error(ErrorCode::InvalidData,
                            "segment " + std::to_string(i) + " has bad times (need 0 <= start <= end)", source);
            segments.push_back(std::move(seg));
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData, "segment " + std::to_string(i) + ": " + e.what(), source);
        }
    }
    return segments;
}

std::vector<TranscriptSegment> read_transcript(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorCode::InputNotFound, "transcript not found", path);
    return parse_transcript(read_limited_file(path), path);
}

void append_text_columns(const std::vector<TranscriptSegment>& segments, FeatureMatrix& m) {
    const std::size_t rows = m.rows();
    std::vector<float> block(rows * 3, 0.0f);
    const double window = m.spec.window;
    for (const auto& seg : segments) {
        std::istringstream words(seg.text);
        std::vector<std::string> tokens;
        for (std::string w; words >> w;) tokens.push_back(w);
        const double len = seg.end - seg.start;
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const double mid = seg.start + len * (static_cast<double>(i) + 0.5) / static_cast<double>(tokens.size());
            for (std::size_t r = 0; r < rows; ++r)
                if (mid >= m.times[r] && mid < m.times[r] + window) block[r * 3] += 1.0f;
        }
        for (std::size_t r = 0; r < rows; ++r) {
            const double overlap = std::min(seg.end, m.times[r] + window) - std::max(seg.start, m.times[r]);
            if (overlap > 0) block[r * 3 + 2] += static_cast<float>(overlap / window);
        }
    }
    for (std::size_t r = 0; r < rows; ++r) {
        block[r * 3 + 1] = static_cast<float>(block[r * 3] / window);
        block[r * 3 + 2] = std::min(1.0f, block[r * 3 + 2]);
    }
    append_columns(m, {"tokens", "words_per_second", "speech_coverage"}, block);
}

}  // namespace vidseg::features

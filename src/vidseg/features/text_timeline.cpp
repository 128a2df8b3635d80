#include "vidseg/features/text_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
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
            TranscriptSegment seg{s.at("start").get<double>(), s.at("end").get<double>(), s.value("text", std::string()), {}};
            if (!std::isfinite(seg.start) || !std::isfinite(seg.end) || seg.end < seg.start || seg.start < 0)
                throw Error(ErrorCode::InvalidData,
                            "segment " + std::to_string(i) + " has bad times (need 0 <= start <= end)", source);
            if (s.contains("words") && !s["words"].is_null()) {
                seg.words = timeline::words_from_json(s["words"], "segment " + std::to_string(i));
                for (const auto& w : s["words"])  // whisperX puts the diarisation label on the words
                    if (w.is_object() && w.contains("speaker") && w["speaker"].is_string()) {
                        seg.speaker = w["speaker"].get<std::string>();
                        break;
                    }
            }
            if (s.contains("speaker") && s["speaker"].is_string()) seg.speaker = s["speaker"].get<std::string>();
            segments.push_back(std::move(seg));
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData, "segment " + std::to_string(i) + ": " + e.what(), source);
        } catch (const Error& e) {
            if (!e.subject().empty()) throw;
            throw Error(e.code(), e.cause(), source);
        }
    }
    return segments;
}

std::vector<TranscriptSegment> read_transcript(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(ErrorCode::InputNotFound, "transcript not found", path);
    return parse_transcript(read_limited_file(path), path);
}

namespace {

void append_speaker_columns(const std::vector<TranscriptSegment>& segments, FeatureMatrix& m) {
    const std::string main = main_speaker(segments);
    const std::size_t rows = m.rows();
    const double window = m.spec.window;
    std::vector<float> block(rows * 3, 0.0f);
    const std::string* previous = nullptr;
    for (const auto& seg : segments) {
        const bool turn = !seg.speaker.empty() && previous && *previous != seg.speaker;
        if (!seg.speaker.empty()) previous = &seg.speaker;
        for (std::size_t r = 0; r < rows; ++r) {
            const double overlap = std::min(seg.end, m.times[r] + window) - std::max(seg.start, m.times[r]);
            if (overlap > 0 && !seg.speaker.empty())
                block[r * 3 + (seg.speaker == main ? 0 : 1)] += static_cast<float>(overlap / window);
            if (turn && seg.start >= m.times[r] && seg.start < m.times[r] + window) block[r * 3 + 2] += 1.0f;
        }
    }
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < 2; ++c) block[r * 3 + c] = std::min(1.0f, block[r * 3 + c]);
    append_columns(m, {std::begin(kSpeakerColumns), std::end(kSpeakerColumns)}, block);
}

}  // namespace

void append_text_columns(const std::vector<TranscriptSegment>& segments, FeatureMatrix& m) {
    const std::size_t rows = m.rows();
    std::vector<float> block(rows * 3, 0.0f);
    const double window = m.spec.window;
    for (const auto& word : timeline::words_in_time(segments)) {
        const double mid = word.middle();
        for (std::size_t r = 0; r < rows; ++r)
            if (mid >= m.times[r] && mid < m.times[r] + window) block[r * 3] += 1.0f;
    }
    for (const auto& seg : segments) {
        for (std::size_t r = 0; r < rows; ++r) {
            const double overlap = std::min(seg.end, m.times[r] + window) - std::max(seg.start, m.times[r]);
            if (overlap > 0) block[r * 3 + 2] += static_cast<float>(overlap / window);
        }
    }
    for (std::size_t r = 0; r < rows; ++r) {
        block[r * 3 + 1] = static_cast<float>(block[r * 3] / window);
        block[r * 3 + 2] = std::min(1.0f, block[r * 3 + 2]);
    }
    append_columns(m, {std::begin(kTextColumns), std::end(kTextColumns)}, block);
    if (has_speakers(segments)) append_speaker_columns(segments, m);
}

std::string main_speaker(const std::vector<TranscriptSegment>& segments) {
    std::map<std::string, double> talk;
    for (const auto& seg : segments)
        if (!seg.speaker.empty()) talk[seg.speaker] += seg.end - seg.start;
    std::string main;
    double most = -1;
    for (const auto& [speaker, seconds] : talk)  // ties: the first name in order, for a stable choice
        if (seconds > most) most = seconds, main = speaker;
    return main;
}

bool has_speakers(const std::vector<TranscriptSegment>& segments) {
    return std::any_of(segments.begin(), segments.end(), [](const TranscriptSegment& s) { return !s.speaker.empty(); });
}

}  // namespace vidseg::features

#include "vidseg/asr/transcript.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::asr {

std::string language_code(const std::string& name_or_code) {
    std::string s = name_or_code;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s.size() == 2 || s.size() == 3 || s.empty()) return s;  // already a code (Whisper uses "haw", "yue")
    // OpenAI's verbose_json names the language; the ones our users meet, plus common neighbours.
    static const std::pair<const char*, const char*> names[] = {
        {"english", "en"},   {"russian", "ru"}, {"ukrainian", "uk"}, {"belarusian", "be"}, {"kazakh", "kk"},
        {"german", "de"},    {"french", "fr"},  {"spanish", "es"},   {"italian", "it"},    {"polish", "pl"},
        {"chinese", "zh"},   {"japanese", "ja"}, {"portuguese", "pt"}, {"turkish", "tr"},  {"dutch", "nl"},
    };
    for (const auto& [name, code] : names)
        if (s == name) return code;
    return "";
}

nlohmann::json to_json(const Transcript& t) {
    nlohmann::json doc;
    doc["text"] = t.text;
    doc["language"] = t.language;
    doc["language_probability"] = t.language_probability ? nlohmann::json(*t.language_probability) : nlohmann::json();
    doc["duration"] = t.duration;
    auto segments = nlohmann::json::array();
    for (const auto& s : t.segments) {
        nlohmann::json seg{{"start", s.start}, {"end", s.end}, {"text", s.text}};
        if (!s.words.empty()) seg["words"] = timeline::words_to_json(s.words);
        segments.push_back(std::move(seg));
    }
    doc["segments"] = segments;
    return doc;
}

Transcript transcript_from_json(const nlohmann::json& doc) {
    if (!doc.is_object() || !doc.contains("text") || !doc["text"].is_string())
        throw Error(ErrorCode::InvalidData, "transcript has no \"text\"");
    Transcript t;
    t.text = doc["text"].get<std::string>();
    // Servers differ in leading spaces ("verbose_json" from Whisper starts segments with one).
    const auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(" \t\n");
        const auto e = s.find_last_not_of(" \t\n");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    t.text = trim(t.text);
    if (doc.contains("language") && doc["language"].is_string()) {
        t.language = language_code(doc["language"].get<std::string>());
        if (t.language.empty()) t.language = doc["language"].get<std::string>();
    }
    if (doc.contains("language_probability") && doc["language_probability"].is_number())
        t.language_probability = doc["language_probability"].get<double>();
    if (doc.contains("duration") && doc["duration"].is_number()) t.duration = doc["duration"].get<double>();
    if (doc.contains("segments") && doc["segments"].is_array())
        for (const auto& s : doc["segments"]) {
            TranscriptSegment seg;
            seg.start = s.value("start", 0.0);
            seg.end = s.value("end", 0.0);
            seg.text = trim(s.value("text", std::string()));
            if (s.contains("words") && !s["words"].is_null())
                seg.words = timeline::words_from_json(s["words"], "segment " + std::to_string(t.segments.size()));
            t.segments.push_back(std::move(seg));
        }
    const bool segment_words = std::any_of(t.segments.begin(), t.segments.end(), [](const auto& s) { return !s.words.empty(); });
    if (!segment_words && doc.contains("words") && !doc["words"].is_null())  // servers may give both forms
        timeline::assign_words(timeline::words_from_json(doc["words"], "transcript"), t.segments);
    return t;
}

}  // namespace vidseg::asr

#include "vidseg/timeline/transcript.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::timeline {

namespace {

std::string trimmed(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool inside(double t, double start, double end) { return t >= start && t < end; }

void append(std::string& text, const std::string& piece) {
    const std::string t = trimmed(piece);
    if (!t.empty()) text += (text.empty() ? "" : " ") + t;
}

}  // namespace

std::vector<TimedWord> words_in_time(const std::vector<TranscriptSegment>& segments) {
    std::vector<TimedWord> out;
    for (const auto& seg : segments) {
        if (!seg.words.empty()) {
            out.insert(out.end(), seg.words.begin(), seg.words.end());
            continue;
        }
        std::istringstream in(seg.text);
        std::vector<std::string> tokens;
        for (std::string w; in >> w;) tokens.push_back(w);
        const double each = (seg.end - seg.start) / static_cast<double>(std::max<std::size_t>(tokens.size(), 1));
        for (std::size_t i = 0; i < tokens.size(); ++i)
            out.push_back({seg.start + each * static_cast<double>(i), seg.start + each * static_cast<double>(i + 1),
                           std::move(tokens[i])});
    }
    return out;
}

std::string text_inside(const std::vector<TranscriptSegment>& segments, double start, double end) {
    std::string text;
    for (const auto& seg : segments) {
        if (seg.words.empty()) {
            if (inside((seg.start + seg.end) / 2, start, end)) append(text, seg.text);
            continue;
        }
        for (const auto& w : seg.words)
            if (inside(w.middle(), start, end)) append(text, w.text);
    }
    return text;
}

TranscriptSegment shifted(TranscriptSegment segment, double offset) {
    segment.start += offset;
    segment.end += offset;
    for (auto& w : segment.words) {
        w.start += offset;
        w.end += offset;
    }
    return segment;
}

std::vector<TimedWord> words_from_json(const nlohmann::json& words, const std::string& where) {
    if (!words.is_array()) throw Error(ErrorCode::InvalidData, where + ": \"words\" is not an array");
    std::vector<TimedWord> out;
    out.reserve(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
        const auto& w = words[i];
        const std::string at = where + ", word " + std::to_string(i);
        const auto number = [&](const char* key) {
            if (!w.is_object() || !w.contains(key) || !w[key].is_number())
                throw Error(ErrorCode::InvalidData, at + ": needs a number \"" + key + "\"");
            return w[key].get<double>();
        };
        TimedWord word{number("start"), number("end"), {}};
        if (!std::isfinite(word.start) || !std::isfinite(word.end) || word.start < 0 || word.end < word.start)
            throw Error(ErrorCode::InvalidData, at + ": bad times (need 0 <= start <= end)");
        const char* key = w.contains("word") ? "word" : "text";
        if (!w.contains(key) || !w[key].is_string())
            throw Error(ErrorCode::InvalidData, at + ": needs a string \"word\"");
        word.text = trimmed(w[key].get<std::string>());
        if (!word.text.empty()) out.push_back(std::move(word));
    }
    return out;
}

nlohmann::json words_to_json(const std::vector<TimedWord>& words) {
    auto out = nlohmann::json::array();
    for (const auto& w : words) out.push_back({{"start", w.start}, {"end", w.end}, {"word", w.text}});
    return out;
}

void assign_words(std::vector<TimedWord> words, std::vector<TranscriptSegment>& segments) {
    if (words.empty()) return;
    if (segments.empty()) {
        TranscriptSegment all{words.front().start, words.back().end, {}, {}};
        for (const auto& w : words) append(all.text, w.text);
        all.words = std::move(words);
        segments.push_back(std::move(all));
        return;
    }
    for (auto& w : words) {
        const double m = w.middle();
        std::size_t best = 0;
        double best_distance = std::numeric_limits<double>::infinity();
        for (std::size_t i = 0; i < segments.size(); ++i) {
            const double d = m < segments[i].start ? segments[i].start - m : (m > segments[i].end ? m - segments[i].end : 0);
            if (d < best_distance) best = i, best_distance = d;
        }
        segments[best].words.push_back(std::move(w));
    }
}

}  // namespace vidseg::timeline

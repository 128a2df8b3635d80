#include "vidseg/models/lesson_transcript.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/safe_path.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::InputNotFound, "transcript not found", path.string());
    return read_limited_file(path);
}

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return {};
    return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

// "hh:mm:ss,mmm", "hh:mm:ss.mmm" or "mm:ss.mmm" -> seconds.
double cue_time(const std::string& hours, const std::string& minutes, const std::string& seconds,
                const std::string& millis) {
    return (hours.empty() ? 0.0 : std::stod(hours)) * 3600 + std::stod(minutes) * 60 + std::stod(seconds) +
           std::stod(millis) / std::pow(10.0, double(millis.size()));
}

std::string strip_tags(const std::string& text) {
    static const std::regex tag("<[^>]*>");
    return std::regex_replace(text, tag, "");
}

// The speaker of a WebVTT voice span "<v Name>" / "<v.class Name>" ("" when the line has none).
std::string voice_tag(const std::string& line) {
    static const std::regex voice(R"(<v(?:\.[^\s>]*)?\s+([^>]+)>)");
    std::smatch m;
    return std::regex_search(line, m, voice) ? trim(m[1]) : std::string();
}

}  // namespace

std::vector<TranscriptSegment> parse_subtitles(const std::string& text, const std::string& source) {
    static const std::regex timing(
        R"(^\s*(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})\s*-->\s*(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3}).*$)");
    check_utf8_text(text, source);  // the snippets go into report.json, which must be UTF-8
    std::vector<TranscriptSegment> out;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    TranscriptSegment* open = nullptr;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::smatch m;
        if (line.find("-->") != std::string::npos) {
            if (!std::regex_match(line, m, timing))
                throw Error(ErrorCode::InvalidData,
                            "line " + std::to_string(number) + ": bad cue timing '" + trim(line) + "'",
                            source);
            TranscriptSegment seg{cue_time(m[1], m[2], m[3], m[4]), cue_time(m[5], m[6], m[7], m[8]), {}, {}};
            if (seg.end < seg.start)
                throw Error(ErrorCode::InvalidData,
                            "line " + std::to_string(number) + ": cue ends before it starts", source);
            out.push_back(std::move(seg));
            open = &out.back();
            continue;
        }
        const std::string t = trim(line);
        if (t.empty()) {
            open = nullptr;  // a blank line ends the cue
            continue;
        }
        if (!open) continue;
        if (open->speaker.empty()) open->speaker = voice_tag(t);
        open->text += (open->text.empty() ? "" : " ") + strip_tags(t);
    }
    if (out.empty())
        throw Error(ErrorCode::InvalidData, "no subtitle cues (lines with 'start --> end')", source);
    return out;
}

std::vector<TranscriptSegment> read_lesson_transcript(const fs::path& path) {
    const std::string text = read_all(path);
    const std::string ext = lower(path.extension().string());
    if (ext == ".srt" || ext == ".vtt") return parse_subtitles(text, path.string());
    return features::parse_transcript(text, path.string());
}

std::optional<fs::path> find_transcript_beside(const fs::path& video) {
    const fs::path base = video.parent_path() / video.stem();
    std::error_code ec;
    for (const char* ext : {".srt", ".vtt", ".transcript.json"}) {
        fs::path candidate = base;
        candidate += ext;
        if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    fs::path json = base;
    json += ".json";
    if (fs::is_regular_file(json, ec)) {
        try {
            const auto doc = nlohmann::json::parse(read_all(json));
            if (doc.is_object() && doc.contains("segments")) return json;
        } catch (const nlohmann::json::exception&) {
            // not a transcript: some other JSON beside the video
        }
    }
    return std::nullopt;
}

std::string transcript_snippet(const std::vector<TranscriptSegment>& segments, double start, double end,
                               std::size_t max_chars) {
    const std::string text = timeline::text_inside(segments, start, end);
    if (text.size() <= max_chars) return text;
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;  // a UTF-8 character start
    const std::size_t space = text.rfind(' ', cut);
    if (space != std::string::npos && space > max_chars / 2) cut = space;
    return text.substr(0, cut) + "…";
}

}  // namespace vidseg::models

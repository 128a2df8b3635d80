#include "vidseg/intro/intro_labels.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/messages.hpp"

namespace vidseg::intro {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const char* label_form_name(LabelForm form) noexcept {
    switch (form) {
        case LabelForm::Timecodes: return "timecodes";
        case LabelForm::VkLabels: return "vk_labels";
        case LabelForm::Predictions: return "predictions";
    }
    return "unknown";
}

namespace {

[[noreturn]] void bad(const std::string& subject, const std::string& message) {
    throw Error(ErrorCode::InvalidData, message, subject);
}

std::string describe(const json& value) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

// One time value: a timecode string or a non-negative JSON number.
double parse_time(const json& value, const std::string& where, const std::string& subject) {
    if (value.is_number()) {
        const double t = value.get<double>();
        if (!std::isfinite(t) || t < 0) bad(subject, where + ": time must be >= 0, got " + describe(value));
        return t;
    }
    if (value.is_string()) {
        try {
            return timeline::parse_timecode(value.get<std::string>());
        } catch (const Error& e) {
            bad(subject, where + ": " + e.cause());
        }
    }
    bad(subject, where + ": expected a timecode string or a number, got " + describe(value));
}

std::optional<timeline::Interval> make_interval(double start, double end) {
    if (end <= start) return std::nullopt;  // SPEC §2: end <= start means "no intro"
    return timeline::Interval{start, end};
}

}  // namespace

IntroLabelFile parse_intro_labels(const json& doc, const std::string& subject) {
    if (!doc.is_object())
        bad(subject, std::string("expected a JSON object mapping video ids to intros, got ") + doc.type_name());
    IntroLabelFile out;
    bool any_object = false, any_vk = false;
    for (const auto& [id, value] : doc.items()) {
        IntroLabel label;
        label.id = id;
        const std::string where = "entry '" + id + "'";
        if (value.is_object()) {
            any_object = true;
            for (const char* key : {"start", "end"})
                if (!value.contains(key)) bad(subject, where + ": missing key '" + key + "'");
            const double start = parse_time(value.at("start"), where + " key 'start'", subject);
            const double end = parse_time(value.at("end"), where + " key 'end'", subject);
            label.intro = make_interval(start, end);
            for (const char* key : {"name", "url"}) {
                if (!value.contains(key)) continue;
                const auto& v = value.at(key);
                if (v.is_null()) continue;
                if (!v.is_string()) bad(subject, where + " key '" + key + "': expected a string, got " + describe(v));
                (std::string(key) == "name" ? label.name : label.url) = v.get<std::string>();
                any_vk = true;
            }
        } else if (value.is_array()) {
            if (value.empty() || (value.size() == 2 && value[0].is_null() && value[1].is_null())) {
                // no intro
            } else if (value.size() == 2) {
                const double start = parse_time(value[0], where + " start", subject);
                const double end = parse_time(value[1], where + " end", subject);
                label.intro = make_interval(start, end);
            } else {
                bad(subject, where + ": expected [start_sec, end_sec] or [], got " + std::to_string(value.size()) +
                                 " elements");
            }
        } else if (!value.is_null()) {
            bad(subject, where + ": expected {\"start\", \"end\"}, [start_sec, end_sec] or null, got " +
                             describe(value));
        }
        out.labels.push_back(std::move(label));
    }
    out.form = any_vk ? LabelForm::VkLabels : any_object ? LabelForm::Timecodes : LabelForm::Predictions;
    return out;
}

IntroLabelFile parse_intro_labels_text(std::string_view text, const std::string& subject) {
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond a double
        // e.what() = "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
        std::string what = e.what();
        if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        bad(subject, "malformed JSON: " + what);
    }
    return parse_intro_labels(doc, subject);
}

IntroLabelFile read_intro_labels(const fs::path& path) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw Error(ErrorCode::InputNotFound, "no such file", path.string());
    if (fs::is_directory(status))
        throw Error(ErrorCode::InvalidArgument, "is a directory, expected a label file", path.string());
    return parse_intro_labels_text(read_limited_file(path), path.string());
}

std::string match_key(std::string_view id) {
    if (const auto slash = id.find_last_of("/\\"); slash != std::string_view::npos) id.remove_prefix(slash + 1);
    const auto dot = id.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::string(id);
    const std::string_view ext = id.substr(dot + 1);
    if (ext.empty() || ext.size() > 5) return std::string(id);
    bool letter = false;
    for (char c : ext) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) || u >= 0x80) return std::string(id);
        letter = letter || std::isalpha(u);
    }
    return letter ? std::string(id.substr(0, dot)) : std::string(id);
}

namespace {

double round_ms(double t) { return std::round(t * 1000.0) / 1000.0; }

std::string timecode(double seconds) {
    const long long ms = std::llround(seconds * 1000.0);
    if (ms % 1000 != 0) return timeline::format_timecode(seconds);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", ms / 3600000, (ms / 60000) % 60, (ms / 1000) % 60);
    return buf;
}

json timecode_entry(const IntroLabel& label) {
    json entry = json::object();
    if (label.intro) {
        entry["start"] = timecode(label.intro->start);
        entry["end"] = timecode(label.intro->end);
    } else {
        entry["start"] = "00:00:00";
        entry["end"] = "00:00:00";
    }
    return entry;
}

std::string seconds3(double t) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.3f", t);
    return buf;
}

}  // namespace

json to_predictions_json(const std::vector<IntroLabel>& labels) {
    json doc = json::object();
    for (const auto& l : labels)
        doc[l.id] = l.intro ? json::array({round_ms(l.intro->start), round_ms(l.intro->end)}) : json::array();
    return doc;
}

json to_timecode_json(const std::vector<IntroLabel>& labels) {
    json doc = json::object();
    for (const auto& l : labels) doc[l.id] = timecode_entry(l);
    return doc;
}

json to_vk_labels_json(const std::vector<IntroLabel>& labels) {
    json doc = json::object();
    for (const auto& l : labels) {
        json entry = json::object();
        entry["url"] = l.url;
        entry["name"] = l.name;
        const json times = timecode_entry(l);
        entry["start"] = times["start"];
        entry["end"] = times["end"];
        doc[l.id] = entry;
    }
    return doc;
}

std::string to_edl(const std::optional<timeline::Interval>& intro, int action) {
    if (!intro) return {};
    return seconds3(intro->start) + "\t" + seconds3(intro->end) + "\t" + std::to_string(action) + "\n";
}

std::string to_ffmetadata_chapters(const std::optional<timeline::Interval>& intro, const std::string& title) {
    std::string out = ";FFMETADATA1\n";
    if (!intro) return out;
    std::string escaped;
    for (char c : title) {
        if (c == '=' || c == ';' || c == '#' || c == '\\' || c == '\n') escaped += '\\';
        escaped += c;
    }
    out += "[CHAPTER]\nTIMEBASE=1/1000\n";
    out += "START=" + std::to_string(std::llround(intro->start * 1000.0)) + "\n";
    out += "END=" + std::to_string(std::llround(intro->end * 1000.0)) + "\n";
    out += "title=" + escaped + "\n";
    return out;
}

// English from the catalogue; a console in another language shows it through Messages::from_english.
std::string intro_found_line(const std::optional<timeline::Interval>& intro) {
    const Messages messages;
    if (!intro) return messages.text(Msg::IntroNotFound);
    char start[48], end[48];
    std::snprintf(start, sizeof start, "%.2f", intro->start);
    std::snprintf(end, sizeof end, "%.2f", intro->end);
    return messages.text(Msg::IntroFound, {{"start", start}, {"end", end}});
}

}  // namespace vidseg::intro

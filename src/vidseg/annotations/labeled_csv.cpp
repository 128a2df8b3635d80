#include "vidseg/annotations/labeled_csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::annotations {

namespace {

enum class Col { Index, Start, End, Keyframe, Ignored, List, Pattern };

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

Col classify(const std::string& header) {
    static const std::map<std::string, Col> known = {
        {"segment", Col::Index},       {"segment_index", Col::Index}, {"segment_id", Col::Index},
        {"index", Col::Index},         {"start", Col::Start},         {"start_sec", Col::Start},
        {"start_time", Col::Start},    {"end", Col::End},             {"end_sec", Col::End},
        {"end_time", Col::End},        {"keyframe", Col::Keyframe},   {"keyframe_path", Col::Keyframe},
        {"keyframe_file", Col::Keyframe}, {"image", Col::Keyframe},   {"file_name", Col::Keyframe},
        {"video", Col::Ignored},       {"clip", Col::Ignored},        {"clip_path", Col::Ignored},
        {"audio", Col::Ignored},       {"audio_path", Col::Ignored},  {"transcript", Col::Ignored},
        {"lesson", Col::Ignored},      {"duration", Col::Ignored},    {"description", Col::Ignored},
        {"patterns", Col::List},       {"labels", Col::List}};
    auto it = known.find(lower_ascii(header));
    return it == known.end() ? Col::Pattern : it->second;
}

[[noreturn]] void fail(const std::string& subject, int line, const std::string& message) {
    throw Error(ErrorCode::InvalidData, "line " + std::to_string(line) + ": " + message, subject);
}

bool flag_of(const std::string& cell, const std::string& column, int line, const std::string& subject) {
    const std::string v = lower_ascii(trim(cell));
    if (v.empty() || v == "0" || v == "false" || v == "no" || v == "0.0") return false;
    if (v == "1" || v == "true" || v == "yes" || v == "1.0") return true;
    fail(subject, line, "column '" + column + "': expected 0 or 1, got '" + trim(cell) + "'");
}

std::optional<double> time_of(const std::string& cell, const std::string& column, int line, const std::string& subject) {
    const std::string v = trim(cell);
    if (v.empty()) return std::nullopt;
    try {
        return timeline::parse_timecode(v);
    } catch (const Error&) {
        fail(subject, line, "column '" + column + "': expected seconds or a timecode, got '" + v + "'");
    }
}

std::vector<std::string> list_of(const std::string& cell, const std::string& column, int line, const std::string& subject) {
    const std::string v = trim(cell);
    std::vector<std::string> out;
    if (v.empty()) return out;
    if (v.front() == '[') {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(v);
        } catch (const nlohmann::json::exception&) {
            fail(subject, line, "column '" + column + "': not a valid JSON list: " + v);
        }
        for (const auto& e : j) {
            if (!e.is_string()) fail(subject, line, "column '" + column + "': list elements must be strings");
            if (auto t = trim(e.get<std::string>()); !t.empty()) out.push_back(t);
        }
        return out;
    }
    std::stringstream ss(v);
    for (std::string part; std::getline(ss, part, ';');)
        if (auto t = trim(part); !t.empty()) out.push_back(t);
    return out;
}

std::string quote(const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

LabeledTable parse_labeled_csv(const std::string& input, const std::string& subject) {
    std::string text = input.starts_with("\xEF\xBB\xBF") ? input.substr(3) : input;
    const std::string first_line = text.substr(0, text.find('\n'));
    const char sep = first_line.find(',') == std::string::npos && first_line.find(';') != std::string::npos ? ';' : ',';
    auto records = parse_csv(text, sep, subject);
    LabeledTable table;
    if (records.empty()) throw Error(ErrorCode::InvalidData, "empty file: expected a header row", subject);
    const auto& header = records.front();
    std::vector<Col> cols;
    std::vector<std::string> names;
    int list_col = -1;
    for (size_t c = 0; c < header.fields.size(); ++c) {
        names.push_back(trim(header.fields[c]));
        cols.push_back(names.back().empty() ? Col::Ignored : classify(names.back()));
        if (cols.back() == Col::List && list_col < 0) list_col = static_cast<int>(c);
    }
    table.shape = list_col >= 0 ? LabeledTable::Shape::PatternList : LabeledTable::Shape::PatternColumns;
    if (table.shape == LabeledTable::Shape::PatternColumns) {
        for (size_t c = 0; c < cols.size(); ++c)
            if (cols[c] == Col::Pattern) table.pattern_columns.push_back(names[c]);
        if (table.pattern_columns.empty())
            fail(subject, header.line, "no pattern columns (0/1 per pattern) and no 'patterns' list column");
    }
    for (size_t r = 1; r < records.size(); ++r) {
        const auto& rec = records[r];
        if (std::all_of(rec.fields.begin(), rec.fields.end(), [](const std::string& f) { return trim(f).empty(); }))
            continue;
        if (rec.fields.size() > names.size())
            fail(subject, rec.line, std::to_string(rec.fields.size()) + " fields, the header has " + std::to_string(names.size()));
        LabeledSegmentRow row;
        row.line = rec.line;
        for (size_t c = 0; c < rec.fields.size(); ++c) {
            const std::string& cell = rec.fields[c];
            switch (cols[c]) {
                case Col::Index: {
                    const std::string v = trim(cell);
                    if (v.empty()) break;
                    try {
                        size_t used = 0;
                        long long n = std::stoll(v, &used);
                        if (used != v.size() || n < 0) throw std::invalid_argument(v);
                        row.index = n;
                    } catch (const std::exception&) {
                        fail(subject, rec.line, "column '" + names[c] + "': expected a segment number, got '" + v + "'");
                    }
                    break;
                }
                case Col::Start: row.start = time_of(cell, names[c], rec.line, subject); break;
                case Col::End: row.end = time_of(cell, names[c], rec.line, subject); break;
                case Col::Keyframe: if (row.keyframe.empty()) row.keyframe = trim(cell); break;
                case Col::List:
                    if (static_cast<int>(c) == list_col) row.patterns = list_of(cell, names[c], rec.line, subject);
                    break;
                case Col::Pattern:
                    if (table.shape == LabeledTable::Shape::PatternColumns && flag_of(cell, names[c], rec.line, subject))
                        row.patterns.push_back(names[c]);
                    break;
                case Col::Ignored: break;
            }
        }
        if (row.start && row.end && *row.end < *row.start)
            fail(subject, rec.line, "end " + number(*row.end) + " is before start " + number(*row.start));
        table.rows.push_back(std::move(row));
    }
    return table;
}

LabeledTable read_labeled_csv(const std::string& path) {
    return parse_labeled_csv(read_limited_file(path), path);
}

std::string write_labeled_csv(const LabeledTable& table) {
    const bool columns = !table.pattern_columns.empty();
    std::string out = "segment,start,end,keyframe";
    if (columns)
        for (const auto& p : table.pattern_columns) out += "," + quote(p);
    else
        out += ",patterns";
    out += "\r\n";
    for (const auto& r : table.rows) {
        out += (r.index ? std::to_string(*r.index) : "") + "," + (r.start ? number(*r.start) : "") + "," +
               (r.end ? number(*r.end) : "") + "," + quote(r.keyframe);
        if (columns) {
            for (const auto& p : table.pattern_columns)
                out += std::find(r.patterns.begin(), r.patterns.end(), p) != r.patterns.end() ? ",1" : ",0";
        } else {
            std::string joined;
            for (size_t i = 0; i < r.patterns.size(); ++i) joined += (i ? ";" : "") + r.patterns[i];
            out += "," + quote(joined);
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace vidseg::annotations

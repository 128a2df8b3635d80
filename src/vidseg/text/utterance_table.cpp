#include "vidseg/text/utterance_table.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/annotations/xlsx_reader.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

namespace fs = std::filesystem;

std::string lower_ext(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

struct Row {
    int line = 0;
    std::vector<std::string> cells;
};

std::vector<Row> table_rows(const std::string& path, std::string& where) {
    std::vector<Row> rows;
    const std::string ext = lower_ext(path);
    if (ext == ".xlsx") {
        where = "row";
        const auto sheets = annotations::read_xlsx(path);
        if (sheets.empty()) throw Error(ErrorCode::InvalidData, "the workbook has no sheet", path);
        for (std::size_t r = 0; r < sheets.front().rows.size(); ++r) rows.push_back({int(r) + 1, sheets.front().rows[r]});
        return rows;
    }
    where = "line";
    const std::string text = annotations::read_text_file(path);
    const std::string head = text.substr(0, text.find('\n'));
    const char sep = ext == ".tsv" || head.find('\t') != std::string::npos ? '\t'
                     : head.find(',') == std::string::npos && head.find(';') != std::string::npos ? ';'
                                                                                                  : ',';
    for (auto& record : annotations::parse_csv(text, sep, path)) rows.push_back({record.line, std::move(record.fields)});
    return rows;
}

bool blank(const Row& row) {
    return std::all_of(row.cells.begin(), row.cells.end(),
                       [](const std::string& c) { return annotations::trim(c).empty(); });
}

double number(const std::string& cell, const std::string& what, const std::string& at, const std::string& path) {
    try {
        std::size_t used = 0;
        const double v = std::stod(cell, &used);
        if (used == cell.size() && std::isfinite(v) && v >= 0) return v;
    } catch (const std::exception&) {
    }
    throw Error(ErrorCode::InvalidData, at + ": " + what + " '" + cell + "' is not a number of seconds >= 0", path);
}

std::vector<std::string> split_labels(const std::string& cell) {
    std::vector<std::string> out;
    std::string part;
    const auto flush = [&] {
        if (auto t = annotations::trim(part); !t.empty() && std::find(out.begin(), out.end(), t) == out.end())
            out.push_back(std::move(t));
        part.clear();
    };
    for (const char c : cell) {
        if (c == ';' || c == '|') flush();
        else part += c;
    }
    flush();
    return out;
}

}  // namespace

bool is_utterance_table(const std::string& path) {
    const std::string ext = lower_ext(path);
    return ext == ".csv" || ext == ".tsv" || ext == ".xlsx";
}

std::vector<LessonUtterances> read_utterance_table(const std::string& path, const TableColumns& columns) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw Error(ErrorCode::InputNotFound, "table not found", path);
    if (!is_utterance_table(path))
        throw Error(ErrorCode::InvalidArgument, "a table of utterances is .csv, .tsv or .xlsx", path);
    std::string where;
    auto rows = table_rows(path, where);
    std::size_t h = 0;
    while (h < rows.size() && blank(rows[h])) ++h;
    if (h == rows.size()) throw Error(ErrorCode::InvalidData, "the table is empty", path);
    const auto& header = rows[h].cells;
    std::string found;
    for (const auto& c : header) found += (found.empty() ? "" : ", ") + annotations::trim(c);
    const auto find = [&](const std::string& name, bool required) -> int {
        for (std::size_t c = 0; c < header.size(); ++c)
            if (annotations::trim(header[c]) == name) return int(c);
        if (required)
            throw Error(ErrorCode::InvalidData,
                        "no column '" + name + "' in the header (columns: " + found +
                            "; name the columns with --lesson-column, --text-column, ...)",
                        path);
        return -1;
    };
    const int lesson_col = find(columns.lesson, true), text_col = find(columns.text, true);
    const int start_col = find(columns.start, false), end_col = find(columns.end, false);
    const int order_col = find(columns.order, false), speaker_col = find(columns.speaker, false);
    const int labels_col = find(columns.labels, false);
    const bool timed = start_col >= 0 && end_col >= 0;
    if (!timed && order_col < 0)
        throw Error(ErrorCode::InvalidData,
                    "the table needs times ('" + columns.start + "' and '" + columns.end + "') or an order column ('" +
                        columns.order + "') (columns: " + found + ")",
                    path);
    const auto cell = [](const Row& row, int c) {
        return c >= 0 && std::size_t(c) < row.cells.size() ? annotations::trim(row.cells[std::size_t(c)]) : std::string();
    };
    std::map<std::string, std::size_t> index;
    std::vector<LessonUtterances> lessons;
    std::vector<std::vector<double>> keys;  // sort key per utterance
    for (std::size_t r = h + 1; r < rows.size(); ++r) {
        const Row& row = rows[r];
        if (blank(row)) continue;
        const std::string at = where + " " + std::to_string(row.line);
        Utterance u;
        u.line = row.line;
        u.lesson = cell(row, lesson_col);
        if (u.lesson.empty()) throw Error(ErrorCode::InvalidData, at + ": no lesson", path);
        u.segment.text = cell(row, text_col);
        u.segment.speaker = cell(row, speaker_col);
        u.labels = split_labels(cell(row, labels_col));
        double key = 0;
        if (timed) {
            u.segment.start = number(cell(row, start_col), columns.start, at, path);
            u.segment.end = number(cell(row, end_col), columns.end, at, path);
            if (u.segment.end < u.segment.start)
                throw Error(ErrorCode::InvalidData, at + ": the utterance ends before it starts", path);
            key = u.segment.start;
        } else {
            key = number(cell(row, order_col), columns.order, at, path);
        }
        auto [it, added] = index.emplace(u.lesson, lessons.size());
        if (added) {
            lessons.push_back({u.lesson, {}, timed});
            keys.emplace_back();
        }
        lessons[it->second].utterances.push_back(std::move(u));
        keys[it->second].push_back(key);
    }
    if (lessons.empty()) throw Error(ErrorCode::InvalidData, "the table has a header but no utterance", path);
    for (std::size_t l = 0; l < lessons.size(); ++l) {
        auto& us = lessons[l].utterances;
        std::vector<std::size_t> order(us.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[l][a] < keys[l][b]; });
        std::vector<Utterance> sorted;
        sorted.reserve(us.size());
        for (std::size_t i : order) sorted.push_back(std::move(us[i]));
        us = std::move(sorted);
        if (!timed)
            for (std::size_t i = 0; i < us.size(); ++i) {
                us[i].segment.start = double(i);
                us[i].segment.end = double(i + 1);
            }
    }
    return lessons;
}

std::vector<timeline::TranscriptSegment> segments_of(const LessonUtterances& lesson) {
    std::vector<timeline::TranscriptSegment> out;
    out.reserve(lesson.utterances.size());
    for (const auto& u : lesson.utterances) out.push_back(u.segment);
    return out;
}

}  // namespace vidseg::text

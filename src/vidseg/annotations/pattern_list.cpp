#include "vidseg/annotations/pattern_list.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "vidseg/annotations/pattern_list_bytes.hpp"
#include "vidseg/annotations/xlsx_reader.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/safe_path.hpp"

namespace vidseg::annotations {

std::vector<Pattern> default_patterns() {
    return {
        {"Разнообразие форм работы П", "Учитель чередует формы работы: фронтальную, групповую, парную, индивидуальную."},
        {"Эмоциональная поддержка П", "Учитель поддерживает учеников: хвалит, подбадривает, создаёт доброжелательную атмосферу."},
        {"Включение в обучающий процесс П", "Учитель вовлекает учеников в работу: задаёт вопросы, даёт задания, приглашает к обсуждению."},
        {"Связь с личным опытом П", "Учитель связывает материал урока с жизненным опытом и интересами учеников."},
        {"Включенность в процесс У", "Ученики активно участвуют в уроке: отвечают, задают вопросы, выполняют задания."},
        {"Работа в команде У", "Ученики работают вместе в парах или группах, распределяют роли, договариваются."},
        {"Эмоциональный отклик У", "Ученики проявляют эмоции в ответ на происходящее: интерес, радость, удивление."},
        {"Решение учебной задачи У", "Ученики самостоятельно решают учебную задачу, рассуждают, находят ответ."},
    };
}

std::string trim(const std::string& text) {
    size_t b = 0, e = text.size();
    auto space_at_front = [&](size_t i) -> size_t {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
        if (c == 0xC2 && i + 1 < e && static_cast<unsigned char>(text[i + 1]) == 0xA0) return 2;
        return 0;
    };
    for (size_t n; b < e && (n = space_at_front(b)) > 0;) b += n;
    for (;;) {
        if (e > b) {
            const unsigned char c = static_cast<unsigned char>(text[e - 1]);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
                --e;
                continue;
            }
            if (c == 0xA0 && e - b >= 2 && static_cast<unsigned char>(text[e - 2]) == 0xC2) {
                e -= 2;
                continue;
            }
        }
        break;
    }
    return text.substr(b, e - b);
}

std::vector<CsvRecord> parse_csv(const std::string& text, char sep, const std::string& subject) {
    std::vector<CsvRecord> records;
    CsvRecord rec;
    std::string field;
    int line = 1;
    rec.line = 1;
    bool in_quotes = false, after_quote = false, record_has_content = false;
    size_t i = 0;
    // Fields end up in JSON (tasks, exports, metadata.jsonl), which must be UTF-8.
    check_utf8_text(text, subject);
    // The UTF-8 byte order mark Excel puts at the start of "CSV UTF-8" files is not content.
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
    auto end_record = [&] {
        rec.fields.push_back(std::move(field));
        field.clear();
        records.push_back(std::move(rec));
        rec = CsvRecord{};
        after_quote = false;
        record_has_content = false;
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                    after_quote = true;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == sep) {
            rec.fields.push_back(std::move(field));
            field.clear();
            after_quote = false;
            record_has_content = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            end_record();
            rec.line = ++line;
        } else if (c == '"' && field.empty() && !after_quote) {
            in_quotes = true;
            record_has_content = true;
        } else if (after_quote) {
            throw Error(ErrorCode::InvalidData,
                        "line " + std::to_string(line) + ": unexpected text after a closing quote", subject);
        } else {
            field += c;
            record_has_content = true;
        }
    }
    if (in_quotes)
        throw Error(ErrorCode::InvalidData, "line " + std::to_string(rec.line) + ": unterminated quoted field", subject);
    if (record_has_content || !field.empty() || !rec.fields.empty()) end_record();
    return records;
}

namespace {

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}


// Collects patterns while enforcing the shared rules (trim, skip empty, no duplicates).
class PatternCollector {
public:
    PatternCollector(std::string path, std::string unit) : path_(std::move(path)), unit_(std::move(unit)) {}

    void add(int where, const std::string& raw_name, const std::string& raw_description) {
        std::string name = trim(raw_name);
        std::string description = trim(raw_description);
        // Names and descriptions go into JSON (tasks, metadata.jsonl), which must be UTF-8.
        if (invalid_utf8_offset(name) != std::string::npos || invalid_utf8_offset(description) != std::string::npos)
            throw Error(ErrorCode::InvalidData,
                        unit_ + " " + std::to_string(where) + ": not UTF-8 text; save the file as UTF-8", path_);
        if (name.empty()) {
            if (description.empty()) return;  // an empty row
            throw Error(ErrorCode::InvalidData,
                        unit_ + " " + std::to_string(where) + ": description without a pattern name", path_);
        }
        const auto [it, inserted] = seen_.emplace(name, where);
        if (!inserted)
            throw Error(ErrorCode::InvalidData,
                        unit_ + " " + std::to_string(where) + ": duplicate pattern '" + name + "' (first at " + unit_ +
                            " " + std::to_string(it->second) + ")",
                        path_);
        patterns_.push_back({std::move(name), std::move(description)});
    }

    std::vector<Pattern> take() {
        if (patterns_.empty()) throw Error(ErrorCode::InvalidData, "no patterns in the file", path_);
        return std::move(patterns_);
    }

private:
    std::string path_;
    std::string unit_;  // "row" or "line", as the user would look it up
    std::map<std::string, int> seen_;
    std::vector<Pattern> patterns_;
};

// Finds the two required columns in a header row; the error lists what was found so that a
// typo ("pattern_type") is obvious without opening the file.
std::pair<size_t, size_t> find_columns(const std::vector<std::string>& header, int where, const std::string& unit,
                                       const std::string& path) {
    std::optional<size_t> name_col, comment_col;
    std::string found;
    for (size_t i = 0; i < header.size(); ++i) {
        const std::string h = lower_ascii(trim(header[i]));
        if (h == "pattern type" && !name_col) name_col = i;
        if (h == "comments" && !comment_col) comment_col = i;
        if (!found.empty()) found += ", ";
        found += "'" + trim(header[i]) + "'";
    }
    std::string missing;
    if (!name_col) missing = "'pattern type'";
    if (!comment_col) missing += std::string(missing.empty() ? "" : " and ") + "'comments'";
    if (!missing.empty())
        throw Error(ErrorCode::InvalidData,
                    "missing column " + missing + " in the header (" + unit + " " + std::to_string(where) +
                        "); columns found: " + (found.empty() ? "none" : found),
                    path);
    return {*name_col, *comment_col};
}

const std::string& cell(const std::vector<std::string>& row, size_t col) {
    static const std::string empty;
    return col < row.size() ? row[col] : empty;
}

bool blank_row(const std::vector<std::string>& row) {
    return std::all_of(row.begin(), row.end(), [](const std::string& s) { return trim(s).empty(); });
}

std::vector<Pattern> patterns_of_sheets(const std::vector<Sheet>& sheets, const std::string& path) {
    const auto& rows = sheets.front().rows;
    size_t header_row = 0;
    while (header_row < rows.size() && blank_row(rows[header_row])) ++header_row;
    if (header_row == rows.size())
        throw Error(ErrorCode::InvalidData, "the first sheet '" + sheets.front().name + "' is empty", path);
    const auto [name_col, comment_col] =
        find_columns(rows[header_row], static_cast<int>(header_row) + 1, "row", path);
    PatternCollector out(path, "row");
    for (size_t r = header_row + 1; r < rows.size(); ++r)
        out.add(static_cast<int>(r) + 1, cell(rows[r], name_col), cell(rows[r], comment_col));
    return out.take();
}

std::vector<Pattern> parse_csv_patterns(const std::string& text, const std::string& path) {
    // Separator sniffing on the header line only: data lines legitimately contain commas.
    const auto first_nl = text.find('\n');
    const std::string head = text.substr(0, first_nl);
    const char sep = head.find(',') == std::string::npos && head.find(';') != std::string::npos ? ';' : ',';
    const auto records = parse_csv(text, sep, path);
    size_t h = 0;
    while (h < records.size() && blank_row(records[h].fields)) ++h;
    if (h == records.size()) throw Error(ErrorCode::InvalidData, "the file is empty", path);
    const auto [name_col, comment_col] = find_columns(records[h].fields, records[h].line, "line", path);
    PatternCollector out(path, "line");
    for (size_t r = h + 1; r < records.size(); ++r)
        out.add(records[r].line, cell(records[r].fields, name_col), cell(records[r].fields, comment_col));
    return out.take();
}

std::vector<Pattern> parse_txt_patterns(std::string text, const std::string& path) {
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    PatternCollector out(path, "line");
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty() || trim(line).front() == '#') continue;
        const auto tab = line.find('\t');
        out.add(n, line.substr(0, tab), tab == std::string::npos ? std::string() : line.substr(tab + 1));
    }
    return out.take();
}

}  // namespace

std::vector<Pattern> read_patterns(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "file not found", path);
    const std::string ext = lower_ascii(std::filesystem::path(path).extension().string());
    if (ext == ".xlsx") return patterns_of_sheets(read_xlsx(path), path);
    if (ext == ".csv" || ext == ".txt") return parse_pattern_list(read_text_file(path), ext, path);
    throw Error(ErrorCode::InvalidArgument,
                "unsupported pattern list format '" + ext + "' (expected .xlsx, .csv or .txt)", path);
}

std::vector<Pattern> parse_pattern_list(const std::string& bytes, const std::string& extension,
                                        const std::string& subject) {
    if (extension == ".xlsx") return patterns_of_sheets(read_xlsx_bytes(bytes, subject), subject);
    if (extension == ".csv") return parse_csv_patterns(bytes, subject);
    if (extension == ".txt") return parse_txt_patterns(bytes, subject);
    throw Error(ErrorCode::InvalidArgument,
                "unsupported pattern list format '" + extension + "' (expected .xlsx, .csv or .txt)", subject);
}

std::string read_text_file(const std::string& path) {
    return read_limited_file(path);  // bounded by VIDSEG_MAX_DATA_FILE_BYTES (core/input_limits.hpp)
}

}  // namespace vidseg::annotations

// The list of pedagogical patterns a lesson is labeled with (SPEC §1): names shown to annotators
// as choices / labels, and descriptions shown as hints and written into datasets.
#pragma once

#include <string>
#include <vector>

namespace vidseg::annotations {

struct Pattern {
    std::string name;         // trimmed, e.g. "Работа в команде У"
    std::string description;  // may be empty
    bool operator==(const Pattern&) const = default;
};

// The eight patterns of the PPI project (П = teacher, У = student), in the users' order.
std::vector<Pattern> default_patterns();

// Reads a pattern list; the format follows the extension (case-insensitive):
//  .xlsx  first sheet; a header row (the first non-empty row) with the columns `pattern type`
//         and `comments` (matched trimmed and case-insensitively, in any position);
//  .csv   the same two columns, RFC 4180 quoting; ';' is accepted as the separator when the
//         header has no ',' (what Excel writes in Russian locales);
//  .txt   one pattern per line, optionally TAB + description; '#' comments and blank lines skipped.
// Names and descriptions are trimmed (Excel names often end with spaces); empty rows are skipped.
// Throws InputNotFound for a missing file, InvalidArgument for another extension, InvalidData for a
// missing column (naming the columns found), a row with a description but no name, a duplicate
// name (with both row/line numbers), or a list with no patterns.
std::vector<Pattern> read_patterns(const std::string& path);

// Parses CSV text per RFC 4180 (quoted fields with "" escapes and embedded newlines; CRLF or LF).
// Returns records with their 1-based starting line numbers. Throws InvalidData (naming the line)
// on an unterminated quote or text after a closing quote. `subject` names the source in errors.
struct CsvRecord {
    int line = 0;
    std::vector<std::string> fields;
};
std::vector<CsvRecord> parse_csv(const std::string& text, char separator = ',', const std::string& subject = {});

// The bytes of a text file; throws InputNotFound (naming the path) when it cannot be opened.
std::string read_text_file(const std::string& path);

// Removes leading/trailing ASCII whitespace and no-break spaces (U+00A0, common in Excel cells).
std::string trim(const std::string& text);

}  // namespace vidseg::annotations

// Minimal native reader for .xlsx workbooks (Office Open XML spreadsheets): enough to read the
// tables users keep in Excel (pattern lists, labeled segment tables) without Python or LibreOffice.
// Cell values come back as text: shared / inline strings as written, numbers in their stored form
// ("1", "2.5", "45678" for a date serial), booleans as "TRUE" / "FALSE", errors as "#N/A" etc.
// Formulas are not evaluated: the cached value Excel stored is returned.
#pragma once

#include <string>
#include <vector>

namespace vidseg::annotations {

struct Sheet {
    std::string name;
    // rows[r][c] = cell at spreadsheet row r+1, column c+1. Missing rows and cells (gaps in the
    // references, e.g. "C5" right after "A5") are present as empty strings so that indices keep
    // matching the row/column numbers users see in Excel. Trailing empty cells are not added.
    std::vector<std::vector<std::string>> rows;
};

// Sheets in workbook order. Throws InputNotFound when the file does not exist, InvalidData when it
// is not a zip archive, lacks the workbook / a sheet part, or holds malformed XML (the message
// names the part).
std::vector<Sheet> read_xlsx(const std::string& path);
// The same from the bytes of a workbook already in memory (`subject` names it in errors; the fuzz
// target's entry point: no file per input).
std::vector<Sheet> read_xlsx_bytes(const std::string& bytes, const std::string& subject);

// "A" → 0, "Z" → 25, "AA" → 26; the column part of a reference like "AB12". Returns -1 when the
// reference does not start with letters or the column is beyond Excel's XFD (16384 columns).
int column_index(const std::string& cell_reference);

}  // namespace vidseg::annotations

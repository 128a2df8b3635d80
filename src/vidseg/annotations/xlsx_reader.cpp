#include "vidseg/annotations/xlsx_reader.hpp"

#include <zip.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string_view>
#include <pugixml.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"

namespace vidseg::annotations {

namespace {

// A real pattern table is kilobytes. Parts that inflate beyond kMaxXlsxBytes are refused before
// they are read (a tiny archive that inflates to gigabytes must not take the process down), and so
// are sheets spanning more than kMaxSheetCells cells or copying more than kMaxXlsxBytes of text into
// their cells (one huge shared string referenced by every cell) (core/input_limits.hpp).
// Excel's own limit; anything above is a corrupt or hostile reference.
constexpr long kMaxRows = 1048576;

struct ZipCloser {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }  // read-only: discard, never write back
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

[[noreturn]] void invalid(const std::string& path, const std::string& why) {
    throw Error(ErrorCode::InvalidData, why, path);
}

ZipPtr open_zip(const std::string& path) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (z == nullptr) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        std::string msg = zip_error_strerror(&ze);
        zip_error_fini(&ze);
        invalid(path, "not an .xlsx file: cannot open as a zip archive (" + msg + ")");
    }
    return ZipPtr(z);
}

bool has_entry(zip_t* z, const std::string& name) { return zip_name_locate(z, name.c_str(), 0) >= 0; }

std::string read_entry(zip_t* z, const std::string& name, const std::string& path) {
    const zip_int64_t index = zip_name_locate(z, name.c_str(), 0);
    if (index < 0) invalid(path, "not an .xlsx workbook: missing part '" + name + "'");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, static_cast<zip_uint64_t>(index), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        invalid(path, "cannot read the size of part '" + name + "'");
    check_limit(kMaxXlsxBytes, st.size, path, "part '" + name + "' (uncompressed)");
    ZipFilePtr file(zip_fopen_index(z, static_cast<zip_uint64_t>(index), 0));
    if (!file) invalid(path, "cannot open part '" + name + "': " + zip_strerror(z));
    std::string data(static_cast<size_t>(st.size), '\0');
    zip_uint64_t done = 0;
    while (done < st.size) {
        const zip_int64_t got = zip_fread(file.get(), data.data() + done, st.size - done);
        if (got < 0) invalid(path, "corrupt part '" + name + "': " + zip_file_strerror(file.get()));
        if (got == 0) break;
        done += static_cast<zip_uint64_t>(got);
    }
    if (done != st.size) invalid(path, "truncated part '" + name + "'");
    return data;
}

void parse_xml(pugi::xml_document& doc, const std::string& text, const std::string& part, const std::string& path) {
    const auto res = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!res)
        invalid(path, "malformed XML in '" + part + "' at byte " + std::to_string(res.offset) + ": " +
                          res.description());
}

// Producers differ in namespace prefixes ("sheet" vs "x:sheet"); pugixml does not resolve
// namespaces, so elements and attributes are matched by local name.
std::string_view local_name(const char* qualified) {
    std::string_view n(qualified);
    const auto colon = n.find(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view local) {
    for (auto c : node.children())
        if (c.type() == pugi::node_element && local_name(c.name()) == local) return c;
    return {};
}

// The relationship id attribute is "r:id" with whatever prefix the producer bound to the
// relationships namespace; a plain "id" is not it.
const char* relationship_id(pugi::xml_node node) {
    for (auto a : node.attributes()) {
        std::string_view n(a.name());
        if (n.find(':') != std::string_view::npos && local_name(a.name()) == "id") return a.value();
    }
    return "";
}

// Resolves a relationship target against the folder of the part that owns the rels file.
std::string resolve_target(const std::string& base_dir, const std::string& target) {
    if (!target.empty() && target.front() == '/') return target.substr(1);
    std::filesystem::path p = std::filesystem::path(base_dir) / target;
    return p.lexically_normal().generic_string();
}

struct Relationship {
    std::string target;  // resolved part name
    std::string type;
};

std::map<std::string, Relationship> read_rels(zip_t* z, const std::string& rels_part, const std::string& base_dir,
                                              const std::string& path) {
    std::map<std::string, Relationship> rels;
    if (!has_entry(z, rels_part)) return rels;
    pugi::xml_document doc;
    parse_xml(doc, read_entry(z, rels_part, path), rels_part, path);
    for (auto r : child(doc, "Relationships").children()) {
        if (local_name(r.name()) != "Relationship") continue;
        rels[r.attribute("Id").value()] = {resolve_target(base_dir, r.attribute("Target").value()),
                                           r.attribute("Type").value()};
    }
    return rels;
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Text of a shared-string item or inline string: its own <t>, or the <t> of each rich-text run
// <r>. Phonetic hints (<rPh>) are annotations, not content, and are skipped.
std::string string_item_text(pugi::xml_node item) {
    std::string out;
    for (auto c : item.children()) {
        const auto n = local_name(c.name());
        if (n == "t")
            out += c.text().get();
        else if (n == "r")
            out += child(c, "t").text().get();
    }
    return out;
}

std::vector<std::string> read_shared_strings(zip_t* z, const std::string& part, const std::string& path) {
    std::vector<std::string> strings;
    if (part.empty() || !has_entry(z, part)) return strings;  // a workbook of numbers has none
    pugi::xml_document doc;
    parse_xml(doc, read_entry(z, part, path), part, path);
    for (auto si : child(doc, "sst").children())
        if (local_name(si.name()) == "si") strings.push_back(string_item_text(si));
    return strings;
}

std::vector<std::vector<std::string>> read_sheet_rows(zip_t* z, const std::string& part,
                                                      const std::vector<std::string>& shared,
                                                      const std::string& path) {
    pugi::xml_document doc;
    parse_xml(doc, read_entry(z, part, path), part, path);
    const auto data = child(child(doc, "worksheet"), "sheetData");
    std::vector<std::vector<std::string>> rows;
    uint64_t cells_spanned = 0, text_bytes = 0;  // against kMaxSheetCells / kMaxXlsxBytes
    for (auto row : data.children()) {
        if (local_name(row.name()) != "row") continue;
        // Row numbers are optional in the format; without one the row follows the previous.
        const long r = row.attribute("r") ? static_cast<long>(row.attribute("r").as_llong())
                                          : static_cast<long>(rows.size()) + 1;
        if (r < 1 || r > kMaxRows)
            invalid(path, part + ": invalid row number '" + std::string(row.attribute("r").value()) + "'");
        // Rows are stored in ascending order; a repeat would silently merge two rows' cells.
        if (r <= static_cast<long>(rows.size()))
            invalid(path, part + ": row " + std::to_string(r) + " is out of order or repeated");
        // Every row up to r is allocated: sparse row numbers count as cells too.
        cells_spanned += static_cast<uint64_t>(r) - rows.size();
        check_limit(kMaxSheetCells, cells_spanned, path,
                    part + ": the sheet (up to row " + std::to_string(r) + ")");
        if (static_cast<long>(rows.size()) < r) rows.resize(static_cast<size_t>(r));
        auto& cells = rows[static_cast<size_t>(r - 1)];
        for (auto c : row.children()) {
            if (local_name(c.name()) != "c") continue;
            const std::string ref = c.attribute("r").value();
            int col = static_cast<int>(cells.size());
            if (!ref.empty()) {
                col = column_index(ref);
                if (col < 0) invalid(path, part + ": invalid cell reference '" + ref + "' in row " + std::to_string(r));
            }
            const std::string type = c.attribute("t").value();
            const std::string v = child(c, "v").text().get();
            std::string value;
            if (type == "s") {
                if (!v.empty()) {
                    if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
                        invalid(path, part + ": cell " + ref + ": bad shared string index '" + v + "'");
                    const auto idx = std::stoull(v);
                    if (idx >= shared.size())
                        invalid(path, part + ": cell " + ref + ": shared string index " + v + " out of range (" +
                                          std::to_string(shared.size()) + " strings)");
                    value = shared[idx];
                }
            } else if (type == "inlineStr") {
                value = string_item_text(child(c, "is"));
            } else if (type == "b") {
                value = v == "1" ? "TRUE" : v == "0" ? "FALSE" : v;
            } else {
                value = v;  // n (number), str (formula text), e (error), d (ISO date): stored text
            }
            if (static_cast<int>(cells.size()) <= col) {
                cells_spanned += static_cast<uint64_t>(col) + 1 - cells.size();
                check_limit(kMaxSheetCells, cells_spanned, path,
                            part + ": the sheet (up to cell " + ref + ")");
                cells.resize(static_cast<size_t>(col) + 1);
            }
            text_bytes += value.size();
            check_limit(kMaxXlsxBytes, text_bytes, path,
                        part + ": the text of the sheet's cells (up to cell " + ref + ")");
            cells[static_cast<size_t>(col)] = std::move(value);
        }
        // Styled but empty cells still get <c> elements; drop the trailing blanks they leave.
        while (!cells.empty() && cells.back().empty()) cells.pop_back();
    }
    return rows;
}

}  // namespace

int column_index(const std::string& ref) {
    long col = 0;
    size_t i = 0;
    for (; i < ref.size(); ++i) {
        char ch = ref[i];
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        if (ch < 'A' || ch > 'Z') break;
        col = col * 26 + (ch - 'A' + 1);
        if (col > 16384) return -1;
    }
    if (i == 0) return -1;
    for (size_t j = i; j < ref.size(); ++j)
        if (ref[j] < '0' || ref[j] > '9') return -1;
    return static_cast<int>(col - 1);
}

namespace {

// The sheets of an open archive; `path` names the workbook in errors.
std::vector<Sheet> read_workbook(zip_t* z, const std::string& path) {
    // The package root relationships name the workbook part; "xl/workbook.xml" is the universal
    // default, used when a producer omits _rels/.rels.
    std::string workbook_part = "xl/workbook.xml";
    for (const auto& [id, rel] : read_rels(z, "_rels/.rels", "", path))
        if (ends_with(rel.type, "/officeDocument")) workbook_part = rel.target;
    if (!has_entry(z, workbook_part)) invalid(path, "not an .xlsx workbook: missing part '" + workbook_part + "'");

    const std::string wb_dir = std::filesystem::path(workbook_part).parent_path().generic_string();
    const std::string wb_rels =
        (wb_dir.empty() ? "" : wb_dir + "/") + "_rels/" + std::filesystem::path(workbook_part).filename().string() + ".rels";
    const auto rels = read_rels(z, wb_rels, wb_dir, path);

    std::string shared_part;
    for (const auto& [id, rel] : rels)
        if (ends_with(rel.type, "/sharedStrings")) shared_part = rel.target;
    if (shared_part.empty() && has_entry(z, (wb_dir.empty() ? "" : wb_dir + "/") + "sharedStrings.xml"))
        shared_part = (wb_dir.empty() ? "" : wb_dir + "/") + "sharedStrings.xml";
    const auto shared = read_shared_strings(z, shared_part, path);

    pugi::xml_document wb;
    parse_xml(wb, read_entry(z, workbook_part, path), workbook_part, path);
    const auto sheets_node = child(child(wb, "workbook"), "sheets");
    if (!sheets_node) invalid(path, workbook_part + ": no <sheets> element");

    std::vector<Sheet> sheets;
    for (auto s : sheets_node.children()) {
        if (local_name(s.name()) != "sheet") continue;
        Sheet sheet;
        sheet.name = s.attribute("name").value();
        const std::string rid = relationship_id(s);
        const auto it = rels.find(rid);
        if (it == rels.end())
            invalid(path, workbook_part + ": sheet '" + sheet.name + "' refers to unknown relationship '" + rid + "'");
        // Chart sheets and dialog sheets have no cell grid; they are listed with no rows.
        if (ends_with(it->second.type, "/worksheet")) sheet.rows = read_sheet_rows(z, it->second.target, shared, path);
        sheets.push_back(std::move(sheet));
    }
    if (sheets.empty()) invalid(path, workbook_part + ": the workbook has no sheets");
    return sheets;
}

}  // namespace

std::vector<Sheet> read_xlsx(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "file not found", path);
    if (std::filesystem::is_directory(path, ec)) invalid(path, "is a directory, not an .xlsx file");
    ZipPtr zip = open_zip(path);
    return read_workbook(zip.get(), path);
}

std::vector<Sheet> read_xlsx_bytes(const std::string& bytes, const std::string& subject) {
    zip_error_t error;
    zip_error_init(&error);
    // The source does not own the bytes (freep 0); zip_open_from_source takes the source over when it
    // succeeds, and it is freed here when it does not.
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_t* z = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
    if (z == nullptr) {
        if (source) zip_source_free(source);
        std::string msg = zip_error_strerror(&error);
        zip_error_fini(&error);
        invalid(subject, "not an .xlsx file: cannot open as a zip archive (" + msg + ")");
    }
    zip_error_fini(&error);
    ZipPtr zip(z);
    return read_workbook(z, subject);
}

}  // namespace vidseg::annotations

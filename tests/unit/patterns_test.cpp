// XLSX reading and pattern lists (.xlsx / .csv / .txt), with the committed fixtures of tests/data
// (regenerate with tests/data/make_xlsx_fixtures.py).
#include <gtest/gtest.h>

#include <zip.h>

#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/annotations/xlsx_reader.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using namespace vidseg::annotations;

namespace {

std::string data(const std::string& name) { return test::source_path("tests/data/" + name).string(); }

Error error_of(const std::function<void()>& f) { return test::thrown_error(f); }

std::string write(const test::TempDir& dir, const std::string& name, const std::string& text) {
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST(Xlsx, ColumnIndex) {
    EXPECT_EQ(column_index("A1"), 0);
    EXPECT_EQ(column_index("Z9"), 25);
    EXPECT_EQ(column_index("AA10"), 26);
    EXPECT_EQ(column_index("AB1"), 27);
    EXPECT_EQ(column_index("XFD1"), 16383);
    EXPECT_EQ(column_index("XFE1"), -1);
    EXPECT_EQ(column_index("1A"), -1);
    EXPECT_EQ(column_index("A1B"), -1);
}

TEST(Xlsx, ReadsSheetsSharedAndRichStringsAndGaps) {
    const auto sheets = read_xlsx(data("patterns.xlsx"));
    ASSERT_EQ(sheets.size(), 2u);
    EXPECT_EQ(sheets[0].name, "Паттерны");
    EXPECT_EQ(sheets[1].name, "Types");
    const Rows expected = {
        {"pattern type", "comments"},
        {"Разнообразие форм работы П", "Смена форм работы на уроке"},
        {"Работа в команде ", "Ученики работают вместе & дружно"},  // rich runs joined, rPh skipped
        {},                                                          // styled empty cells
        {},                                                          // row 5 absent in the file
        {"Эмоциональный отклик У"},
    };
    EXPECT_EQ(sheets[0].rows, expected);
}

TEST(Xlsx, ReadsNumbersBooleansInlineStringsFormulasErrors) {
    const auto sheets = read_xlsx(data("patterns.xlsx"));
    const Rows expected = {
        {"shared", "", "42", "2.5"},               // B1 missing
        {},                                        // row 2 absent
        {"", "TRUE", "FALSE", "", "inline текст"},  // A3 and D3 missing
        {"ab", "#N/A"},                            // cached formula result, error value
    };
    EXPECT_EQ(sheets[1].rows, expected);
}

TEST(Xlsx, ErrorsNameTheCause) {
    auto e = error_of([] { read_xlsx(data("not_a_zip.xlsx")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(e.cause().find("not an .xlsx file: cannot open as a zip archive"), std::string::npos) << e.what();
    EXPECT_EQ(e.subject(), data("not_a_zip.xlsx"));

    e = error_of([] { read_xlsx(data("no_workbook.xlsx")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "not an .xlsx workbook: missing part 'xl/workbook.xml'");

    e = error_of([] { read_xlsx(data("does_not_exist.xlsx")); });
    EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
}

TEST(Patterns, DefaultsAreTheEightSpecPatterns) {
    const auto p = default_patterns();
    const std::vector<std::string> names = {
        "Разнообразие форм работы П", "Эмоциональная поддержка П", "Включение в обучающий процесс П",
        "Связь с личным опытом П",    "Включенность в процесс У",  "Работа в команде У",
        "Эмоциональный отклик У",     "Решение учебной задачи У"};
    ASSERT_EQ(p.size(), names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(p[i].name, names[i]);
        EXPECT_FALSE(p[i].description.empty()) << names[i];
    }
}

TEST(Patterns, ReadsXlsxTrimmedSkippingEmptyRows) {
    const auto p = read_patterns(data("patterns.xlsx"));
    const std::vector<Pattern> expected = {
        {"Разнообразие форм работы П", "Смена форм работы на уроке"},
        {"Работа в команде", "Ученики работают вместе & дружно"},
        {"Эмоциональный отклик У", ""},
    };
    EXPECT_EQ(p, expected);
}

TEST(Patterns, XlsxMissingColumnListsColumnsFound) {
    const auto e = error_of([] { read_patterns(data("patterns_bad_header.xlsx")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "missing column 'pattern type' in the header (row 1); columns found: 'pattern_type', 'Comments'");
}

TEST(Patterns, XlsxNotAZip) {
    EXPECT_EQ(error_of([] { read_patterns(data("not_a_zip.xlsx")); }).code(), ErrorCode::InvalidData);
}

TEST(Patterns, ReadsCsvWithQuotingAndHeaderAnyOrderAndCase) {
    test::TempDir dir;
    const auto path = write(dir, "p.csv",
                            "\xEF\xBB\xBF"
                            "id,Comments, Pattern Type \r\n"
                            "1,\"Учитель хвалит, \"\"молодец\"\"\nи подбадривает\",Эмоциональная поддержка П \r\n"
                            ",,\r\n"
                            "2,,Работа в команде У\r\n");
    const std::vector<Pattern> expected = {
        {"Эмоциональная поддержка П", "Учитель хвалит, \"молодец\"\nи подбадривает"},
        {"Работа в команде У", ""},
    };
    EXPECT_EQ(read_patterns(path), expected);
}

TEST(Patterns, ReadsSemicolonCsv) {
    test::TempDir dir;
    const auto path = write(dir, "p.CSV", "pattern type;comments\nРабота в команде У;вместе, в группах\n");
    EXPECT_EQ(read_patterns(path), (std::vector<Pattern>{{"Работа в команде У", "вместе, в группах"}}));
}

TEST(Patterns, CsvErrors) {
    test::TempDir dir;
    auto e = error_of([&] { read_patterns(write(dir, "a.csv", "pattern type,comments\nA,\"open\nB,c\n")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "line 2: unterminated quoted field");

    e = error_of([&] { read_patterns(write(dir, "b.csv", "pattern type,comments\nA,x\n\"B\" x,y\n")); });
    EXPECT_EQ(e.cause(), "line 3: unexpected text after a closing quote");

    e = error_of([&] { read_patterns(write(dir, "c.csv", "pattern type,comments\nA ,x\nB,y\nA,z\n")); });
    EXPECT_EQ(e.cause(), "line 4: duplicate pattern 'A' (first at line 2)");

    e = error_of([&] { read_patterns(write(dir, "d.csv", "pattern type,comments\n,\n")); });
    EXPECT_EQ(e.cause(), "no patterns in the file");

    e = error_of([&] { read_patterns(write(dir, "e.csv", "name,comments\nA,x\n")); });
    EXPECT_EQ(e.cause(), "missing column 'pattern type' in the header (line 1); columns found: 'name', 'comments'");

    e = error_of([&] { read_patterns(write(dir, "f.csv", "pattern type,comments\n,orphan text\n")); });
    EXPECT_EQ(e.cause(), "line 2: description without a pattern name");
}

TEST(Patterns, ReadsTxt) {
    test::TempDir dir;
    const auto path = write(dir, "p.txt",
                            "# patterns of lesson 1\n"
                            "\n"
                            "Работа в команде У\tУченики работают в группах \r\n"
                            "  Эмоциональный отклик У  \n"
                            "   # indented comment\n");
    const std::vector<Pattern> expected = {{"Работа в команде У", "Ученики работают в группах"},
                                           {"Эмоциональный отклик У", ""}};
    EXPECT_EQ(read_patterns(path), expected);

    auto e = error_of([&] { read_patterns(write(dir, "dup.txt", "A\nB\nA\tagain\n")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "line 3: duplicate pattern 'A' (first at line 1)");
    EXPECT_EQ(error_of([&] { read_patterns(write(dir, "empty.txt", "# nothing\n\n")); }).code(),
              ErrorCode::InvalidData);
}

TEST(Patterns, MissingFileAndUnknownExtension) {
    test::TempDir dir;
    EXPECT_EQ(error_of([&] { read_patterns((dir / "none.txt").string()); }).code(), ErrorCode::InputNotFound);
    const auto e = error_of([&] { read_patterns(write(dir, "p.json", "[]")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_EQ(e.cause(), "unsupported pattern list format '.json' (expected .xlsx, .csv or .txt)");
}

TEST(Patterns, TrimRemovesNoBreakSpaces) {
    EXPECT_EQ(trim("\xC2\xA0 Работа в команде \xC2\xA0\t"), "Работа в команде");
    EXPECT_EQ(trim("   "), "");
    EXPECT_EQ(trim("a b"), "a b");
}

TEST(Patterns, ParseCsvRecordsKeepLineNumbers) {
    const auto r = parse_csv("a,b\n\"x\ny\",z\nlast,\n");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[1].line, 2);
    EXPECT_EQ(r[1].fields, (std::vector<std::string>{"x\ny", "z"}));
    EXPECT_EQ(r[2].line, 4);
    EXPECT_EQ(r[2].fields, (std::vector<std::string>{"last", ""}));
}

TEST(Patterns, ReadsWorkbookWrittenByOpenpyxl) {
    // Written by openpyxl 3.x (see make_xlsx_fixtures.py's docstring): a real producer's layout
    // (inline-free shared strings, its own rels naming, styles, a second sheet).
    const auto sheets = read_xlsx(data("patterns_openpyxl.xlsx"));
    ASSERT_EQ(sheets.size(), 2u);
    EXPECT_EQ(sheets[0].name, "Лист1");
    EXPECT_EQ(sheets[0].rows.at(3), (std::vector<std::string>{"", "", "3.25"}));
    EXPECT_EQ(sheets[1].rows, (Rows{{}, {"", "TRUE"}}));
    const std::vector<Pattern> expected = {{"Работа в команде", "Ученики работают в группах"},
                                           {"Решение учебной задачи У", ""},
                                           {"Связь с личным опытом П", "Пример из жизни"}};
    EXPECT_EQ(read_patterns(data("patterns_openpyxl.xlsx")), expected);
}

namespace {
// Writes a zip with the given parts (name → content) using libzip, for malformed-workbook cases.
std::string make_zip(const test::TempDir& dir, const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& parts) {
    const std::string path = (dir / name).string();
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    EXPECT_NE(z, nullptr);
    for (const auto& [part, text] : parts) {
        zip_source_t* src = zip_source_buffer(z, text.data(), text.size(), 0);
        EXPECT_GE(zip_file_add(z, part.c_str(), src, ZIP_FL_ENC_UTF_8), 0);
    }
    EXPECT_EQ(zip_close(z), 0);  // copies the buffers, which are still alive here
    return path;
}

const char* kWorkbook =
    R"(<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
    R"(<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const char* kRels =
    R"(<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml" )"
    R"(Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>)";
}  // namespace

TEST(Xlsx, MalformedPartsAreReportedWithTheirLocation) {
    test::TempDir dir;
    auto e = error_of([&] {
        read_xlsx(make_zip(dir, "a.xlsx", {{"xl/workbook.xml", kWorkbook},
                                           {"xl/_rels/workbook.xml.rels", kRels},
                                           {"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\">"}}));
    });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause().rfind("malformed XML in 'xl/worksheets/sheet1.xml' at byte ", 0), 0u) << e.cause();

    e = error_of([&] {
        read_xlsx(make_zip(dir, "b.xlsx",
                           {{"xl/workbook.xml", kWorkbook},
                            {"xl/_rels/workbook.xml.rels", kRels},
                            {"xl/worksheets/sheet1.xml",
                             R"(<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>5</v></c></row></sheetData></worksheet>)"}}));
    });
    EXPECT_EQ(e.cause(), "xl/worksheets/sheet1.xml: cell B2: shared string index 5 out of range (0 strings)");

    e = error_of([&] {
        read_xlsx(make_zip(dir, "c.xlsx", {{"xl/workbook.xml", kWorkbook},
                                           {"xl/_rels/workbook.xml.rels", kRels},
                                           {"xl/worksheets/sheet1.xml",
                                            R"(<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row>)"
                                            R"(</sheetData></worksheet>)"}}));
    });
    EXPECT_EQ(e.cause(), "xl/worksheets/sheet1.xml: invalid cell reference '1A' in row 1");

    e = error_of([&] {
        read_xlsx(make_zip(dir, "d.xlsx", {{"xl/workbook.xml", kWorkbook}, {"xl/_rels/workbook.xml.rels", kRels}}));
    });
    EXPECT_EQ(e.cause(), "not an .xlsx workbook: missing part 'xl/worksheets/sheet1.xml'");

    e = error_of([&] {
        read_xlsx(make_zip(dir, "e.xlsx", {{"xl/workbook.xml", kWorkbook}}));  // no rels
    });
    EXPECT_EQ(e.cause(), "xl/workbook.xml: sheet 'S' refers to unknown relationship 'rId1'");
}

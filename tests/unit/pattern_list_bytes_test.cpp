// parse_pattern_list (bytes in memory, what the fuzz targets call) must read exactly what read_patterns
// reads from the same bytes in a file: the same patterns, or the same refusal (issue 14 §2).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_support.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/annotations/pattern_list_bytes.hpp"
#include "vidseg/core/error.hpp"

namespace {

namespace fs = std::filesystem;
using vidseg::annotations::Pattern;

// "name|description;..." or "error: <cause>".
template <class F>
std::string outcome(F&& read) {
    try {
        std::string out;
        for (const Pattern& p : read()) out += p.name + "|" + p.description + ";";
        return out;
    } catch (const vidseg::Error& e) {
        return "error: " + e.cause();
    }
}

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST(PatternListBytes, SameAsTheFileReaderOnEverySeed) {
    const fs::path seeds = fs::path(VIDSEG_SOURCE_DIR) / "tests/fuzz/corpus";
    vidseg::test::TempDir dir;
    int compared = 0;
    for (const auto& [folder, extensions] :
         {std::pair<std::string, std::vector<std::string>>{"fuzz_xlsx_patterns", {".xlsx"}},
          {"fuzz_pattern_list", {".csv", ".txt"}}}) {
        for (const auto& entry : fs::directory_iterator(seeds / folder)) {
            const std::string bytes = bytes_of(entry.path());
            for (const auto& extension : extensions) {
                const fs::path file = dir.path() / (entry.path().stem().string() + extension);
                std::ofstream(file, std::ios::binary) << bytes;
                const std::string subject = file.string();
                EXPECT_EQ(outcome([&] { return vidseg::annotations::parse_pattern_list(bytes, extension, subject); }),
                          outcome([&] { return vidseg::annotations::read_patterns(subject); }))
                    << entry.path();
                ++compared;
            }
        }
    }
    EXPECT_GE(compared, 11);  // 5 workbooks, 3 text lists as .csv and .txt
    EXPECT_NE(outcome([&] {
                  return vidseg::annotations::parse_pattern_list(bytes_of(seeds / "fuzz_xlsx_patterns/patterns.xlsx"),
                                                                 ".xlsx", "p.xlsx");
              }).find("Работа в команде|Ученики работают вместе & дружно;"),
              std::string::npos);
}

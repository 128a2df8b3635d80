// The streamed ZIP writer (GET /api/jobs/{id}/files.zip) and the config file of `vidseg serve`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "support/error_of.hpp"
#include "support/test_support.hpp"
#include "vidseg/core/config_file.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/storage/zip_stream.hpp"

using namespace vidseg;
using vidseg::test::error_of;

namespace {

std::uint32_t le32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}


}  // namespace

TEST(ZipStream, Crc32OfTheCheckString) {
    const std::string check = "123456789";
    EXPECT_EQ(storage::crc32_update(0, check.data(), check.size()), 0xCBF43926u);
    // Continued over pieces, the same value.
    const auto first = storage::crc32_update(0, check.data(), 4);
    EXPECT_EQ(storage::crc32_update(first, check.data() + 4, 5), 0xCBF43926u);
}

TEST(ZipStream, StoredEntriesWithDescriptorsAndCentralDirectory) {
    std::string out;
    storage::ZipStreamWriter zip([&out](const char* d, std::size_t n) { out.append(d, n); });
    zip.begin_entry("a/b.txt", 5, 1765065600);  // 2025-12-07 00:00:00 UTC
    zip.write("hel", 3);
    zip.write("lo", 2);
    zip.end_entry();
    zip.begin_entry("c.bin", 0, 1765065600);
    zip.end_entry();
    zip.finish();
    EXPECT_EQ(zip.bytes_written(), out.size());
    EXPECT_EQ(le32(out, 0), 0x04034b50u);  // local header
    EXPECT_EQ(out.substr(30, 7), "a/b.txt");
    EXPECT_EQ(out.substr(37, 5), "hello");  // stored as is
    EXPECT_EQ(le32(out, 42), 0x08074b50u);  // data descriptor
    EXPECT_EQ(le32(out, 46), storage::crc32_update(0, "hello", 5));
    EXPECT_EQ(le32(out, 50), 5u);
    const auto end = out.size() - 22;  // end of central directory
    EXPECT_EQ(le32(out, end), 0x06054b50u);
    EXPECT_EQ(static_cast<unsigned char>(out[end + 10]), 2);  // two entries
    EXPECT_EQ(le32(out, le32(out, end + 16)), 0x02014b50u);   // the directory starts where it says
}

TEST(ZipStream, RefusesUnsafeAndRepeatedNames) {
    std::string out;
    storage::ZipStreamWriter zip([&out](const char* d, std::size_t n) { out.append(d, n); });
    for (const std::string name :
         std::vector<std::string>{"../etc/passwd", "/abs", "a/../../b", "a\\b", "x\ny"})
        EXPECT_NE(error_of([&] { zip.begin_entry(name, 1, 0); }), "no error") << name;
    zip.begin_entry("ok.txt", 0, 0);
    zip.end_entry();
    EXPECT_EQ(error_of([&] { zip.begin_entry("ok.txt", 0, 0); }), "ok.txt: zip: the name is given twice");
}

TEST(ConfigFile, DefaultsUnderTheEnvironmentAndFlags) {
    test::TempDir tmp;
    const auto file = tmp.path() / "serve.conf";
    std::ofstream(file) << "# comment\nworkers = 3\nlisten = \"0.0.0.0:9\"\nquiet-mode = true\n\nmax = 7\n";
    CommandSpec spec{
        .name = "t",
        .options = {{.name = "workers", .type = OptionType::Int, .default_value = "1", .min = 0, .max = 8},
                    {.name = "listen", .type = OptionType::String, .default_value = "127.0.0.1:8080"},
                    {.name = "quiet-mode", .type = OptionType::Flag},
                    {.name = "max", .type = OptionType::Int, .default_value = "1"},
                    {.name = "config", .type = OptionType::Path}},
        .env_prefix = "VIDSEG_TEST_"};
    const auto with_file = with_config_file(spec, file);
    ::setenv("VIDSEG_TEST_MAX", "9", 1);
    const auto parsed = parse_command_line(with_file, {"--workers", "5"});
    ::unsetenv("VIDSEG_TEST_MAX");
    EXPECT_EQ(parsed.integer("workers"), 5);       // the flag
    EXPECT_EQ(parsed.integer("max"), 9);           // the environment
    EXPECT_EQ(parsed.str("listen"), "0.0.0.0:9");  // the file
    EXPECT_TRUE(parsed.flag("quiet-mode"));
    EXPECT_EQ(parse_command_line(spec, {}).integer("workers"), 1);  // the table itself is unchanged

    std::ofstream(file) << "\nworkers = 9\n";
    EXPECT_EQ(error_of([&] { with_config_file(spec, file); }),
              file.string() + ":2: option --workers: must be <= 8, got 9");
    std::ofstream(file) << "nope = 1\n";
    EXPECT_EQ(error_of([&] { with_config_file(spec, file); }), file.string() + ":1: unknown option 'nope'");
    std::ofstream(file) << "quiet-mode = maybe\n";
    EXPECT_EQ(error_of([&] { with_config_file(spec, file); }),
              file.string() + ":1: quiet-mode expects true or false");
    EXPECT_EQ(error_of([&] { with_config_file(spec, tmp.path() / "missing.conf"); }),
              (tmp.path() / "missing.conf").string() + ": config file not found or unreadable");
}

// The streamed results zip (GET /api/jobs/{id}/files.zip) above 4 GiB: a 4.5 GiB entry (zeros) and a
// small one after it, written through ZipStreamWriter into a sparse file (runs of zeros become holes),
// then read back by Python's zipfile — a real ZIP64 reader: sizes, offsets and every CRC-32.
// Opt-in (it reads 4.5 GiB): VIDSEG_ZIP64_TEST=1 build/tests/vidseg_unit_tests
// --gtest_filter='ZipStreamZip64.*'
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_support.hpp"
#include "vidseg/storage/zip_stream.hpp"

using namespace vidseg;

TEST(ZipStreamZip64, AnArchiveAbove4GiBOpensInARealReader) {
    if (!std::getenv("VIDSEG_ZIP64_TEST")) GTEST_SKIP() << "opt-in: set VIDSEG_ZIP64_TEST=1 (reads 4.5 GiB)";
    test::TempDir dir;
    const auto path = dir.path() / "big.zip";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    std::uint64_t end = 0;
    storage::ZipStreamWriter zip([&](const char* data, std::size_t size) {
        const bool zeros = size > 0 && data[0] == 0 &&
                           std::string_view(data, size).find_first_not_of('\0') == std::string_view::npos;
        if (zeros) {
            ASSERT_GE(::lseek(fd, static_cast<off_t>(size), SEEK_CUR), 0);  // a hole
        } else {
            ASSERT_EQ(::write(fd, data, size), static_cast<ssize_t>(size));
        }
        end += size;
    });
    constexpr std::uint64_t kBig = (std::uint64_t{9} << 29);  // 4.5 GiB
    const std::vector<char> chunk(8u << 20, 0);
    zip.begin_entry("results/big.bin", kBig, 1765065600);
    for (std::uint64_t done = 0; done < kBig; done += chunk.size()) zip.write(chunk.data(), chunk.size());
    zip.end_entry();
    zip.begin_entry("results/tail.txt", 5, 1765065600);  // its local header is past 4 GiB
    zip.write("tail\n", 5);
    zip.end_entry();
    zip.finish();
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(end)), 0);  // a trailing hole, if any
    ::close(fd);
    EXPECT_EQ(zip.bytes_written(), end);

    const auto r = test::run_shell(
        "python3 -c 'import sys, zipfile\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "print(z.testzip(), z.getinfo(\"results/big.bin\").file_size, "
        "z.getinfo(\"results/tail.txt\").header_offset > 2**32,"
        " repr(z.read(\"results/tail.txt\").decode()), z.namelist())' " +
        test::shell_quote(path));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "None 4831838208 True 'tail\\n' ['results/big.bin', 'results/tail.txt']\n");
}

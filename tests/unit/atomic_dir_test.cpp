#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;
using namespace vidseg;

namespace {
size_t entries(const fs::path& dir) {
    size_t n = 0;
    for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
    return n;
}
}  // namespace

TEST(AtomicOutputDir, CommitReplacesPreviousOutput) {
    test::TempDir tmp;
    const fs::path dest = tmp / "out";
    fs::create_directories(dest);
    std::ofstream(dest / "old.txt") << "old";
    {
        AtomicOutputDir out(dest);
        std::ofstream(out.staging() / "new.txt") << "new";
        EXPECT_TRUE(fs::exists(dest / "old.txt"));  // untouched until commit
        out.commit();
    }
    EXPECT_FALSE(fs::exists(dest / "old.txt"));
    EXPECT_EQ(test::read_text(dest / "new.txt"), "new");
    EXPECT_EQ(entries(tmp.path()), 1u);  // no staging leftovers
}

TEST(AtomicOutputDir, AbandonedWorkLeavesPreviousOutputIntact) {
    test::TempDir tmp;
    const fs::path dest = tmp / "out";
    fs::create_directories(dest);
    std::ofstream(dest / "keep.txt") << "keep";
    try {
        AtomicOutputDir out(dest);
        std::ofstream(out.staging() / "half.txt") << "half";
        throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(test::read_text(dest / "keep.txt"), "keep");
    EXPECT_FALSE(fs::exists(dest / "half.txt"));
    EXPECT_EQ(entries(tmp.path()), 1u);
}

TEST(AtomicOutputDir, StaleStagingFromACrashIsRemoved) {
    test::TempDir tmp;
    fs::create_directories(tmp / ".out.vidseg-tmp-deadbeef");
    {
        AtomicOutputDir out(tmp / "out");
        out.commit();
    }
    EXPECT_FALSE(fs::exists(tmp / ".out.vidseg-tmp-deadbeef"));
    EXPECT_TRUE(fs::is_directory(tmp / "out"));
}

TEST(AtomicOutputDir, UnwritableParentIsAnOutputError) {
    test::TempDir tmp;
    std::ofstream(tmp / "file") << "x";
    try {
        AtomicOutputDir out(tmp / "file" / "out");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::OutputError);
        EXPECT_NE(std::string(e.what()).find("file"), std::string::npos);
    }
}

// safe_file_name / join_under / check_under (core/safe_path.hpp): names from data never leave the root.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"

namespace fs = std::filesystem;
using namespace vidseg;

namespace {

// What every output of safe_file_name must be, whatever the input.
void expect_safe(const std::string& name, size_t max_bytes = kMaxSafeNameBytes) {
    SCOPED_TRACE(name);
    ASSERT_FALSE(name.empty());
    EXPECT_LE(name.size(), max_bytes);
    EXPECT_EQ(name.find('/'), std::string::npos);
    EXPECT_EQ(name.find('\\'), std::string::npos);
    EXPECT_NE(name, ".");
    EXPECT_NE(name, "..");
    EXPECT_NE(name.front(), '.');
    EXPECT_NE(name.front(), '-');
    for (const char c : name) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7F) << int(c);
    EXPECT_TRUE(is_safe_file_name(name));
    EXPECT_EQ(safe_file_name(name), name);  // idempotent
}

// The name carries "-" + the 8 hex digits of the original's hash (at the end or before the extension).
void expect_hashed(const std::string& original, const std::string& name) {
    EXPECT_NE(name.find("-" + short_name_hash(original)), std::string::npos) << name;
}

}  // namespace

TEST(SafeFileName, OrdinaryNamesStayAsTheyAre) {
    for (const std::string name : {"segment_3", "lesson_1_7_12_0", "урок 5 (часть 2)", "a.b-c_d", "x..y",
                                   "lesson.mp4", "名前", "2024", "a b", "segment_00001.mp4"}) {
        EXPECT_EQ(safe_file_name(name), name);
        EXPECT_TRUE(is_safe_file_name(name)) << name;
    }
}

TEST(SafeFileName, TraversalAndAbsolutePathsLoseTheirSeparators) {
    const std::string up = "../../../../x";
    EXPECT_EQ(safe_file_name(up),
              "___.._.._.._x-" + short_name_hash(up));  // one name: inner ".." is harmless
    expect_safe(safe_file_name(up));
    const std::string abs = "/etc/passwd";
    EXPECT_EQ(safe_file_name(abs), "_etc_passwd-" + short_name_hash(abs));
    const std::string win = "a\\b";
    EXPECT_EQ(safe_file_name(win), "a_b-" + short_name_hash(win));
    for (const std::string dots : {".", "..", "...", ".hidden", "-rf", "--out=x", ""}) {
        const auto name = safe_file_name(dots);
        expect_safe(name);
        expect_hashed(dots, name);
    }
    EXPECT_EQ(safe_file_name(".."), "__-" + short_name_hash(".."));
}

TEST(SafeFileName, ControlCharactersNulAndNewlinesAreReplaced) {
    const std::string nul("a\0b", 3);
    EXPECT_EQ(safe_file_name(nul), "a_b-" + short_name_hash(nul));
    const std::string newline = "line1\nline2\r\t\x1b[31m\x7f";
    const auto name = safe_file_name(newline);
    expect_safe(name);
    EXPECT_EQ(name, "line1_line2___[31m_-" + short_name_hash(newline));
    const std::string c1 =
        "a\xC2\x85"
        "b";  // U+0085 NEXT LINE
    EXPECT_EQ(safe_file_name(c1), "a_b-" + short_name_hash(c1));
}

TEST(SafeFileName, UnicodeLookAlikesOfSlashAndDotAreChanges) {
    for (const std::string lookalike : {"a\u2215b", "a\uFF0Fb", "a\u2044b", "a\uFF3Cb", "\uFF0E\uFF0E",
                                        "a\u2025b", "a\u2026", "x\u202Egpj.exe", "a\u200Bb", "\uFEFFname"}) {
        const auto name = safe_file_name(lookalike);
        expect_safe(name);
        expect_hashed(lookalike, name);
        EXPECT_NE(name, lookalike);
    }
    EXPECT_EQ(safe_file_name("a\u2215b"), "a_b-" + short_name_hash("a\u2215b"));
}

TEST(SafeFileName, InvalidUtf8BytesAreReplaced) {
    for (const std::string bad : {"a\xFF"
                                  "b",
                                  "a\xC0\xAF", "\xED\xA0\x80", "a\xE2\x88", "\xF4\x90\x80\x80"}) {
        const auto name = safe_file_name(bad);
        expect_safe(name);
        expect_hashed(bad, name);
    }
    EXPECT_EQ(safe_file_name("a\xFF"
                             "b"),
              std::string("a_b-") + short_name_hash("a\xFF"
                                                    "b"));
}

TEST(SafeFileName, LongNamesAreBoundedWithoutSplittingACharacter) {
    const std::string ascii(10000, 'x');
    const auto name = safe_file_name(ascii);
    EXPECT_EQ(name, std::string(91, 'x') + "-" + short_name_hash(ascii));
    expect_safe(name);
    // Two-byte characters: the cut lands on a character boundary (91 bytes -> 45 characters).
    std::string cyrillic;
    for (int i = 0; i < 5000; ++i) cyrillic += "я";
    const auto cut = safe_file_name(cyrillic);
    expect_safe(cut);
    std::string expected;
    for (int i = 0; i < 45; ++i) expected += "я";
    EXPECT_EQ(cut, expected + "-" + short_name_hash(cyrillic));
    // A long name of unsafe characters too.
    const std::string traversal = [] {
        std::string s;
        for (int i = 0; i < 2500; ++i) s += "../";
        return s;
    }();
    expect_safe(safe_file_name(traversal));
    // Exactly at the bound it is kept; one byte more and it is cut.
    EXPECT_EQ(safe_file_name(std::string(100, 'a')), std::string(100, 'a'));
    EXPECT_EQ(safe_file_name(std::string(101, 'a')).size(), 100u);
    EXPECT_EQ(safe_file_name(std::string(300, 'a'), 40).size(), 40u);
}

TEST(SafeFileName, TheHashGoesBeforeAShortExtension) {
    const std::string newline = "seg\nx.jpg";
    EXPECT_EQ(safe_file_name(newline), "seg_x-" + short_name_hash(newline) + ".jpg");
    const std::string long_name = std::string(300, 'a') + ".jpeg";
    const auto cut = safe_file_name(long_name);
    EXPECT_EQ(cut, std::string(86, 'a') + "-" + short_name_hash(long_name) + ".jpeg");
    expect_safe(cut);
    // Not an extension: too long, not alphanumeric, or nothing after the dot.
    const std::string odd = "a/b.tar_gz";
    EXPECT_EQ(safe_file_name(odd), "a_b.tar_gz-" + short_name_hash(odd));
    EXPECT_EQ(safe_file_name("a/b."), "a_b.-" + short_name_hash("a/b."));
}

TEST(SafeFileName, NamesThatCleanAlikeStayDistinctAndStable) {
    const std::vector<std::string> inputs = {"a/b",
                                             "a\\b",
                                             "a\nb",
                                             "a\u2215b",
                                             "a\uFF0Fb",
                                             "a_b",
                                             std::string("a\0b", 3),
                                             "a\x01"
                                             "b",
                                             std::string(200, 'q'),
                                             std::string(201, 'q'),
                                             "../x",
                                             "./.x",
                                             "__x",
                                             "-.x"};
    std::set<std::string> outputs;
    for (const auto& in : inputs) {
        const auto out = safe_file_name(in);
        EXPECT_EQ(out, safe_file_name(in)) << "not stable: " << in;  // same input, same name
        outputs.insert(out);
    }
    EXPECT_EQ(outputs.size(), inputs.size());
    EXPECT_EQ(safe_file_name("a_b"), "a_b");  // the safe one keeps its name
}

TEST(SafeRelativePath, AcceptsOnlySafeElements) {
    EXPECT_TRUE(is_safe_relative_path("videos/lesson_1_2_0.mp4"));
    EXPECT_TRUE(is_safe_relative_path("train/images/x_crop.jpg"));
    const std::vector<std::string> bad_paths = {
        "", "/abs", "a//b", "a/", "../x", "a/../b", "a/./b", "a\\b", ".hidden/x", std::string("a\0b", 3)};
    for (const auto& bad : bad_paths) EXPECT_FALSE(is_safe_relative_path(bad)) << bad;
}

TEST(JoinUnder, JoinsSafeNamesAndRefusesEverythingElse) {
    test::TempDir tmp;
    const fs::path root = tmp / "out";
    fs::create_directories(root);
    EXPECT_EQ(join_under(root, "videos/a.mp4"), root / "videos" / "a.mp4");
    EXPECT_EQ(join_under(root, safe_file_name("../../x") + ".wav"),
              root / (safe_file_name("../../x") + ".wav"));
    for (const std::string bad : {"../x", "/etc/passwd", "a/../../x", "", ".", "a\\..\\x", "a/\n"}) {
        const auto error = test::thrown_error([&] { join_under(root, bad); });
        EXPECT_EQ(error.code(), ErrorCode::OutputError) << bad;
        EXPECT_NE(std::string(error.what()).find("refusing to write"), std::string::npos) << error.what();
    }
}

TEST(CheckUnder, RefusesPathsOutsideTheRootAfterNormalisingAndResolvingSymlinks) {
    test::TempDir tmp;
    const fs::path root = tmp / "out";
    fs::create_directories(root / "sub");
    fs::create_directories(tmp / "elsewhere");
    EXPECT_NO_THROW(check_under(root, root / "sub" / "x.txt"));
    EXPECT_NO_THROW(check_under(root, root / "sub" / ".." / "x.txt"));
    EXPECT_NO_THROW(
        check_under(root / "", root / "new" / "deeper" / "x.txt"));  // trailing separator, missing dirs
    EXPECT_EQ(test::thrown_code([&] { check_under(root, root / ".." / "x.txt"); }), ErrorCode::OutputError);
    EXPECT_EQ(test::thrown_code([&] { check_under(root, root); }), ErrorCode::OutputError);
    EXPECT_EQ(test::thrown_code([&] { check_under(root, "/etc/passwd"); }), ErrorCode::OutputError);
    // A folder inside the root that is a symlink to elsewhere: what is written through it is refused.
    fs::create_directory_symlink(tmp / "elsewhere", root / "videos");
    const auto error = test::thrown_error([&] { join_under(root, "videos/a.mp4"); });
    EXPECT_EQ(error.code(), ErrorCode::OutputError);
    EXPECT_EQ(error.subject(), (root / "videos" / "a.mp4").string());
    // A file that is a symlink to a file outside: writing it would follow it.
    std::ofstream(tmp / "secret.txt") << "x";
    fs::create_symlink(tmp / "secret.txt", root / "sub" / "f.txt");
    EXPECT_EQ(test::thrown_code([&] { join_under(root, "sub/f.txt"); }), ErrorCode::OutputError);
    // A symlinked root itself is fine: the root is resolved the same way.
    fs::create_directory_symlink(root, tmp / "link");
    EXPECT_NO_THROW(join_under(tmp / "link", "sub/y.txt"));
}

// `vidseg intro detect --threads N`: episodes fingerprinted and pairs aligned in parallel give the same
// answer as one thread, and an unreadable episode is still reported on its own (issue 4 §7 speed work).
// Uses the synthetic series of tests/media/make_series.sh (shared with intro_detect_test.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::media;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

using vidseg::test::series_dir;

nlohmann::json detect(const std::string& threads) {
    std::string args = "intro detect --json --no-cache --threads " + threads;
    for (int i = 1; i <= 5; ++i) args += " " + shell_quote((series_dir() / ("ep" + std::to_string(i) + ".mp4")).string());
    args += " " + shell_quote(media("corrupt.mp4").string());
    const auto r = run_vidseg(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
}

}  // namespace

TEST(IntroThreads, OneThreadAndManyGiveTheSameDetectionsAndKeepErrorsPerEpisode) {
    const auto one = detect("1");
    const auto many = detect("3");
    ASSERT_FALSE(one.is_discarded());
    ASSERT_FALSE(many.is_discarded());
    ASSERT_EQ(one["episodes"].size(), 6u);
    ASSERT_EQ(many["episodes"].size(), 6u);
    int found = 0;
    for (std::size_t k = 0; k < 6; ++k) {
        const auto& a = one["episodes"][k];
        const auto& b = many["episodes"][k];
        EXPECT_EQ(a["episode"], b["episode"]);
        EXPECT_EQ(a["intro"], b["intro"]) << a.dump();
        EXPECT_EQ(a.value("confidence", -1.0), b.value("confidence", -1.0));
        EXPECT_EQ(a.value("variant", nlohmann::json()), b.value("variant", nlohmann::json()));
        found += !a["intro"].is_null();
    }
    EXPECT_EQ(found, 4);  // ep1-ep4 share the intro, ep5 has none
    // The unreadable file is skipped with its own error in both modes; the others are unaffected.
    EXPECT_TRUE(one["episodes"][5].contains("error"));
    EXPECT_TRUE(many["episodes"][5].contains("error"));
    EXPECT_EQ(one["usable"], 5);
    EXPECT_EQ(many["usable"], 5);
}

TEST(IntroThreads, NegativeThreadCountIsAUsageError) {
    const auto r = run_vidseg("intro detect --threads -1 a.mp4 b.mp4");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("threads"), std::string::npos) << r.err;
}

// Sound that recurs under other pictures is not the intro (issue 16 §2), on the real binary and the
// library: tests/media/make_intro_cases.sh cue — a 6-s intro whose melody returns, whole, as a score cue
// under each episode's own pictures 7 s before its end (23-29 s of the 30-s episodes); episode 4 has the
// cue but no intro, episode 2 speech over its intro.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vidseg/intro/intro_detector.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

std::vector<std::string> cue_episodes() {
    const fs::path dir = vidseg::test::intro_case_dir("cue");
    std::vector<std::string> out;
    for (int i = 1; i <= 6; ++i) out.push_back((dir / ("ep" + std::to_string(i) + ".mp4")).string());
    return out;
}

// truth.json of the cue case: intro start per episode (end = start + 6), none for episode 4.
const std::map<std::string, double> kIntroStart = {{"ep1", 3}, {"ep2", 8}, {"ep3", 0}, {"ep5", 5}, {"ep6", 10}};

}  // namespace

TEST(IntroRecurringAudioCli, ReusedThemeUnderOtherPicturesIsNeitherAnIntroNorWhereTheIntroIs) {
    const auto found = vidseg::intro::detect_intros(cue_episodes());
    ASSERT_EQ(found.size(), 6u);
    for (const auto& d : found) {
        const std::string id = fs::path(d.episode).stem().string();
        SCOPED_TRACE(id);
        EXPECT_TRUE(d.error.empty()) << d.error;
        if (id == "ep4") {
            EXPECT_FALSE(d.intro);  // the cue alone, under its own pictures
        } else {
            ASSERT_TRUE(d.intro);
            EXPECT_NEAR(d.intro->start, kIntroStart.at(id), 0.3);
            EXPECT_NEAR(d.intro->end, kIntroStart.at(id) + 6, 0.3);
        }
        // Every episode's cue is reported as recurring audio whose pictures differ.
        ASSERT_EQ(d.recurring_audio.size(), 1u);
        EXPECT_TRUE(d.recurring_audio[0].pictures_differ);
        EXPECT_NEAR(d.recurring_audio[0].interval.start, 23, 1.0);
        EXPECT_NEAR(d.recurring_audio[0].interval.end, 29, 1.0);
        EXPECT_GE(d.recurring_audio[0].partners.size(), 3u);
    }
}

TEST(IntroRecurringAudioCli, CliJsonReportsRecurringAudioApartFromTheIntro) {
    std::string args;
    for (const auto& e : cue_episodes()) args += " " + shell_quote(e);
    const auto r = run_vidseg("intro detect" + args + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["episodes"].size(), 6u);
    const auto& ep4 = doc["episodes"][3];
    EXPECT_EQ(ep4["id"], "ep4");
    EXPECT_TRUE(ep4["intro"].is_null()) << ep4.dump();
    ASSERT_EQ(ep4["recurring_audio"].size(), 1u) << ep4.dump();
    const auto& cue = ep4["recurring_audio"][0];
    EXPECT_EQ(cue["pictures"], "differ");
    EXPECT_NEAR(cue["start"].get<double>(), 23, 1.0);
    EXPECT_NEAR(cue["end"].get<double>(), 29, 1.0);
    EXPECT_EQ(cue["episodes"].size(), 5u) << cue.dump();  // heard in every other episode
    const auto& ep2 = doc["episodes"][1];  // speech over its intro: still placed on the intro
    ASSERT_TRUE(ep2["intro"].is_array()) << ep2.dump();
    EXPECT_NEAR(ep2["intro"][0].get<double>(), 8, 0.3);
    EXPECT_NEAR(ep2["intro"][1].get<double>(), 14, 0.3);
    EXPECT_EQ(ep2["recurring_audio"][0]["pictures"], "differ");
}

namespace {

// What `intro detect --json` reports per episode, as the golden file holds it: the intro (or null) and
// every recurring-audio entry with its pictures verdict and the episodes it recurs in.
void expect_matches_golden(const nlohmann::json& doc, const fs::path& golden_file) {
    std::ifstream in(golden_file);
    ASSERT_TRUE(in) << golden_file;
    const auto golden = nlohmann::json::parse(in);
    const double tolerance = golden.at("tolerance_s").get<double>();
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& e : doc.at("episodes")) by_id[e.at("id").get<std::string>()] = e;
    ASSERT_EQ(by_id.size(), golden.at("episodes").size()) << doc.dump();
    for (const auto& [id, want] : golden.at("episodes").items()) {
        SCOPED_TRACE(id);
        ASSERT_TRUE(by_id.count(id)) << doc.dump();
        const auto& got = by_id[id];
        if (want.at("intro").is_null()) {
            EXPECT_TRUE(got.at("intro").is_null()) << got.dump();
        } else {
            ASSERT_TRUE(got.at("intro").is_array()) << got.dump();
            EXPECT_NEAR(got["intro"][0].get<double>(), want["intro"][0].get<double>(), tolerance);
            EXPECT_NEAR(got["intro"][1].get<double>(), want["intro"][1].get<double>(), tolerance);
        }
        const auto& want_ra = want.at("recurring_audio");
        const auto got_ra = got.value("recurring_audio", nlohmann::json::array());
        ASSERT_EQ(got_ra.size(), want_ra.size()) << got.dump();
        for (std::size_t k = 0; k < want_ra.size(); ++k) {
            EXPECT_NEAR(got_ra[k].at("start").get<double>(), want_ra[k].at("start").get<double>(), 2 * tolerance);
            EXPECT_NEAR(got_ra[k].at("end").get<double>(), want_ra[k].at("end").get<double>(), 2 * tolerance);
            EXPECT_EQ(got_ra[k].at("pictures"), want_ra[k].at("pictures"));
            EXPECT_EQ(got_ra[k].at("episodes"), want_ra[k].at("episodes"));
        }
    }
}

}  // namespace

// Golden: the cue case's whole --json answer (intros and recurring audio of every episode).
TEST(IntroRecurringAudioCli, CueCaseJsonMatchesGolden) {
    std::string args;
    for (const auto& e : cue_episodes()) args += " " + shell_quote(e);
    const auto r = run_vidseg("intro detect" + args + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_matches_golden(nlohmann::json::parse(r.out), fs::path(VIDSEG_GOLDEN_DIR) / "intro" / "cue_recurring_audio.json");
}

// Golden: the base test series (make_series.sh — the intro's music under test-pattern pictures that
// differ per episode): pictures agree nowhere, so the sound decides; nothing recurs outside the intros.
TEST(IntroRecurringAudioCli, MusicUnderChangingPicturesJsonMatchesGolden) {
    std::string args;
    for (int i = 1; i <= 5; ++i) args += " " + shell_quote((vidseg::test::series_dir() / ("ep" + std::to_string(i) + ".mp4")).string());
    const auto r = run_vidseg("intro detect" + args + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_matches_golden(nlohmann::json::parse(r.out), fs::path(VIDSEG_GOLDEN_DIR) / "intro" / "series_music_under_changing_pictures.json");
}

// Cue snapping of intro boundaries (boundary_cues.hpp) on generated seasons where the sound misplaces
// the intro's end by 0.8 s and a hard cut marks it (tests/media/make_intro_cases.sh endcard / tail):
// the golden answers are the exact cut times; `--no-cues` keeps the alignment's (measurably worse) ends.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

// The season of one case, generated once per build tree into the test media dir.
fs::path cue_case_dir(const std::string& name) { return vidseg::test::intro_case_dir(name); }

std::map<std::string, vidseg::timeline::Interval> truth(const std::string& name) {
    std::map<std::string, vidseg::timeline::Interval> t;
    for (const auto& l : vidseg::intro::read_intro_labels(cue_case_dir(name) / "truth.json").labels)
        if (l.intro) t[fs::path(l.id).stem().string()] = *l.intro;
    return t;
}

nlohmann::json detect_json(const std::string& name, const std::string& extra = "") {
    const auto r = run_vidseg("intro detect --dir " + shell_quote(cue_case_dir(name)) + " --no-cache --json -q " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

// With cues: every end exactly at the cut (the file is 10 fps, so "exactly" = within a frame's
// rounding), snapped to a shot cut, the alignment's end kept in "aligned"; starts stay within 0.05 s.
// Without: the ends are where the sound put them, 0.8 s off.
void expect_cut_marks_the_end(const std::string& name) {
    const auto t = truth(name);
    const auto with = detect_json(name);
    ASSERT_EQ(with["episodes"].size(), 6u);
    for (const auto& e : with["episodes"]) {
        SCOPED_TRACE(e.dump());
        const auto& label = t.at(e["id"].get<std::string>());
        ASSERT_TRUE(e["intro"].is_array());
        EXPECT_NEAR(e["intro"][1].get<double>(), label.end, 0.011);
        EXPECT_NEAR(e["intro"][0].get<double>(), label.start, 0.05);
        EXPECT_EQ(e["cues"]["end"], "shot_cut");
        EXPECT_NEAR(std::abs(e["aligned"][1].get<double>() - label.end), 0.8, 0.1);
    }
    const auto without = detect_json(name, "--no-cues");
    for (const auto& e : without["episodes"]) {
        SCOPED_TRACE(e.dump());
        const auto& label = t.at(e["id"].get<std::string>());
        ASSERT_TRUE(e["intro"].is_array());
        EXPECT_GT(std::abs(e["intro"][1].get<double>() - label.end), 0.7);
        EXPECT_FALSE(e.contains("cues"));
    }
}

}  // namespace

TEST(IntroCuesSeason, SilentEndCardEndsAtTheCutNotWhereTheMusicStops) { expect_cut_marks_the_end("endcard"); }

TEST(IntroCuesSeason, MusicTailUnderTheNextShotEndsAtTheCut) { expect_cut_marks_the_end("tail"); }

TEST(IntroCuesSeason, LibraryRecordsTheCueAndTheAlignedIntro) {
    std::vector<std::string> eps;
    for (int i = 1; i <= 4; ++i) eps.push_back((cue_case_dir("endcard") / ("ep" + std::to_string(i) + ".mp4")).string());
    vidseg::intro::IntroDetectOptions options;
    const auto with = vidseg::intro::detect_intros(eps, options);
    options.cues = false;
    const auto without = vidseg::intro::detect_intros(eps, options);
    const auto t = truth("endcard");
    for (std::size_t i = 0; i < eps.size(); ++i) {
        SCOPED_TRACE(eps[i]);
        const auto& label = t.at(fs::path(eps[i]).stem().string());
        ASSERT_TRUE(with[i].intro && without[i].intro && with[i].aligned);
        EXPECT_NEAR(with[i].intro->end, label.end, 0.011);
        EXPECT_EQ(with[i].end_cue, vidseg::intro::BoundaryCue::ShotCut);
        EXPECT_NEAR(with[i].aligned->end, without[i].intro->end, 0.02);
        EXPECT_EQ(without[i].end_cue, vidseg::intro::BoundaryCue::None);
        EXPECT_FALSE(without[i].aligned);
    }
}

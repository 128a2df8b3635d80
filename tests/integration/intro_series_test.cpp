// Series grouping by sound OR pictures, a new intro variant from the middle of a season, and the
// intro library's matching by pictures with season-grade boundaries (issue 4 §1, §2, §8), on the
// real binary and the generated series of tests/media/make_intro_cases.sh (30-s episodes, 6-s intro A
// in episodes 1-3, B in 4-6; "mixed": speech over the intro in episodes 2 and 5, recaps in 3 and 6).
// Golden: each interval against the generator's exact truth.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/intro_test_support.hpp"
#include "support/test_support.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;
using vidseg::test::expect_intro_near;
using vidseg::test::parse_json_output;
using vidseg::test::episodes_by_name;

namespace {

fs::path case_dir(const std::string& name) { return vidseg::test::intro_case_dir(name); }

// A copy of `in` with loud speech dubbed over [from, to) (espeak-ng at 3x, like bench series s03: the
// intro's sound no longer aligns, its pictures are untouched).
void dub_speech(const fs::path& in, const fs::path& out, double from, double to) {
    const fs::path speech = out.parent_path() / (out.stem().string() + "_speech.wav");
    const std::string cmd =
        "espeak-ng -s 160 -w " + shell_quote(speech) +
        " 'Previously the captain and the robot argued about the map, and nobody knew where the seventh island was "
        "hidden.' && ffmpeg -nostdin -loglevel error -y -i " + shell_quote(in) + " -i " + shell_quote(speech) +
        " -filter_complex \"[1:a]aresample=22050,adelay=" + std::to_string(int(from * 1000)) + ",volume=3,atrim=0:" +
        std::to_string(to) + "[s];[0:a][s]amix=inputs=2:normalize=0:duration=first[a]\" -map 0:v -c:v copy -map \"[a]\"" +
        " -c:a aac -b:a 96k " + shell_quote(out);
    const auto r = run_shell(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace

TEST(IntroSeries, AnEpisodeWithSpeechDubbedOverItsIntroStaysInItsSeriesByItsPictures) {
    TempDir tmp;
    const auto& dir = case_dir("variant");
    const auto want = vidseg::test::intro_truth(dir);
    const fs::path season = tmp / "season";
    fs::create_directories(season);
    // Episodes 1-3 (intro A); loud speech over ep1's intro (3-9 s).
    dub_speech(dir / "ep1.mp4", season / "ep1.mp4", want.at("ep1.mp4")->start, want.at("ep1.mp4")->end);
    for (const char* n : {"ep2.mp4", "ep3.mp4"}) fs::create_symlink(dir / n, season / n);

    // The sound alone leaves ep1 out (what the season detection used to report).
    auto r = run_vidseg("intro detect --dir " + shell_quote(season) + " --no-cache --audio-only --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto eps = episodes_by_name(parse_json_output(r));
    EXPECT_TRUE(eps["ep1.mp4"]["intro"].is_null()) << eps["ep1.mp4"].dump();
    EXPECT_NE(eps["ep1.mp4"]["reason"].get<std::string>().find("shares no audio"), std::string::npos);

    r = run_vidseg("intro detect --dir " + shell_quote(season) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = parse_json_output(r);
    ASSERT_EQ(doc["series"].size(), 1u) << doc["series"].dump();
    EXPECT_EQ(doc["series"][0]["episodes"].size(), 3u);
    eps = episodes_by_name(doc);
    for (const char* n : {"ep1.mp4", "ep2.mp4", "ep3.mp4"}) {
        SCOPED_TRACE(n);
        expect_intro_near(eps[n], *want.at(n), 0.3);
        EXPECT_FALSE(eps[n].contains("reason")) << eps[n].dump();
        EXPECT_EQ(eps[n]["variant"], 0);
    }
}

TEST(IntroSeries, ANewIntroFromTheMiddleOfASeasonIsOneSeriesWithTwoVariants) {
    const auto& dir = case_dir("variant");
    const auto want = vidseg::test::intro_truth(dir);
    auto r = run_vidseg("intro detect --dir " + shell_quote(dir) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = parse_json_output(r);
    // One series (same folder, names, picture size and length), not two.
    ASSERT_EQ(doc["series"].size(), 1u) << doc["series"].dump();
    auto eps = episodes_by_name(doc);
    std::vector<int> variants;
    for (int i = 1; i <= 6; ++i) {
        const std::string n = "ep" + std::to_string(i) + ".mp4";
        SCOPED_TRACE(n);
        expect_intro_near(eps[n], *want.at(n), 0.3);
        variants.push_back(eps[n]["variant"].is_number() ? eps[n]["variant"].get<int>() : -1);
    }
    EXPECT_EQ(variants, (std::vector<int>{0, 0, 0, 1, 1, 1}));

    // The console names the variants.
    r = run_vidseg("intro detect --dir " + shell_quote(dir) + " --no-cache");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("different series"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 intro variants"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("variant 1: ep4.mp4 ep5.mp4 ep6.mp4"), std::string::npos) << r.out;
}

TEST(IntroSeries, LibraryMatchesSpeechOverIntroEpisodesByPicturesToATenthOfASecond) {
    TempDir tmp;
    const auto& dir = case_dir("mixed");
    const auto want = vidseg::test::intro_truth(dir);
    const fs::path lib = tmp / "show.intro.json";
    // Learn from episodes 1, 3 (intro A) and 4, 6 (intro B); 2 and 5 (speech over A / B) are new.
    std::string learn;
    for (const char* n : {"ep1.mp4", "ep3.mp4", "ep4.mp4", "ep6.mp4"}) learn += " " + shell_quote(dir / n);
    auto r = run_vidseg("intro learn" + learn + " --out " + shell_quote(lib) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto learned = parse_json_output(r);
    ASSERT_EQ(learned["variants"].size(), 2u) << r.out;
    const auto stored = json::parse(read_text(lib));
    EXPECT_EQ(stored["version"], 2);
    for (const auto& v : stored["variants"]) {
        EXPECT_FALSE(v["visual"].is_null());
        EXPECT_FALSE(v["reference"]["samples_s16"].get<std::string>().empty());
        EXPECT_GT(v["reference"]["frames"].size(), 40u);  // every frame (10 fps) within +-2 s of both boundaries
    }

    // ep5 with loud speech dubbed over its intro as well: found by its pictures alone.
    dub_speech(dir / "ep5.mp4", tmp / "ep5_dubbed.mp4", want.at("ep5.mp4")->start, want.at("ep5.mp4")->end);
    r = run_vidseg("intro detect " + shell_quote(dir / "ep1.mp4") + " " + shell_quote(dir / "ep2.mp4") + " " +
                   shell_quote(dir / "ep5.mp4") + " " + shell_quote(tmp / "ep5_dubbed.mp4") + " --library " + shell_quote(lib) +
                   " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto eps = episodes_by_name(parse_json_output(r));
    const std::map<std::string, std::string> source = {
        {"ep1.mp4", "ep1.mp4"}, {"ep2.mp4", "ep2.mp4"}, {"ep5.mp4", "ep5.mp4"}, {"ep5_dubbed.mp4", "ep5.mp4"}};
    for (const auto& [name, truth_name] : source) {
        SCOPED_TRACE(name);
        expect_intro_near(eps[name], *want.at(truth_name), 0.1);
    }
    // Variant ids in season order: A (ep1, ep3) = 0, B (ep4, ep6) = 1.
    EXPECT_EQ(learned["variants"][0]["episodes"][0]["episode"], "ep1.mp4");
    EXPECT_EQ(eps["ep2.mp4"]["variant"], 0);
    EXPECT_EQ(eps["ep5.mp4"]["variant"], 1);
    EXPECT_EQ(eps["ep5_dubbed.mp4"]["variant"], 1);
    EXPECT_EQ(eps["ep5_dubbed.mp4"]["matched_by"], "pictures") << eps["ep5_dubbed.mp4"].dump();
    // A clean intro is settled by its sound alone (audio first: no video decoded).
    EXPECT_EQ(eps["ep1.mp4"]["matched_by"], "audio") << eps["ep1.mp4"].dump();
}

// `vidseg intro learn`, `intro detect --library`, the fingerprint cache and mixed folders, on the
// synthetic series of tests/media/make_series.sh (ep1-ep4 share a 6-s intro, ep5 has none) and
// tests/media/make_series_b.sh (b1-b4 share another, 5-s intro).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

// Generated once per build tree into VIDSEG_TEST_MEDIA_DIR/<name> (intro_detect_test.cpp shares "series").
fs::path generated_series(const std::string& name, const std::string& script) {
    return vidseg::test::generated_media_dir(name, script);
}

const fs::path& series_a() {
    static const fs::path dir = generated_series("series", "tests/media/make_series.sh");
    return dir;
}
const fs::path& series_b() {
    static const fs::path dir = generated_series("series_b", "tests/media/make_series_b.sh");
    return dir;
}

std::string files(const fs::path& dir, std::initializer_list<const char*> names) {
    std::string args;
    for (const char* n : names) args += " " + shell_quote(dir / n);
    return args;
}

}  // namespace

TEST(IntroLibraryCli, LearnOnASeasonThenDetectANewEpisodeAlone) {
    TempDir tmp;
    const auto& a = series_a();
    const fs::path lib = tmp / "show.intro.json";
    // ep4 is the "new" episode: not learned from.
    auto r = run_vidseg("intro learn" + files(a, {"ep1.mp4", "ep2.mp4", "ep3.mp4", "ep5.mp4"}) + " --out " +
                        shell_quote(lib) + " --cache " + shell_quote(tmp / "cache") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto learned = parse_json_output(r);
    ASSERT_EQ(learned["variants"].size(), 1u) << r.out;
    EXPECT_EQ(learned["variants"][0]["episodes"].size(), 3u);
    EXPECT_NEAR(learned["variants"][0]["length"].get<double>(), 6.0, 0.3);
    const auto doc = json::parse(read_text(lib));
    EXPECT_EQ(doc["format"], "vidseg-intro-library");
    EXPECT_EQ(doc["version"], 2);

    const auto want = vidseg::test::intro_truth(a);
    r = run_vidseg("intro detect" + files(a, {"ep4.mp4", "ep5.mp4"}) + " --library " + shell_quote(lib) +
                   " --no-cache --json --edl " + shell_quote(tmp / "edl") + " --chapters " + shell_quote(tmp / "chapters"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto eps = episodes_by_name(parse_json_output(r));
    expect_intro_near(eps["ep4.mp4"], *want.at("ep4.mp4"));
    // The player sidecars of a library match, as for a season: ep4's intro as an EDL skip, none for ep5.
    const auto edl = read_text(tmp / "edl" / "ep4.edl");
    ASSERT_FALSE(edl.empty()) << "no EDL written for a library match";
    EXPECT_NEAR(std::stod(edl), want.at("ep4.mp4")->start, 0.3) << edl;
    EXPECT_TRUE(read_text(tmp / "edl" / "ep5.edl").empty());
    EXPECT_NE(read_text(tmp / "chapters" / "ep4.ffmetadata").find("[CHAPTER]"), std::string::npos);
    EXPECT_EQ(eps["ep4.mp4"]["variant"], 0);
    EXPECT_GT(eps["ep4.mp4"]["confidence"].get<double>(), 0.8);
    EXPECT_TRUE(eps["ep5.mp4"]["intro"].is_null());
    EXPECT_TRUE(eps["ep5.mp4"].contains("reason"));

    // Console form, one episode.
    r = run_vidseg("intro detect " + shell_quote(a / "ep2.mp4") + " --library " + shell_quote(lib) + " --no-cache");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Intro found: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("variant 0"), std::string::npos) << r.out;

    // An episode of another series: no intro, with the reason.
    r = run_vidseg("intro detect " + shell_quote(series_b() / "b1.mp4") + " --library " + shell_quote(lib) +
                   " --no-cache");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("No intro found (no intro variant of the library matches"), std::string::npos) << r.out;
}

TEST(IntroLibraryCli, LibraryFileErrorsAreClear) {
    TempDir tmp;
    const std::string ep = shell_quote(series_a() / "ep1.mp4");
    auto r = run_vidseg("intro detect " + ep + " --library " + shell_quote(tmp / "missing.json") + " --no-cache");
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("intro library not found"), std::string::npos) << r.err;

    { std::ofstream(tmp / "corrupt.json") << "{\"format\": \"vidseg-intro-lib"; }
    r = run_vidseg("intro detect " + ep + " --library " + shell_quote(tmp / "corrupt.json") + " --no-cache");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;

    // A library of the previous format (audio fingerprints only): refused, with what to do.
    { std::ofstream(tmp / "v1.json") << R"({"format": "vidseg-intro-library", "version": 1, "variants": []})"; }
    r = run_vidseg("intro detect " + ep + " --library " + shell_quote(tmp / "v1.json") + " --no-cache");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("version 1 is not supported"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("run `vidseg intro learn` again"), std::string::npos) << r.err;

    { std::ofstream(tmp / "other.json") << R"({"episodes": []})"; }
    r = run_vidseg("intro detect " + ep + " --library " + shell_quote(tmp / "other.json") + " --no-cache");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("not a usable intro library"), std::string::npos) << r.err;
}

TEST(IntroCacheCli, ReRunLoadsEveryFingerprintAndResultFromTheCache) {
    TempDir tmp;
    const std::string args = "intro detect --dir " + shell_quote(series_a()) + " --cache " + shell_quote(tmp / "c") + " --json";
    auto first = run_vidseg(args);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto d1 = parse_json_output(first);
    EXPECT_EQ(d1["cache"]["hits"], 0);
    EXPECT_EQ(d1["cache"]["misses"], 5);
    EXPECT_EQ(d1["cache"]["stored"], 5);

    auto second = run_vidseg(args);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    const auto d2 = parse_json_output(second);
    // Nothing decoded, aligned or refined again: the whole run's result hits (only the sampled blocks
    // of each file are read for its key), no fingerprint is recomputed or even loaded.
    EXPECT_EQ(d2["cache"]["result_hits"], 1);
    EXPECT_EQ(d2["cache"]["misses"], 0);
    EXPECT_EQ(d2["cache"]["stored"], 0);
    EXPECT_EQ(d2["episodes"], d1["episodes"]);
    const auto want = vidseg::test::intro_truth(series_a());
    for (const auto& [name, e] : episodes_by_name(d2))
        if (want.at(name)) expect_intro_near(e, *want.at(name));

    // Corrupt entries (one fingerprint, both cached results): warnings, recomputed, same answer.
    fs::path entry;
    for (const auto& f : fs::directory_iterator(tmp / "c" / "v1"))
        if (f.path().extension() == ".vfp") entry = f.path();
    ASSERT_FALSE(entry.empty());
    { std::ofstream(entry, std::ios::binary | std::ios::trunc) << "VSIFPC garbage"; }
    int results = 0;
    for (const auto& f : fs::directory_iterator(tmp / "c" / "v1" / "results")) {
        std::ofstream(f.path(), std::ios::trunc) << "{\"version\": 1, \"episodes\": 7";
        ++results;
    }
    EXPECT_EQ(results, 2);  // the whole run and its one series
    auto third = run_vidseg(args);
    ASSERT_EQ(third.exit_code, 0) << third.err;
    const auto d3 = parse_json_output(third);
    EXPECT_EQ(d3["cache"]["corrupt"], 3);
    EXPECT_EQ(d3["cache"]["hits"], 4);
    EXPECT_EQ(d3["cache"]["misses"], 1);
    EXPECT_NE(third.err.find("ignoring fingerprint cache entry"), std::string::npos) << third.err;
    EXPECT_NE(third.err.find("ignoring cached detection result"), std::string::npos) << third.err;
    EXPECT_EQ(d3["episodes"], d1["episodes"]);

    // A changed file misses: a copy of the season where ep1 is re-encoded.
    const fs::path season = tmp / "season";
    fs::create_directories(season);
    for (const char* n : {"ep1.mp4", "ep2.mp4", "ep3.mp4"}) fs::copy_file(series_a() / n, season / n);
    const std::string copy_args = "intro detect --dir " + shell_quote(season) + " --cache " + shell_quote(tmp / "c") + " --json";
    auto r = run_vidseg(copy_args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Copies get new mtimes: conservative misses, never a stale hit.
    EXPECT_EQ(parse_json_output(r)["cache"]["misses"], 3);
    EXPECT_EQ(parse_json_output(run_vidseg(copy_args))["cache"]["misses"], 0);
    ASSERT_EQ(run_shell("ffmpeg -nostdin -loglevel error -y -i " + shell_quote(series_a() / "ep1.mp4") +
                        " -c:v copy -c:a aac -b:a 64k " + shell_quote(tmp / "re.mp4") + " && mv " +
                        shell_quote(tmp / "re.mp4") + " " + shell_quote(season / "ep1.mp4"))
                  .exit_code,
              0);
    const auto changed = parse_json_output(run_vidseg(copy_args));
    EXPECT_EQ(changed["cache"]["hits"], 2);
    EXPECT_EQ(changed["cache"]["misses"], 1);

    // --no-cache writes nothing; the default dir follows XDG_CACHE_HOME.
    const std::string env = "XDG_CACHE_HOME=" + shell_quote(tmp / "xdg") + " " + VIDSEG_BINARY + " ";
    r = run_shell(env + "intro detect --dir " + shell_quote(season) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(parse_json_output(r).contains("cache"));
    EXPECT_FALSE(fs::exists(tmp / "xdg"));
    r = run_shell(env + "intro detect --dir " + shell_quote(season) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(tmp / "xdg" / "vidseg" / "intro" / "v1"));
}

TEST(IntroSeriesCli, MixedFolderIsGroupedIntoTwoSeries) {
    TempDir tmp;
    const fs::path mixed = tmp / "mixed";
    fs::create_directories(mixed);
    for (const char* n : {"ep1.mp4", "ep2.mp4", "ep3.mp4", "ep4.mp4", "ep5.mp4"})
        fs::create_symlink(series_a() / n, mixed / n);
    for (const char* n : {"b1.mp4", "b2.mp4", "b3.mp4", "b4.mp4"}) fs::create_symlink(series_b() / n, mixed / n);

    auto r = run_vidseg("intro detect --dir " + shell_quote(mixed) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = parse_json_output(r);
    ASSERT_EQ(doc["series"].size(), 2u) << doc["series"].dump();
    std::vector<std::vector<std::string>> groups;
    for (const auto& s : doc["series"]) {
        std::vector<std::string> names;
        for (const auto& e : s["episodes"]) names.push_back(fs::path(e.get<std::string>()).filename().string());
        groups.push_back(names);
    }
    EXPECT_EQ(groups[0], (std::vector<std::string>{"b1.mp4", "b2.mp4", "b3.mp4", "b4.mp4"}));
    EXPECT_EQ(groups[1], (std::vector<std::string>{"ep1.mp4", "ep2.mp4", "ep3.mp4", "ep4.mp4"}));
    auto eps = episodes_by_name(doc);
    auto want = vidseg::test::intro_truth(series_a());
    for (const auto& [name, t] : vidseg::test::intro_truth(series_b())) want[name] = t;
    for (const auto& [name, t] : want) {
        if (t) expect_intro_near(eps[name], *t);
        else EXPECT_TRUE(eps[name]["intro"].is_null()) << name;
    }
    EXPECT_NE(eps["ep5.mp4"]["reason"].get<std::string>().find("shares no audio with any other episode"),
              std::string::npos);

    r = run_vidseg("intro detect --dir " + shell_quote(mixed) + " --no-cache");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("The episodes belong to 2 different series"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("confirmed by 3 of 3 episodes"), std::string::npos) << r.out;

    // Learning from a mixed folder is refused with the groups named.
    r = run_vidseg("intro learn --dir " + shell_quote(mixed) + " --out " + shell_quote(tmp / "lib.json") + " --no-cache");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("belong to 2 different series"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "lib.json"));
}

TEST(IntroSeriesCli, BadInputGivesClearMessagesAndExitCodes) {
    TempDir tmp;
    const auto& a = series_a();
    // One episode and no library.
    auto r = run_vidseg("intro detect " + shell_quote(a / "ep1.mp4") + " --no-cache");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("at least two episodes"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--library"), std::string::npos) << r.err;
    r = run_vidseg("intro learn " + shell_quote(a / "ep1.mp4") + " --out " + shell_quote(tmp / "l.json"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    r = run_vidseg("intro learn" + files(a, {"ep1.mp4", "ep2.mp4"}));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--out"), std::string::npos) << r.err;

    // An unreadable file among good ones: skipped with a warning, the rest is detected.
    { std::ofstream(tmp / "broken.mp4") << "this is not a video"; }
    r = run_vidseg("intro detect" + files(a, {"ep1.mp4", "ep2.mp4", "ep3.mp4"}) + " " + shell_quote(tmp / "broken.mp4") +
                   " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("skipping"), std::string::npos) << r.err;
    auto eps = episodes_by_name(parse_json_output(r));
    EXPECT_TRUE(eps["broken.mp4"].contains("error"));
    expect_intro_near(eps["ep2.mp4"], *vidseg::test::intro_truth(a).at("ep2.mp4"));

    // Nothing readable: non-zero.
    { std::ofstream(tmp / "broken2.mp4") << "neither is this"; }
    r = run_vidseg("intro detect " + shell_quote(tmp / "broken.mp4") + " " + shell_quote(tmp / "broken2.mp4") +
                   " --no-cache");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    r = run_vidseg("intro detect " + shell_quote(tmp / "broken.mp4") + " --library " + shell_quote(tmp / "x.json") +
                   " --no-cache");
    EXPECT_EQ(r.exit_code, 3) << r.err;  // the missing library is reported first

    // Audio-only and video-only episodes in the season: used for what they have.
    const std::string ff = "ffmpeg -nostdin -loglevel error -y -i ";
    ASSERT_EQ(run_shell(ff + shell_quote(a / "ep1.mp4") + " -vn -c:a copy " + shell_quote(tmp / "ep1_audio.m4a")).exit_code, 0);
    ASSERT_EQ(run_shell(ff + shell_quote(a / "ep2.mp4") + " -an -c:v copy " + shell_quote(tmp / "ep2_video.mp4")).exit_code, 0);
    r = run_vidseg("intro detect " + shell_quote(tmp / "ep1_audio.m4a") + " " + shell_quote(tmp / "ep2_video.mp4") +
                   files(a, {"ep3.mp4", "ep4.mp4"}) + " --no-cache --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    eps = episodes_by_name(parse_json_output(r));
    expect_intro_near(eps["ep1_audio.m4a"], *vidseg::test::intro_truth(a).at("ep1.mp4"));
    EXPECT_FALSE(eps["ep2_video.mp4"].contains("error")) << eps["ep2_video.mp4"].dump();
    expect_intro_near(eps["ep4.mp4"], *vidseg::test::intro_truth(a).at("ep4.mp4"));

    // A video-only episode is matched against the library by its pictures. This series shows the same
    // test pattern at the same time in every file, so its pictures match before and after the
    // learned intro as well: that is no intro (never a guess).
    const fs::path lib = tmp / "lib.json";
    ASSERT_EQ(run_vidseg("intro learn" + files(a, {"ep1.mp4", "ep2.mp4", "ep3.mp4"}) + " --out " + shell_quote(lib) +
                         " --no-cache")
                  .exit_code,
              0);
    r = run_vidseg("intro detect " + shell_quote(tmp / "ep2_video.mp4") + " --library " + shell_quote(lib) + " --no-cache");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ep2_video.mp4: No intro found"), std::string::npos) << r.out;
    // Neither sound nor pictures to match: said so, non-zero.
    r = run_vidseg("intro detect " + shell_quote(tmp / "ep2_video.mp4") + " --library " + shell_quote(lib) +
                   " --audio-only --no-cache");
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("no audio"), std::string::npos) << r.err;
}

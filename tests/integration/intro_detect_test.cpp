// `vidseg intro detect` and the library behind it on a synthetic series (tests/media/make_series.sh):
// four episodes share a 6-s intro after cold opens of 3, 8, 0 and 12 s; a fifth has none.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace fs = std::filesystem;
using vidseg::test::shell_quote;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::TempDir;

namespace {

using vidseg::test::series_dir;

std::vector<std::string> episodes() {
    std::vector<std::string> out;
    for (int i = 1; i <= 5; ++i) out.push_back((series_dir() / ("ep" + std::to_string(i) + ".mp4")).string());
    return out;
}

std::map<std::string, std::optional<vidseg::timeline::Interval>> truth() {
    std::map<std::string, std::optional<vidseg::timeline::Interval>> out;
    for (const auto& l : vidseg::intro::read_intro_labels(series_dir() / "truth.json").labels)
        out[vidseg::intro::match_key(l.id)] = l.intro;
    return out;
}

std::string episode_args() {
    std::string args;
    for (const auto& e : episodes()) args += " " + shell_quote(e);
    return args;
}

}  // namespace

// Synthetic fingerprints: no media needed.
namespace {
vidseg::intro::AudioFingerprint random_fingerprint(std::size_t n, unsigned seed) {
    vidseg::intro::AudioFingerprint fp;
    fp.item_span = 2.6;
    uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift32
        fp.items.push_back(x);
    }
    return fp;
}
}  // namespace

TEST(IntroAlignment, FindsAPlantedRunWithBitErrorsAndAGap) {
    auto a = random_fingerprint(2000, 1), b = random_fingerprint(1500, 2);
    // a[500..699] reappears as b[100..299] with 3 flipped bits per item and a 2-s hole.
    for (int k = 0; k < 200; ++k) b.items[100 + k] = a.items[500 + k] ^ (0x7u << (k % 29));
    for (int k = 80; k < 96; ++k) b.items[100 + k] = ~b.items[100 + k];
    const auto runs = vidseg::intro::align_episodes(a, b);
    ASSERT_EQ(runs.size(), 1u);
    const double T = a.item_period;
    EXPECT_NEAR(runs[0].offset, 400 * T, 1e-9);
    EXPECT_NEAR(runs[0].a.start, 500 * T + 0.225 * 2.6, 1e-6);
    EXPECT_NEAR(runs[0].a.end, 699 * T + 0.56 * 2.6, 1e-6);
    EXPECT_NEAR(runs[0].b.start, 100 * T + 0.225 * 2.6, 1e-6);
    EXPECT_EQ(runs[0].matched_items, 200 - 16);
    EXPECT_NEAR(runs[0].mean_bit_errors, 3, 1e-9);
}

TEST(IntroAlignment, IgnoresUnrelatedAudioShortChanceRunsAndSilence) {
    auto a = random_fingerprint(3000, 3), b = random_fingerprint(3000, 4);
    EXPECT_TRUE(vidseg::intro::align_episodes(a, b).empty());
    // Four agreeing items are chance, not an intro.
    for (int k = 0; k < 4; ++k) b.items[700 + k] = a.items[900 + k];
    EXPECT_TRUE(vidseg::intro::align_episodes(a, b).empty());
    // 10 s of silence in both (one repeated item) agrees at every offset: rejected.
    for (int k = 0; k < 80; ++k) a.items[100 + k] = b.items[2000 + k] = 0x5a5a5a5au;
    EXPECT_TRUE(vidseg::intro::align_episodes(a, b).empty());
    EXPECT_TRUE(vidseg::intro::align_episodes(a, vidseg::intro::AudioFingerprint{}).empty());
}

TEST(IntroAlignment, SeventeenMinuteWindowsAlign) {
    // --max-start 900 + --max-length 120 = 1020 s = ~8240 items per episode.
    auto a = random_fingerprint(8240, 5), b = random_fingerprint(8240, 6);
    for (int k = 0; k < 300; ++k) b.items[6000 + k] = a.items[7000 + k] ^ 1u;
    // Full-size windows (speed is measured by benchmarks, not asserted here).
    const auto runs = vidseg::intro::align_episodes(a, b);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_NEAR(runs[0].a.start - runs[0].b.start, 1000 * a.item_period, 1e-6);
}

TEST(IntroDetect, SeriesGeneratorWritesTruth) {
    const auto t = truth();
    ASSERT_EQ(t.size(), 5u);
    ASSERT_TRUE(t.at("ep2"));
    EXPECT_DOUBLE_EQ(t.at("ep2")->start, 8);
    EXPECT_DOUBLE_EQ(t.at("ep2")->end, 14);
    EXPECT_FALSE(t.at("ep5"));
}

TEST(IntroDetect, FingerprintItemPeriodIsChromaprints) {
    const auto fp = vidseg::intro::fingerprint_audio(episodes()[0], 20);
    EXPECT_NEAR(fp.item_period, 1365.0 / 11025.0, 1e-9);
    EXPECT_GT(fp.item_span, 2.0);
    EXPECT_LT(fp.item_span, 3.5);
    // One item per period after the first span.
    EXPECT_NEAR(double(fp.items.size()), (20 - fp.item_span) / fp.item_period, 3);
}

TEST(IntroDetect, AlignmentFindsTheSharedIntroInBothEpisodes) {
    const auto eps = episodes();
    const auto a = vidseg::intro::fingerprint_audio(eps[1], 60);  // intro at 8-14 s
    const auto b = vidseg::intro::fingerprint_audio(eps[3], 60);  // intro at 12-18 s
    const auto runs = vidseg::intro::align_episodes(a, b);
    ASSERT_FALSE(runs.empty());
    EXPECT_NEAR(runs[0].a.start, 8, 0.5);
    EXPECT_NEAR(runs[0].a.end, 14, 0.5);
    EXPECT_NEAR(runs[0].b.start, 12, 0.5);
    EXPECT_NEAR(runs[0].b.end, 18, 0.5);
    EXPECT_NEAR(runs[0].offset, -4, 0.2);
    // The episode without intro shares nothing with them.
    const auto none = vidseg::intro::fingerprint_audio(eps[4], 60);
    EXPECT_TRUE(vidseg::intro::align_episodes(a, none).empty());
}

TEST(IntroDetect, LibraryFindsEveryIntroWithinHalfASecond) {
    const auto found = vidseg::intro::detect_intros(episodes());
    const auto t = truth();
    ASSERT_EQ(found.size(), 5u);
    for (const auto& d : found) {
        SCOPED_TRACE(d.episode);
        EXPECT_TRUE(d.error.empty()) << d.error;
        const auto& label = t.at(vidseg::intro::match_key(fs::path(d.episode).filename().string()));
        if (!label) {
            EXPECT_FALSE(d.intro) << d.intro->start << "-" << d.intro->end;
            EXPECT_EQ(d.confidence, 0);
            continue;
        }
        ASSERT_TRUE(d.intro);
        EXPECT_NEAR(d.intro->start, label->start, 0.5);
        EXPECT_NEAR(d.intro->end, label->end, 0.5);
        EXPECT_EQ(d.confirmations, 3);  // the 3 other episodes with the intro
        EXPECT_GE(d.confidence, 0.7);
        EXPECT_EQ(d.variant, 0);
    }
}

TEST(IntroDetect, CliPrintsLinesAndWritesPredictionsThatScoreWell) {
    TempDir tmp;
    const auto pred = tmp / "test_predictions.json";
    const auto r = run_vidseg("intro detect" + episode_args() + " --predictions " + shell_quote(pred));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ep2.mp4: Intro found: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ep5.mp4: No intro found"), std::string::npos) << r.out;

    const auto doc = nlohmann::json::parse(read_text(pred));
    ASSERT_EQ(doc.size(), 5u);
    const auto t = truth();
    for (const auto& [id, value] : doc.items()) {
        SCOPED_TRACE(id);
        ASSERT_TRUE(t.count(id));
        if (!t.at(id)) {
            EXPECT_TRUE(value.empty());
            continue;
        }
        ASSERT_EQ(value.size(), 2u);
        EXPECT_NEAR(value[0].get<double>(), t.at(id)->start, 0.5);
        EXPECT_NEAR(value[1].get<double>(), t.at(id)->end, 0.5);
    }

    const auto eval = run_vidseg("intro eval --pred " + shell_quote(pred) + " --labels " + shell_quote(series_dir() / "truth.json") +
                                 " --json");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    const auto metrics = nlohmann::json::parse(eval.out)["metrics"];
    EXPECT_GE(metrics["mean_iou"].get<double>(), 0.9) << metrics.dump(2);
}

TEST(IntroDetect, CliJsonAndDir) {
    const auto r = run_vidseg("intro detect --dir " + shell_quote(series_dir()) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["episodes"].size(), 5u);
    EXPECT_EQ(doc["usable"], 5);
    EXPECT_EQ(doc["episodes"][0]["id"], "ep1");
    ASSERT_EQ(doc["episodes"][0]["intro"].size(), 2u);
    EXPECT_NEAR(doc["episodes"][0]["intro"][0].get<double>(), 3, 0.5);
    EXPECT_TRUE(doc["episodes"][4]["intro"].is_null());
}

TEST(IntroDetect, LengthLimitsApply) {
    // The shared audio is 6 s long: with --max-length 4 there is no intro anywhere.
    const auto r = run_vidseg("intro detect" + episode_args() + " --max-length 4");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("Intro found"), std::string::npos) << r.out;
    // ... and none starting after 10 s with --max-start 10 for ep4 (intro at 12 s).
    const auto late = run_vidseg("intro detect" + episode_args() + " --max-start 10");
    ASSERT_EQ(late.exit_code, 0) << late.err;
    EXPECT_NE(late.out.find("ep4.mp4: No intro found"), std::string::npos) << late.out;
    EXPECT_NE(late.out.find("ep1.mp4: Intro found"), std::string::npos) << late.out;
}

TEST(IntroDetect, OneEpisodeIsAnUsageError) {
    const auto r = run_vidseg("intro detect " + shell_quote(episodes()[0]));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("needs at least two episodes of a series"), std::string::npos) << r.err;
    const auto none = run_vidseg("intro detect");
    EXPECT_EQ(none.exit_code, 2);
}

TEST(IntroDetect, BadFilesAreSkippedWithAWarning) {
    const auto eps = episodes();
    const auto corrupt = media("corrupt.mp4"), silent = media("video_only.mp4");
    const auto r = run_vidseg("intro detect " + shell_quote(eps[0]) + " " + shell_quote(corrupt) + " " + shell_quote(eps[1]) + " " + shell_quote(silent) +
                              " " + shell_quote(eps[3]) + " /nonexistent/ep9.mp4");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("warning: skipping '" + corrupt.string() + "'"), std::string::npos) << r.err;
    // An episode without audio is compared by its pictures (it shares none with the series: no intro).
    EXPECT_EQ(r.err.find("warning: skipping '" + silent.string() + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find(silent.filename().string() + ": No intro found"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("/nonexistent/ep9.mp4"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("ep1.mp4: Intro found: "), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("corrupt.mp4"), std::string::npos) << r.out;

    // Fewer than two usable episodes left: a failure, after the warnings.
    const auto bad = run_vidseg("intro detect " + shell_quote(eps[0]) + " " + shell_quote(corrupt));
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("two usable episodes"), std::string::npos) << bad.err;
}

// The hard cases (tests/media/make_intro_cases.sh): an intro shown over silence (pictures only), and
// a season with a new intro variant from episode 4, speech over the intro in episodes 2 and 5 and a
// recap of the previous episode in episodes 3 and 6.
namespace {

fs::path case_dir(const std::string& name) { return vidseg::test::intro_case_dir(name); }

std::vector<std::string> case_episodes(const std::string& name, int count) {
    std::vector<std::string> out;
    for (int i = 1; i <= count; ++i) out.push_back((case_dir(name) / ("ep" + std::to_string(i) + ".mp4")).string());
    return out;
}

// Every detection within +-0.3 s of the truth, none where there is none.
void expect_truth(const std::string& name, const std::vector<vidseg::intro::IntroDetection>& found) {
    std::map<std::string, std::optional<vidseg::timeline::Interval>> t;
    for (const auto& l : vidseg::intro::read_intro_labels(case_dir(name) / "truth.json").labels)
        t[vidseg::intro::match_key(l.id)] = l.intro;
    for (const auto& d : found) {
        SCOPED_TRACE(d.episode);
        EXPECT_TRUE(d.error.empty()) << d.error;
        const auto& label = t.at(vidseg::intro::match_key(fs::path(d.episode).filename().string()));
        if (!label) {
            EXPECT_FALSE(d.intro);
            continue;
        }
        ASSERT_TRUE(d.intro);
        EXPECT_NEAR(d.intro->start, label->start, 0.3);
        EXPECT_NEAR(d.intro->end, label->end, 0.3);
    }
}

}  // namespace

TEST(IntroDetectCases, IntroOverSilenceIsFoundByItsPictures) {
    const auto found = vidseg::intro::detect_intros(case_episodes("visual", 4));
    ASSERT_EQ(found.size(), 4u);
    expect_truth("visual", found);
    for (const auto& d : found) EXPECT_EQ(d.variant, 0);
}

TEST(IntroDetectCases, VariantSpeechOverIntroAndRecaps) {
    const auto found = vidseg::intro::detect_intros(case_episodes("mixed", 6));
    ASSERT_EQ(found.size(), 6u);
    expect_truth("mixed", found);
    // Intro A in episodes 1-3, B in 4-6.
    std::vector<int> variants;
    for (const auto& d : found) variants.push_back(d.variant);
    EXPECT_EQ(variants, (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(IntroDetectCases, CliWritesEdlAndChapters) {
    TempDir tmp;
    std::string args;
    for (const auto& e : case_episodes("visual", 4)) args += " " + shell_quote(e);
    const auto r = run_vidseg("intro detect" + args + " --no-cache --json --edl " + shell_quote(tmp / "edl") + " --chapters " +
                              shell_quote(tmp / "chapters"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["episodes"].size(), 4u);
    EXPECT_EQ(doc["episodes"][1]["variant"], 0);
    EXPECT_GT(doc["episodes"][1]["confidence"].get<double>(), 0.3);
    // ep2: intro at 8-14 s.
    const std::string edl = read_text(tmp / "edl" / "ep2.edl");
    double s = 0, e = 0;
    int action = -1;
    ASSERT_EQ(std::sscanf(edl.c_str(), "%lf %lf %d", &s, &e, &action), 3) << edl;
    EXPECT_NEAR(s, 8, 0.3);
    EXPECT_NEAR(e, 14, 0.3);
    EXPECT_EQ(action, 3);
    const std::string chapters = read_text(tmp / "chapters" / "ep2.ffmetadata");
    EXPECT_EQ(chapters.rfind(";FFMETADATA1", 0), 0u) << chapters;
    EXPECT_NE(chapters.find("title=Intro"), std::string::npos) << chapters;
}

TEST(IntroDetectCases, AudioOnlyModeCannotSeeAnIntroOverSilence) {
    std::string args;
    for (const auto& e : case_episodes("visual", 4)) args += " " + shell_quote(e);
    const auto r = run_vidseg("intro detect" + args + " --no-cache --audio-only");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find("Intro found"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ep2.mp4: No intro found"), std::string::npos) << r.out;
}

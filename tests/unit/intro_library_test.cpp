// Intro library (intro_library.hpp): cutting variants, the file format and its errors, matching
// an episode against the library, on synthetic Chromaprint-like fingerprints.
#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/intro/intro_library.hpp"

namespace fs = std::filesystem;
using namespace vidseg::intro;
using vidseg::ErrorCode;
using vidseg::test::TempDir;
using vidseg::test::thrown_error;

namespace {

AudioFingerprint random_fingerprint(std::size_t n, unsigned seed) {
    AudioFingerprint fp;
    fp.item_span = 2.6;
    uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift32
        fp.items.push_back(x);
    }
    fp.duration = double(n) * fp.item_period;
    return fp;
}

// An episode of n items whose items [at, at + len) are the intro's (a few bits flipped).
AudioFingerprint episode_with(const AudioFingerprint& intro_source, long src, long len, long at, std::size_t n,
                              unsigned seed) {
    auto ep = random_fingerprint(n, seed);
    for (long k = 0; k < len; ++k) ep.items[std::size_t(at + k)] = intro_source.items[std::size_t(src + k)] ^ (1u << (k % 31));
    return ep;
}

void write_text(const fs::path& p, const std::string& s) {
    std::ofstream out(p, std::ios::binary);
    out << s;
}

IntroLibrary one_variant_library(const AudioFingerprint& source, const vidseg::timeline::Interval& intro) {
    IntroLibrary lib;
    auto v = cut_variant(source, intro);
    v.episodes.push_back({"ep1.mp4", intro});
    lib.variants.push_back(v);
    return lib;
}

}  // namespace

TEST(IntroLibrary, CutVariantKeepsOneWindowBeforeTheIntroToItsEnd) {
    const auto fp = random_fingerprint(400, 1);
    const double T = fp.item_period;
    const auto v = cut_variant(fp, {10.0, 20.0});
    const long first = long(std::floor((10.0 - 2.6) / T));
    const long last = long(std::ceil(20.0 / T));
    ASSERT_EQ(v.audio.items.size(), std::size_t(last - first + 1));
    EXPECT_EQ(v.audio.items.front(), fp.items[std::size_t(first)]);
    EXPECT_EQ(v.audio.items.back(), fp.items[std::size_t(last)]);
    EXPECT_NEAR(v.intro.start, 10.0 - first * T, 1e-9);
    EXPECT_NEAR(v.intro.end, 20.0 - first * T, 1e-9);
    EXPECT_DOUBLE_EQ(v.length, 10.0);
    // At the very start of the episode the variant starts at item 0.
    const auto v0 = cut_variant(fp, {0.0, 5.0});
    EXPECT_EQ(v0.audio.items.front(), fp.items[0]);
    EXPECT_DOUBLE_EQ(v0.intro.start, 0.0);
}

TEST(IntroLibrary, MatchesANewEpisodeAtItsOwnOffset) {
    const auto source = random_fingerprint(600, 2);
    const double T = source.item_period;
    // The intro is items 100..179 of the source (80 items ~ 9.9 s).
    const vidseg::timeline::Interval intro{100 * T + 0.225 * 2.6, 179 * T + 0.56 * 2.6};
    const auto lib = one_variant_library(source, intro);
    const auto episode = episode_with(source, 100, 80, 300, 900, 3);
    IntroDetectOptions options;
    const auto d = match_intro_library(lib, "new.mp4", episode, options);
    ASSERT_TRUE(d.intro);
    EXPECT_NEAR(d.intro->start, 300 * T + 0.225 * 2.6, 0.13);
    EXPECT_NEAR(d.intro->end, 379 * T + 0.56 * 2.6, 0.13);
    EXPECT_EQ(d.variant, 0);
    EXPECT_GT(d.confidence, 0.9);

    // An unrelated episode: no intro, never a guess.
    const auto unrelated = random_fingerprint(900, 4);
    EXPECT_FALSE(match_intro_library(lib, "other.mp4", unrelated, options).intro);
    // An intro beyond max_start is not taken.
    options.max_start = 20;
    EXPECT_FALSE(match_intro_library(lib, "late.mp4", episode, options).intro);
}

TEST(IntroLibrary, ShortenedIntroMatchesWithLowerConfidence) {
    const auto source = random_fingerprint(600, 5);
    const double T = source.item_period;
    const vidseg::timeline::Interval intro{100 * T + 0.225 * 2.6, 179 * T + 0.56 * 2.6};
    const auto lib = one_variant_library(source, intro);
    const auto episode = episode_with(source, 100, 48, 200, 700, 6);  // the first 60 % of the intro
    const auto d = match_intro_library(lib, "short.mp4", episode, {});
    ASSERT_TRUE(d.intro);
    EXPECT_NEAR(d.intro->start, 200 * T + 0.225 * 2.6, 0.13);
    EXPECT_LT(d.confidence, 0.8);
    EXPECT_GT(d.confidence, 0.4);
}

TEST(IntroLibrary, JsonRoundTrip) {
    const auto source = random_fingerprint(300, 7);
    auto lib = one_variant_library(source, {5, 11});
    lib.fingerprint_parameters = "p";
    lib.max_start = 300;
    TempDir dir;
    save_intro_library(lib, dir / "sub" / "show.intro.json");
    const auto back = load_intro_library(dir / "sub" / "show.intro.json");
    ASSERT_EQ(back.variants.size(), 1u);
    EXPECT_EQ(back.variants[0].audio.items, lib.variants[0].audio.items);
    EXPECT_EQ(back.variants[0].intro, lib.variants[0].intro);
    EXPECT_EQ(back.variants[0].episodes.size(), 1u);
    EXPECT_EQ(back.variants[0].episodes[0].episode, "ep1.mp4");
    EXPECT_DOUBLE_EQ(back.max_start, 300);
    EXPECT_EQ(back.fingerprint_parameters, "p");
}

TEST(IntroLibrary, FileErrorsAreClear) {
    TempDir dir;
    auto e = thrown_error([&] { load_intro_library(dir / "missing.json"); });
    EXPECT_EQ(e.code(), ErrorCode::InputNotFound);

    write_text(dir / "corrupt.json", "{\"format\": \"vidseg-intro-library\", \"vers");
    e = thrown_error([&] { load_intro_library(dir / "corrupt.json"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos);

    const auto source = random_fingerprint(300, 8);
    auto doc = intro_library_to_json(one_variant_library(source, {5, 11}));
    doc["version"] = 99;
    write_text(dir / "future.json", doc.dump());
    e = thrown_error([&] { load_intro_library(dir / "future.json"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("version 99 is not supported"), std::string::npos);

    doc["version"] = kIntroLibraryVersion;
    doc["format"] = "something-else";
    write_text(dir / "other.json", doc.dump());
    EXPECT_EQ(thrown_error([&] { load_intro_library(dir / "other.json"); }).code(), ErrorCode::InvalidData);

    doc["format"] = kIntroLibraryFormat;
    doc["variants"][0]["audio_items"] = "not an array";
    write_text(dir / "bad_items.json", doc.dump());
    e = thrown_error([&] { load_intro_library(dir / "bad_items.json"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("audio_items"), std::string::npos);

    doc["variants"] = nlohmann::json::array();
    write_text(dir / "empty.json", doc.dump());
    EXPECT_EQ(thrown_error([&] { load_intro_library(dir / "empty.json"); }).code(), ErrorCode::InvalidData);
}

TEST(SeriesGrouping, ConnectedComponentsOfSharedAudio) {
    const auto x = random_fingerprint(200, 11), y = random_fingerprint(200, 12), z = random_fingerprint(200, 13);
    // Series A: a1, a2 share intro x; a3 shares only z with a2 (connected through a2).
    auto a1 = episode_with(x, 0, 60, 40, 500, 21);
    auto a2 = episode_with(x, 0, 60, 100, 500, 22);
    for (int k = 0; k < 60; ++k) a2.items[std::size_t(300 + k)] = z.items[std::size_t(k)];
    auto a3 = episode_with(z, 0, 60, 10, 500, 23);
    // Series B: b1, b2 share intro y. c shares nothing.
    auto b1 = episode_with(y, 0, 50, 0, 500, 24);
    auto b2 = episode_with(y, 0, 50, 70, 500, 25);
    auto c = random_fingerprint(500, 26);
    const std::vector<const AudioFingerprint*> all = {&a1, &b1, &a2, &c, &b2, &a3};
    const auto groups = group_by_shared_audio(all, {});
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 2, 5}));
    EXPECT_EQ(groups[1], (std::vector<std::size_t>{1, 4}));
    EXPECT_EQ(groups[2], (std::vector<std::size_t>{3}));
}

TEST(IntroLibrary, BuildKeepsOneVariantPerIntroAndShortenedOnesJoinTheFullOne) {
    const auto x = random_fingerprint(200, 31), y = random_fingerprint(200, 32);
    const double T = x.item_period;
    auto interval = [&](long at, long len) {
        return vidseg::timeline::Interval{at * T + 0.225 * 2.6, (at + len - 1) * T + 0.56 * 2.6};
    };
    SeriesDetection season;
    auto add = [&](const char* name, AudioFingerprint audio, std::optional<vidseg::timeline::Interval> intro) {
        IntroDetection d;
        d.episode = std::string("/season/") + name;
        d.intro = intro;
        season.detections.push_back(d);
        EpisodeFingerprints fp;
        fp.audio = std::move(audio);
        fp.has_audio = true;
        season.episodes.push_back({d.episode, fp, {}, 0});
    };
    add("e1.mp4", episode_with(x, 0, 80, 40, 500, 41), interval(40, 80));
    add("e2.mp4", episode_with(x, 0, 48, 90, 500, 42), interval(90, 48));  // shortened: the first 60 %
    add("e3.mp4", episode_with(y, 0, 60, 10, 500, 43), interval(10, 60));  // a new intro mid-season
    add("e4.mp4", episode_with(y, 0, 60, 70, 500, 44), interval(70, 60));
    add("e5.mp4", random_fingerprint(500, 45), std::nullopt);
    const auto lib = build_intro_library(season, {});
    ASSERT_EQ(lib.variants.size(), 2u);
    EXPECT_EQ(lib.variants[0].episodes.size(), 2u);
    EXPECT_EQ(lib.variants[0].episodes[0].episode, "e1.mp4");  // the full intro is the variant's fingerprint
    EXPECT_EQ(lib.variants[0].episodes[1].episode, "e2.mp4");
    EXPECT_NEAR(lib.variants[0].length, interval(40, 80).length(), 1e-9);
    EXPECT_EQ(lib.variants[1].episodes.size(), 2u);
    EXPECT_EQ(lib.variants[1].episodes[0].episode, "e3.mp4");
    EXPECT_EQ(lib.variants[1].id, 1);

    // A new episode with intro y matches variant 1.
    const auto d = match_intro_library(lib, "new.mp4", episode_with(y, 0, 60, 200, 600, 46), {});
    ASSERT_TRUE(d.intro);
    EXPECT_EQ(d.variant, 1);
    EXPECT_NEAR(d.intro->start, interval(200, 60).start, 0.13);
    EXPECT_NEAR(d.intro->end, interval(200, 60).end, 0.13);
}

// ---- series by audio OR pictures, same-profile merge, library v2 (issue 4 §1, §2, §8) ----
namespace {

VisualFingerprint random_pictures(std::size_t n, unsigned seed) {
    VisualFingerprint v;
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 7;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        v.hashes.push_back(x | 1);                // never 0 (0 = a flat picture)
        v.luma.push_back(100);
    }
    v.duration = double(n) * v.period;
    return v;
}

// Pictures of n slots whose slots [at, at + len) show source's slots [src, src + len).
VisualFingerprint pictures_with(const VisualFingerprint& source, long src, long len, long at, std::size_t n, unsigned seed) {
    auto v = random_pictures(n, seed);
    for (long k = 0; k < len; ++k) v.hashes[std::size_t(at + k)] = source.hashes[std::size_t(src + k)] ^ (1ULL << (k % 64));
    return v;
}

EpisodeFingerprints both(AudioFingerprint audio, VisualFingerprint visual) {
    EpisodeFingerprints fp;
    fp.audio = std::move(audio);
    fp.visual = std::move(visual);
    fp.has_audio = fp.has_video = true;
    fp.duration = fp.audio.duration;
    return fp;
}

}  // namespace

TEST(SeriesGrouping, AnEpisodeWhoseIntroSoundIsCoveredJoinsByItsPictures) {
    const auto x = random_fingerprint(200, 51);
    const auto pics = random_pictures(200, 52);
    // e1..e3 share intro x (sound and pictures: slots of 0.25 s, items of 0.124 s); e4's intro sound is
    // covered (its own random items) but its pictures are the intro's; e5 shares nothing.
    std::vector<EpisodeFingerprints> eps;
    eps.push_back(both(episode_with(x, 0, 60, 40, 500, 53), pictures_with(pics, 0, 30, 20, 250, 54)));
    eps.push_back(both(episode_with(x, 0, 60, 100, 500, 55), pictures_with(pics, 0, 30, 50, 250, 56)));
    eps.push_back(both(episode_with(x, 0, 60, 200, 500, 57), pictures_with(pics, 0, 30, 100, 250, 58)));
    eps.push_back(both(random_fingerprint(500, 59), pictures_with(pics, 0, 30, 10, 250, 60)));
    eps.push_back(both(random_fingerprint(500, 61), random_pictures(250, 62)));
    // e6: covered too. It matches e4 by pictures as well, and must still join the season (not form a
    // "series" of the two covered episodes).
    eps.push_back(both(random_fingerprint(500, 63), pictures_with(pics, 0, 30, 150, 250, 64)));
    std::vector<const EpisodeFingerprints*> all;
    for (const auto& e : eps) all.push_back(&e);
    PairAlignments memo(IntroDetectOptions{});
    const auto groups = group_by_shared_content(all, {}, nullptr, &memo);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 1, 2, 3, 5}));
    EXPECT_EQ(groups[1], (std::vector<std::size_t>{4}));
    EXPECT_GT(memo.computed(), 0u);
    // The same with the covered episodes first (each first meets the other covered one).
    const std::vector<const EpisodeFingerprints*> covered_first = {&eps[3], &eps[5], &eps[0], &eps[1], &eps[2], &eps[4]};
    const auto reordered = group_by_shared_content(covered_first, {});
    ASSERT_EQ(reordered.size(), 2u);
    EXPECT_EQ(reordered[0], (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    // Without their pictures the covered episodes stay alone (audio alone, as before).
    eps[3].has_video = eps[5].has_video = false;
    EXPECT_EQ(group_by_shared_content(all, {}).size(), 4u);
    // Unreadable entries are singletons.
    all[1] = nullptr;
    const auto g = group_by_shared_content(all, {});
    EXPECT_TRUE(std::find(g.begin(), g.end(), std::vector<std::size_t>{1}) != g.end());
}

TEST(SeriesGrouping, PicturesMatchingAlmostWholeFilesDoNotLink) {
    // A test pattern shown from start to end in both files is not an intro.
    const auto pics = random_pictures(240, 63);
    std::vector<EpisodeFingerprints> eps;
    eps.push_back(both(random_fingerprint(480, 64), pics));
    eps.push_back(both(random_fingerprint(480, 65), pictures_with(pics, 0, 240, 0, 240, 66)));
    const std::vector<const EpisodeFingerprints*> all = {&eps[0], &eps[1]};
    EXPECT_EQ(group_by_shared_content(all, {}).size(), 2u);
}

TEST(SeriesGrouping, ProfilesOfOneSeasonAndOfTwoShows) {
    EXPECT_EQ(episode_profile("/no/such/Show.S01E03.1080p.mkv", 2700).name_prefix, "show.s");
    EXPECT_EQ(episode_profile("/no/such/ep4.mp4", 30).name_prefix, "ep");
    EXPECT_EQ(episode_profile("/no/such/ep4.mp4", 30).folder, "/no/such");
    EpisodeProfile a{"/s", "ep", 160, 120, 30}, b = a;
    b.duration = 33;
    EXPECT_TRUE(same_profile(a, b));
    b.duration = 45;
    EXPECT_FALSE(same_profile(a, b));  // 25 % longer: another show
    b = a;
    b.name_prefix = "b";
    EXPECT_FALSE(same_profile(a, b));
    b = a;
    b.width = 320;
    EXPECT_FALSE(same_profile(a, b));
    b = a;
    b.folder = "/t";
    EXPECT_FALSE(same_profile(a, b));

    // Groups 0-2 and 3-5 are one season (new intro from episode 4); 6-7 another show; 8 alone.
    std::vector<EpisodeProfile> profiles(9, a);
    profiles[6].name_prefix = profiles[7].name_prefix = "b";
    const auto merged = merge_same_profile_groups({{0, 1, 2}, {3, 4, 5}, {6, 7}, {8}}, profiles);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0], (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(merged[1], (std::vector<std::size_t>{6, 7}));
    EXPECT_EQ(merged[2], (std::vector<std::size_t>{8}));  // a lone episode is never merged
    // A group mixing profiles is left alone.
    profiles[4].width = 320;
    EXPECT_EQ(merge_same_profile_groups({{0, 1, 2}, {3, 4, 5}}, profiles).size(), 2u);
}

TEST(IntroLibrary, MatchesByPicturesWhenTheSoundIsCovered) {
    const auto x = random_fingerprint(200, 71);
    const auto pics = random_pictures(200, 72);
    const double T = x.item_period;
    // The source: intro at items 40..119 (sound) = 10 s; its pictures at slots 20..59 (5 s..15 s).
    const auto source = both(episode_with(x, 0, 80, 40, 500, 73), pictures_with(pics, 0, 40, 20, 250, 74));
    const vidseg::timeline::Interval intro{5.0, 15.0};
    IntroLibrary lib;
    auto v = cut_variant(source.audio, intro);
    cut_visual(v, source.visual, intro);
    v.reference.origin = 2.5;
    v.reference.intro = {2.5, 12.5};
    v.episodes.push_back({"ep1.mp4", intro});
    lib.variants.push_back(v);
    ASSERT_FALSE(lib.variants[0].visual.hashes.empty());
    EXPECT_NEAR(lib.variants[0].visual_intro.length(), 10.0, 1e-9);

    // New episode: its intro's sound is covered, its pictures are the intro's at slots 80..119 (20 s).
    const auto episode = both(random_fingerprint(500, 75), pictures_with(pics, 0, 40, 80, 250, 76));
    const auto d = match_intro_library(lib, "new.mp4", episode, {});
    ASSERT_TRUE(d.intro);
    EXPECT_NEAR(d.intro->start, 20.0 - 0.125, 0.2);
    EXPECT_NEAR(d.intro->end, 30.0 - 0.125, 0.2);
    ASSERT_EQ(d.matches.size(), 1u);
    EXPECT_EQ(d.matches[0].evidence, 2);
    // offset = episode time - reference time: the reference intro starts at 2.5 s.
    EXPECT_NEAR(d.matches[0].offset, 20.0 - 2.5, 0.26);
    (void)T;

    // The same pictures everywhere (a test pattern in both files at the same time) are no intro.
    auto pattern = source;
    pattern.audio = random_fingerprint(500, 77);
    EXPECT_FALSE(match_intro_library(lib, "pattern.mp4", pattern, {}).intro);
}

TEST(IntroLibrary, Version2RoundTripsPicturesAndTheReferenceClip) {
    const auto source = both(random_fingerprint(300, 81), random_pictures(160, 82));
    IntroLibrary lib;
    auto v = cut_variant(source.audio, {5, 11});
    cut_visual(v, source.visual, {5, 11});
    v.reference.origin = 2.5;
    v.reference.intro = {2.5, 8.5};
    for (int i = 0; i < 1000; ++i) v.reference.samples.push_back(float(std::sin(i * 0.05) * 0.5));
    v.reference.frames.resize(2);
    v.reference.frames[0].time = 0.5, v.reference.frames[0].hash = 0x0123456789abcdefULL, v.reference.frames[0].luma = 17;
    v.reference.frames[0].spread = 3.5;
    v.reference.frames[1].time = 0.6, v.reference.frames[1].hash = 0xfedcba9876543210ULL, v.reference.frames[1].luma = 200;
    v.episodes.push_back({"ep1.mp4", {5, 11}});
    lib.variants.push_back(v);
    TempDir dir;
    save_intro_library(lib, dir / "lib.json");
    const auto back = load_intro_library(dir / "lib.json");
    ASSERT_EQ(back.variants.size(), 1u);
    const auto& b = back.variants[0];
    EXPECT_EQ(b.visual.hashes, v.visual.hashes);
    EXPECT_EQ(b.visual.luma, v.visual.luma);
    EXPECT_EQ(b.visual_intro, v.visual_intro);
    EXPECT_EQ(b.reference.intro, v.reference.intro);
    EXPECT_DOUBLE_EQ(b.reference.origin, 2.5);
    ASSERT_EQ(b.reference.samples.size(), v.reference.samples.size());
    for (std::size_t i = 0; i < b.reference.samples.size(); ++i)
        EXPECT_NEAR(b.reference.samples[i], v.reference.samples[i], 1.0 / 32767 + 1e-6);
    ASSERT_EQ(b.reference.frames.size(), 2u);
    EXPECT_EQ(b.reference.frames[1].hash, 0xfedcba9876543210ULL);
    EXPECT_DOUBLE_EQ(b.reference.frames[0].luma, 17);
    EXPECT_DOUBLE_EQ(b.reference.frames[0].spread, 3.5);

    // A version 1 library (audio only) is refused with what to do.
    auto doc = intro_library_to_json(lib);
    doc["version"] = 1;
    write_text(dir / "v1.json", doc.dump());
    const auto e = thrown_error([&] { load_intro_library(dir / "v1.json"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("version 1 is not supported"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("intro learn"), std::string::npos) << e.what();
    // Corrupt base64.
    doc = intro_library_to_json(lib);
    doc["variants"][0]["reference"]["samples_s16"] = "abc";
    write_text(dir / "bad.json", doc.dump());
    EXPECT_NE(std::string(thrown_error([&] { load_intro_library(dir / "bad.json"); }).what()).find("samples_s16"),
              std::string::npos);
}

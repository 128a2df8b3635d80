// Readers of files a user (or another process) may have tampered with: a "version" or an integer member
// that is a float, beyond every integer type or a string is refused with a vidseg::Error (or, for a cache,
// rejected with its reason) — never a static_cast of an out-of-range double (undefined behaviour) nor a
// nlohmann exception escaping as "internal error" (issue 14 §2, the twins of the fuzzers' findings).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/agent/agent_state.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/intro/audio_fingerprint.hpp"
#include "vidseg/intro/intro_library.hpp"
#include "vidseg/intro/series_detection_cache.hpp"
#include "vidseg/publish/publish_manifest.hpp"

namespace {

using nlohmann::json;

// What a tampered integer can be: a float, a float beyond every integer type, an integer beyond int64,
// a negative number and a string.
const std::vector<json>& bad_integers() {
    static const std::vector<json> values = {json(1.5), json::parse("1e98"), json::parse("18446744073709551616"),
                                             json(-1), json("1")};
    return values;
}

// The message without the subject prefix.
std::string message_of(const std::function<void()>& f) { return vidseg::test::thrown_error(f).cause(); }

}  // namespace

TEST(JsonIntegerIs, OnlyAnEqualIntegerMatches) {
    EXPECT_TRUE(vidseg::json_integer_is(json{{"version", 1}}, "version", 1));
    EXPECT_TRUE(vidseg::json_integer_is(json{{"version", 1u}}, "version", 1));
    EXPECT_FALSE(vidseg::json_integer_is(json{{"version", 2}}, "version", 1));
    EXPECT_FALSE(vidseg::json_integer_is(json::object(), "version", 1));
    EXPECT_FALSE(vidseg::json_integer_is(json::array({1}), "version", 1));
    EXPECT_FALSE(vidseg::json_integer_is(json{{"version", 1.0}}, "version", 1));
    EXPECT_FALSE(vidseg::json_integer_is(json{{"version", json::parse("18446744073709551615")}}, "version", -1));
    for (const auto& v : bad_integers()) EXPECT_FALSE(vidseg::json_integer_is(json{{"version", v}}, "version", 1)) << v;
}

TEST(AgentStateReader, TamperedVersionOrCountersAreErrors) {
    vidseg::test::TempDir dir;
    const auto file = dir.path() / "state.json";
    const auto write = [&](const json& doc) { std::ofstream(file) << doc.dump(); };
    const json good = {{"format", "vidseg-agent-state"},
                       {"version", 1},
                       {"lessons", {{"a", {{"attempts", 2}, {"video_size", 7}}}}},
                       {"counters", {{"cycles", 3}}}};
    write(good);
    const auto state = vidseg::agent::load_agent_state(file);
    EXPECT_EQ(state.lessons.at("a").attempts, 2);
    EXPECT_EQ(state.lessons.at("a").video_size, 7u);
    EXPECT_EQ(state.counters.cycles, 3u);
    for (const auto& v : bad_integers()) {
        json doc = good;
        doc["version"] = v;
        write(doc);
        EXPECT_EQ(message_of([&] { vidseg::agent::load_agent_state(file); }), "not a vidseg agent state (version 1)")
            << v;
        doc = good;
        doc["counters"]["cycles"] = v;  // unsigned: -1 does not fit either
        write(doc);
        EXPECT_NE(message_of([&] { vidseg::agent::load_agent_state(file); }).find("malformed agent state"),
                  std::string::npos)
            << v;
    }
    json doc = good;
    doc["lessons"]["a"]["attempts"] = json::parse("1e98");
    write(doc);
    EXPECT_NE(message_of([&] { vidseg::agent::load_agent_state(file); }).find("attempts must be an integer"),
              std::string::npos);
}

TEST(PublishManifestReader, TamperedVersionOrSizesAreErrors) {
    const json good = {{"format", "vidseg-publish-manifest"},
                       {"version", 1},
                       {"target", "t"},
                       {"files", {{"a.txt", {{"sha256", "ab"}, {"size", 5}}}}},
                       {"history", json::array({json{{"content_digest", "d"}, {"files", 1}}})}};
    const auto manifest = vidseg::publish::manifest_from_json(good.dump(), "m.json");
    EXPECT_EQ(manifest.files.at("a.txt").size, 5u);
    for (const auto& v : bad_integers()) {
        json doc = good;
        doc["version"] = v;
        EXPECT_EQ(message_of([&] { vidseg::publish::manifest_from_json(doc.dump(), "m.json"); }),
                  "publish manifest version " + v.dump() + " is not supported (expected 1)");
        doc = good;
        doc["files"]["a.txt"]["size"] = v;
        EXPECT_NE(message_of([&] { vidseg::publish::manifest_from_json(doc.dump(), "m.json"); })
                      .find("malformed publish manifest"),
                  std::string::npos)
            << v;
        doc = good;
        doc["history"][0]["files"] = v;
        EXPECT_NE(message_of([&] { vidseg::publish::manifest_from_json(doc.dump(), "m.json"); })
                      .find("malformed publish manifest"),
                  std::string::npos)
            << v;
    }
}

TEST(NpySidecarReader, TamperedVersionIsAnError) {
    namespace f = vidseg::features;
    f::FeatureMatrix m;
    m.spec.step = m.spec.window = 1;
    m.spec.columns = {"rms"};
    m.times = {0, 1};
    m.values = {0.5f, 0.25f};
    const std::string npy = f::to_npy(m);
    const json sidecar = json::parse(f::npy_sidecar(m));
    EXPECT_EQ(f::from_npy(npy, sidecar.dump()).values, m.values);
    for (const auto& v : bad_integers()) {
        json doc = sidecar;
        doc["version"] = v;
        EXPECT_NE(message_of([&] { f::from_npy(npy, doc.dump(), "x.npy"); }).find("unsupported vidseg.features.npy version"),
                  std::string::npos)
            << v;
    }
}

TEST(SeriesDetectionCache, TamperedNumbersAreRejectedWithAReason) {
    const std::vector<std::string> episodes = {"a.mp4"};
    const json episode = {{"intro", nullptr},  {"confidence", 0.5}, {"confirmations", 1}, {"variant", 0},
                          {"start_cue", "none"}, {"end_cue", "none"}, {"aligned", nullptr}, {"error", ""},
                          {"no_audio", false},  {"no_video", false}, {"reason", "alone"},  {"series", 0},
                          {"recurring_audio", json::array()}};
    const json good = {{"version", vidseg::intro::kDetectionResultVersion}, {"episodes", {episode}}, {"series", {{0}}}};
    std::string why;
    const auto cached = vidseg::intro::series_detection_from_cache(good.dump(), episodes, why);
    ASSERT_TRUE(cached) << why;
    EXPECT_EQ(cached->detections.at(0).confirmations, 1);
    EXPECT_EQ(cached->series, (std::vector<std::vector<std::size_t>>{{0}}));
    for (const auto& v : bad_integers()) {
        json doc = good;
        doc["version"] = v;
        EXPECT_FALSE(vidseg::intro::series_detection_from_cache(doc.dump(), episodes, why)) << v;
        EXPECT_EQ(why, "not a detection result of this version");
        for (const char* key : {"confirmations", "variant", "series"}) {
            if (v == json(-1)) continue;  // a negative int is representable: no cast to refuse
            doc = good;
            doc["episodes"][0][key] = v;
            EXPECT_FALSE(vidseg::intro::series_detection_from_cache(doc.dump(), episodes, why)) << key << " " << v;
            EXPECT_EQ(why.rfind("malformed: ", 0), 0u) << why;
        }
        doc = good;
        doc["series"] = json::array({json::array({v})});  // indices: -1 does not fit either
        EXPECT_FALSE(vidseg::intro::series_detection_from_cache(doc.dump(), episodes, why)) << v;
        EXPECT_EQ(why.rfind("malformed: ", 0), 0u) << why;
    }
}

TEST(IntroLibraryReader, TamperedSampleRateIsAnError) {
    for (const auto& v : bad_integers()) {
        const json doc = {{"format", vidseg::intro::kIntroLibraryFormat},
                          {"version", vidseg::intro::kIntroLibraryVersion},
                          {"fingerprint", {{"audio", "chromaprint"}, {"sample_rate", v}}}};
        EXPECT_NE(message_of([&] { vidseg::intro::intro_library_from_json(doc, "lib.json"); })
                      .find("fingerprints are not Chromaprint at 11025 Hz"),
                  std::string::npos)
            << v;
    }
}

// The API's video JSON written from the catalog rows with the stored media summary spliced in
// (src/vidseg/platform/video_json.hpp) must be byte for byte what the nlohmann::json form gives
// (to_json(video).dump() with invalid UTF-8 replaced), for summaries as the platform stores them and
// for hostile names; a stored text not framed by braces becomes {}.
#include <gtest/gtest.h>

#include <limits>

#include <nlohmann/json.hpp>

#include "vidseg/platform/platform.hpp"
#include "vidseg/platform/video_json.hpp"

using namespace vidseg;
using nlohmann::json;

namespace {

std::string reference(const catalog::Video& v) {
    return platform::to_json(v).dump(-1, ' ', false, json::error_handler_t::replace);
}

catalog::Video video(std::string name, std::string info_json) {
    catalog::Video v;
    v.id = 42;
    v.user_id = 7;
    v.name = std::move(name);
    v.key = "anna/task_20261207/lesson.mp4";
    v.size = 214748364800ull;
    v.sha256 = std::string(64, 'a');
    v.state = "ready";
    v.info_json = std::move(info_json);
    v.created = 1796601600;
    return v;
}

// As the arrival job stores it (job_kinds.cpp: record.dump()): nested objects, doubles, integers,
// null, booleans, non-ASCII and escaped text.
std::string arrival_record() {
    json media = {
        {"container", "mov,mp4,m4a,3gp,3g2,mj2"},
        {"duration", 8.04},
        {"bit_rate", 209715200},
        {"start", -0.021333},
        {"tags", {{"title", "Урок 5: \"дроби\"\n\ttab"}, {"encoder", "Lavf59.27.100"}}},
        {"streams", json::array({{{"codec", "h264"}, {"fps", 25.0}, {"width", 1280}, {"rotation", nullptr}},
                                 {{"codec", "aac"}, {"sample_rate", 48000}, {"default", true}}})},
        {"tiny", 1e-300},
        {"huge", 1.7976931348623157e308},
        {"third", 1.0 / 3.0}};
    json record = {
        {"duration", 8.04},
        {"media", media},
        {"outputs", {{"audio", "anna/task_1/lesson.wav"}, {"poster", "anna/task_1/lesson.poster.jpg"}}}};
    return record.dump();
}

}  // namespace

TEST(VideoJson, EqualsTheNlohmannFormByteForByte) {
    const std::vector<catalog::Video> videos = {
        video("lesson.mp4", arrival_record()),
        video("l\"e\\s\x01son\x7f.mp4", json({{"container", "matroska,webm"}, {"duration", 0.5}}).dump()),
        video("урок 😀.mp4", "{}"),
        video("not utf-8 \xcf\xf0\xe8.mp4", arrival_record()),  // Windows-1251 bytes: replaced, as before
        video("", json({{"container", "avi"}, {"duration", nullptr}}).dump()),
    };
    for (const auto& v : videos) EXPECT_EQ(platform::video_json(v), reference(v)) << v.name;

    json list = json::array();
    for (const auto& v : videos) list.push_back(platform::to_json(v));
    json doc = {{"videos", list}};
    EXPECT_EQ(platform::video_list_json(videos), doc.dump(-1, ' ', false, json::error_handler_t::replace));
    EXPECT_EQ(platform::video_list_json({}), R"({"videos":[]})");
}

TEST(VideoJson, ExtremeNumbersAreWrittenAsNlohmannWritesThem) {
    auto v = video("x.mp4", "{}");
    v.size = std::numeric_limits<std::uint64_t>::max();
    v.created = std::numeric_limits<std::int64_t>::min();
    v.id = std::numeric_limits<std::int64_t>::max();
    v.user_id = 0;
    EXPECT_EQ(platform::video_json(v), reference(v));
}

TEST(VideoJson, AStoredTextNotFramedByBracesBecomesAnEmptyObject) {
    for (const std::string info : {"", "   ", "not json", "[1,2]", "\"text\""}) {
        const auto v = video("x.mp4", info);
        EXPECT_EQ(json::parse(platform::video_json(v))["info"], json::object()) << info;
    }
    // Whitespace around a stored object (never written by the platform): the same JSON value.
    const auto spaced = video("x.mp4", " {\"duration\": 2.5, \"a\": [1, 2]}\n");
    EXPECT_EQ(json::parse(platform::video_json(spaced)), platform::to_json(spaced));
}

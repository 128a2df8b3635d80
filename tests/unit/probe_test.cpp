#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/probe.hpp"

using vidseg::Error;
using vidseg::ErrorCode;
namespace vm = vidseg::media;
using vidseg::test::media;

namespace {
ErrorCode probe_error(const std::string& name, std::string* message = nullptr) {
    try {
        vm::probe(media(name).string());
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    return ErrorCode::Internal;
}
}  // namespace

TEST(Probe, H264Mp4StreamsAndKeyframes) {
    auto info = vm::probe(media("h264_gop2.mp4").string());
    EXPECT_NEAR(info.duration, 12.0, 0.05);
    ASSERT_NE(info.video(), nullptr);
    ASSERT_NE(info.audio(), nullptr);
    const auto& v = *info.video();
    EXPECT_EQ(v.codec, "h264");
    EXPECT_EQ(v.width, 320);
    EXPECT_EQ(v.height, 240);
    EXPECT_NEAR(v.fps, 25.0, 0.01);
    EXPECT_FALSE(v.variable_frame_rate);
    EXPECT_EQ(v.frame_count, 300);
    EXPECT_EQ(v.rotation, 0);
    ASSERT_EQ(v.keyframes.size(), 6u);
    for (size_t i = 0; i < v.keyframes.size(); ++i) EXPECT_NEAR(v.keyframes[i], 2.0 * i, 1e-6);
    EXPECT_EQ(info.audio()->sample_rate, 48000);
    EXPECT_EQ(info.audio()->codec, "aac");
}

TEST(Probe, IndexOnlyModeGivesSameKeyframesForMp4AndMkv) {
    for (const char* name : {"h264_gop2.mp4", "h264.mkv"}) {
        auto fast = vm::probe(media(name).string(), {.scan_packets = false});
        auto full = vm::probe(media(name).string());
        ASSERT_EQ(fast.video()->keyframes.size(), full.video()->keyframes.size()) << name;
        for (size_t i = 0; i < full.video()->keyframes.size(); ++i)
            EXPECT_NEAR(fast.video()->keyframes[i], full.video()->keyframes[i], 1e-3) << name;
    }
}

TEST(Probe, VariableFrameRateDetected) {
    auto info = vm::probe(media("vfr.mp4").string());
    EXPECT_TRUE(info.video()->variable_frame_rate);
    EXPECT_EQ(info.video()->frame_count, 100 + 40 + 120);
    EXPECT_FALSE(vm::probe(media("ntsc.mp4").string()).video()->variable_frame_rate);
    EXPECT_NEAR(vm::probe(media("ntsc.mp4").string()).video()->fps, 29.97, 0.01);
}

TEST(Probe, RotationVp9OddDimensions) {
    EXPECT_EQ(vm::probe(media("rotated.mp4").string()).video()->rotation % 180, 90);
    auto webm = vm::probe(media("vp9.webm").string());
    EXPECT_EQ(webm.video()->codec, "vp9");
    EXPECT_EQ(webm.audio()->codec, "opus");
    auto odd = vm::probe(media("odd_dims.mp4").string());
    EXPECT_EQ(odd.video()->width, 321);
    EXPECT_EQ(odd.video()->height, 241);
}

TEST(Probe, AudioOnlyAndVideoOnly) {
    auto a = vm::probe(media("audio_only.m4a").string());
    EXPECT_EQ(a.video(), nullptr);
    EXPECT_NE(a.audio(), nullptr);
    auto v = vm::probe(media("video_only.mp4").string());
    EXPECT_NE(v.video(), nullptr);
    EXPECT_EQ(v.audio(), nullptr);
}

TEST(Probe, BadInputsGiveTypedErrorsNamingTheFile) {
    std::string message;
    EXPECT_EQ(probe_error("truncated.mp4", &message), ErrorCode::InvalidMedia);
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    EXPECT_NE(message.find("truncated.mp4"), std::string::npos) << message;
    EXPECT_EQ(probe_error("corrupt.mp4", &message), ErrorCode::InvalidMedia);
    EXPECT_NE(message.find("not a readable media file"), std::string::npos) << message;
    EXPECT_EQ(probe_error("not_video.txt"), ErrorCode::InvalidMedia);
    EXPECT_EQ(probe_error("zero_duration.mp4", &message), ErrorCode::InvalidMedia);
    try {
        vm::probe("/nonexistent/lesson.mp4");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
        EXPECT_STREQ(e.what(), "/nonexistent/lesson.mp4: no such file");
    }
}

TEST(Probe, JsonHasTheDocumentedFields) {
    auto j = vm::to_json(vm::probe(media("h264_gop2.mp4").string()));
    EXPECT_EQ(j["streams"][0]["type"], "video");
    EXPECT_EQ(j["streams"][0]["keyframes"].size(), 6u);
    EXPECT_EQ(j["streams"][1]["sample_rate"], 48000);
    EXPECT_NEAR(j["duration"].get<double>(), 12.0, 0.05);
}

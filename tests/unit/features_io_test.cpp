// Feature files (CSV / JSONL), transcript text columns and the timeline's bad-input errors.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"

using namespace vidseg;
using namespace vidseg::features;

namespace {

FeatureMatrix sample_matrix() {
    FeatureMatrix m;
    m.source = "lesson.mp4";
    m.spec = {5.0, 10.0, {"rms_mean", "mfcc_mean_0", "faces"}};
    m.times = {0, 5, 10};
    m.values = {0.125f, -230.5f, 1, 0.5f, 3.14159274f, std::numeric_limits<float>::quiet_NaN(), 0, 0, 2};
    return m;
}

void expect_same(const FeatureMatrix& a, const FeatureMatrix& b) {
    ASSERT_EQ(a.spec.columns, b.spec.columns);
    ASSERT_EQ(a.times, b.times);
    ASSERT_EQ(a.values.size(), b.values.size());
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        if (std::isnan(a.values[i]))
            EXPECT_TRUE(std::isnan(b.values[i])) << i;
        else
            EXPECT_EQ(a.values[i], b.values[i]) << i;  // the shortest decimal round-trips float32 exactly
    }
}

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST(FeaturesIo, CsvHeaderAndRoundTrip) {
    const auto m = sample_matrix();
    const std::string csv = to_csv(m);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "time,rms_mean,mfcc_mean_0,faces");
    EXPECT_NE(csv.find("5.000000,0.5,3.1415927,\n"), std::string::npos) << csv;  // NaN = empty field
    const auto back = from_csv(csv);
    expect_same(m, back);
    EXPECT_DOUBLE_EQ(back.spec.step, 5.0);
    EXPECT_DOUBLE_EQ(back.spec.window, 5.0);  // CSV does not carry the window
}

TEST(FeaturesIo, JsonlKeepsTheSpec) {
    test::TempDir dir;
    const auto m = sample_matrix();
    write_features(m, dir / "f.jsonl");
    const auto back = read_features(dir / "f.jsonl");
    expect_same(m, back);
    EXPECT_EQ(back.spec, m.spec);
    EXPECT_EQ(back.source, "lesson.mp4");
    const std::string text = test::read_text(dir / "f.jsonl");
    EXPECT_EQ(text.rfind("{\"columns\":[\"rms_mean\"", 0), 0u) << text;
    EXPECT_NE(text.find("\"values\":[0.5,3.1415927,null]"), std::string::npos) << text;
}

TEST(FeaturesIo, ValuesAreShortestDecimalsThatReadBackExactly) {
    FeatureMatrix m;
    m.spec = {1.0, 1.0, {"a", "b", "c", "d", "e", "f"}};
    m.times = {0, 1.5};
    // 0x15ae43fd: the one float32 whose shortest decimal (7.038531e-26), read as a double and narrowed,
    // becomes its neighbour; it must still read back as itself.
    const float twice_rounded = std::bit_cast<float>(std::uint32_t{0x15ae43fd});
    m.values = {0.1f, -0.0f, 1e-5f, 123456792.f, twice_rounded, -twice_rounded,
                std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(), 16777216.f, 2.5f, -1.f / 3, 1e30f};
    const std::string csv = to_csv(m);
    EXPECT_NE(csv.find("\n0.000000,0.1,-0,1e-05,123456792,7.03853069e-26,-7.03853069e-26\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\n1.500000,1e-45,3.4028235e+38,16777216,2.5,-0.33333334,1e+30\n"), std::string::npos) << csv;
    expect_same(m, from_csv(csv));
    expect_same(m, from_jsonl(to_jsonl(m)));
}

TEST(FeaturesIo, NpyMatrixWithSidecarRoundTrip) {
    test::TempDir dir;
    const auto m = sample_matrix();
    write_features(m, dir / "f.npy");
    const std::string bytes = test::read_text(dir / "f.npy");
    // NPY 1.0: magic, version, header length; data 64-byte aligned; 3 x 3 float32 after the header.
    ASSERT_GE(bytes.size(), 64u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    const std::size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    EXPECT_EQ((10 + header_len) % 64, 0u);
    EXPECT_NE(bytes.find("'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }"), std::string::npos);
    EXPECT_EQ(bytes.size(), 10 + header_len + 9 * sizeof(float));
    EXPECT_NE(test::read_text(dir / "f.npy.json").find("\"columns\":[\"rms_mean\",\"mfcc_mean_0\",\"faces\"]"),
              std::string::npos);
    const auto back = read_features(dir / "f.npy");
    expect_same(m, back);
    EXPECT_DOUBLE_EQ(back.spec.window, 10.0);
    EXPECT_EQ(back.source, "lesson.mp4");
    // Without its sidecar, or truncated, an .npy is a clear error.
    std::filesystem::copy_file(dir / "f.npy", dir / "lonely.npy");
    EXPECT_EQ(test::thrown_code([&] { read_features(dir / "lonely.npy"); }), ErrorCode::InputNotFound);
    write(dir / "short.npy", bytes.substr(0, bytes.size() - 4));
    std::filesystem::copy_file(dir / "f.npy.json", dir / "short.npy.json");
    EXPECT_EQ(test::thrown_code([&] { read_features(dir / "short.npy"); }), ErrorCode::InvalidData);
}

TEST(FeaturesIo, FormatFromExtension) {
    EXPECT_EQ(format_for_path("a/b.CSV"), FeatureFormat::Csv);
    EXPECT_EQ(format_for_path("b.json"), FeatureFormat::Jsonl);
    EXPECT_EQ(format_for_path("b.NPY"), FeatureFormat::Npy);
    EXPECT_EQ(test::thrown_code([] { format_for_path("b.npz"); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { parse_feature_format("xml"); }), ErrorCode::InvalidArgument);
}

TEST(FeaturesIo, MalformedFilesAreInvalidData) {
    test::TempDir dir;
    EXPECT_EQ(test::thrown_code([&] { read_features(dir / "missing.csv"); }), ErrorCode::InputNotFound);
    EXPECT_EQ(test::thrown_code([] { from_csv("t,a\n0,1\n"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_csv("time,a,b\n0,1\n"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_csv("time,a\n0,abc\n"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_csv("time,a\n1,1\n0,1\n"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_csv("time,a,a\n0,1,2\n"); }), ErrorCode::InvalidData);
    // Found by fuzz_feature_files (issue 14 §2): a column name that is not UTF-8 made to_jsonl throw (exit 70).
    EXPECT_EQ(test::thrown_code([] { from_csv("time,b\xF2ightness\n0,1\n"); }), ErrorCode::InvalidData);
    std::string jsonl = to_jsonl(sample_matrix());
    jsonl.resize(jsonl.rfind("{\"time\""));  // drop the last row: header says 3
    EXPECT_EQ(test::thrown_code([&] { from_jsonl(jsonl); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_jsonl("{\"format\":\"other\"}\n"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { from_jsonl(""); }), ErrorCode::InvalidData);
}

TEST(FeaturesIo, ValidateCatchesInconsistentMatrices) {
    auto m = sample_matrix();
    m.values.pop_back();
    EXPECT_EQ(test::thrown_code([&] { validate(m); }), ErrorCode::InvalidData);
    m = sample_matrix();
    m.spec.step = 0;
    EXPECT_EQ(test::thrown_code([&] { validate(m); }), ErrorCode::InvalidData);
    m = sample_matrix();
    m.spec.columns[0] = "a,b";
    EXPECT_EQ(test::thrown_code([&] { validate(m); }), ErrorCode::InvalidData);
    EXPECT_EQ(column_index(sample_matrix().spec, "faces"), 2u);
    EXPECT_FALSE(column_index(sample_matrix().spec, "nope"));
}

TEST(FeaturesText, TokensSpreadOverSegments) {
    const auto segs = parse_transcript(
        R"({"segments":[{"start":0.0,"end":2.0,"text":"one two three four"},{"start":3.0,"end":3.5,"text":" five "}]})",
        "t.json");
    FeatureMatrix m;
    m.spec = {1.0, 1.0, {}};
    m.times = {0, 1, 2, 3};
    append_text_columns(segs, m);
    ASSERT_EQ(m.spec.columns, (std::vector<std::string>{"tokens", "words_per_second", "speech_coverage"}));
    EXPECT_EQ(m.at(0, 0), 2.0f);  // word midpoints 0.25, 0.75 | 1.25, 1.75 | - | 3.25
    EXPECT_EQ(m.at(1, 0), 2.0f);
    EXPECT_EQ(m.at(2, 0), 0.0f);
    EXPECT_EQ(m.at(3, 0), 1.0f);
    EXPECT_EQ(m.at(3, 2), 0.5f);
    EXPECT_EQ(m.at(0, 2), 1.0f);
}

TEST(FeaturesText, BadTranscripts) {
    EXPECT_EQ(test::thrown_code([] { parse_transcript("{", "t"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { parse_transcript(R"({"text":"x"})", "t"); }), ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { parse_transcript(R"({"segments":[{"start":2,"end":1}]})", "t"); }),
              ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([] { read_transcript("/nonexistent/t.json"); }), ErrorCode::InputNotFound);
}

TEST(FeaturesTimeline, BadGridAndMissingInput) {
    EXPECT_EQ(test::thrown_code([] { validate_grid(0, 1); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { validate_grid(-1, 1); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { validate_grid(5, 1); }), ErrorCode::InvalidArgument);
    EXPECT_NO_THROW(validate_grid(5, 10));
    EXPECT_EQ(test::thrown_code([] { compute_timeline_features("/nonexistent.mp4", {}); }), ErrorCode::InputNotFound);
}

// A WAV 7 ms past a whole second (containers often end so) must not end on a row without audio
// frames, which `vidseg train` would refuse as NaN; 40 ms of media beyond 3 s is dropped, 0.6 s is a row.
TEST(FeaturesTimeline, TrailingRowNeedsSomeMedia) {
    test::TempDir tmp;
    for (const auto& [seconds, rows] : std::vector<std::pair<const char*, std::size_t>>{{"3.007", 3}, {"3.6", 4}}) {
        const auto wav = tmp.path() / (std::string("tone_") + seconds + ".wav");
        ASSERT_EQ(test::run_shell("ffmpeg -nostdin -loglevel error -y -f lavfi -i sine=f=440:d=" + std::string(seconds) +
                                  ":sample_rate=22050 " + test::shell_quote(wav.string())).exit_code,
                  0);
        TimelineOptions o;
        o.visual = false;
        const auto r = compute_timeline_features(wav.string(), o);
        ASSERT_EQ(r.matrix.rows(), rows) << seconds;
        const auto mfcc = column_index(r.matrix.spec, "mfcc_mean_0");
        ASSERT_TRUE(mfcc);
        for (std::size_t row = 0; row < r.matrix.rows(); ++row)
            EXPECT_FALSE(std::isnan(r.matrix.at(row, *mfcc))) << seconds << " s, row " << row;
    }
}

// Audio that stops 1.05 s before the picture: the rows past it are silence (RMS 0), not NaN, which `predict` / `patterns find` would refuse for the whole video.
TEST(FeaturesTimeline, RowsPastTheEndOfTheAudioAreSilence) {
    test::TempDir tmp;
    const auto mp4 = tmp.path() / "short_audio.mp4";
    ASSERT_EQ(test::run_shell("ffmpeg -nostdin -loglevel error -y -f lavfi -i sine=f=300:d=4.95 -f lavfi -i "
                              "color=c=blue:s=160x120:r=10:d=6 -map 1:v -map 0:a -c:v libx264 -c:a aac " +
                              test::shell_quote(mp4.string()))
                  .exit_code,
              0);
    TimelineOptions o;
    o.visual = false;
    const auto r = compute_timeline_features(mp4.string(), o);
    ASSERT_EQ(r.matrix.rows(), 6u);
    const auto mfcc = column_index(r.matrix.spec, "mfcc_mean_0");
    const auto rms = column_index(r.matrix.spec, "rms_mean");
    ASSERT_TRUE(mfcc && rms);
    for (std::size_t row = 0; row < r.matrix.rows(); ++row)
        for (std::size_t c = 0; c < r.matrix.cols(); ++c)
            ASSERT_FALSE(std::isnan(r.matrix.at(row, c))) << "row " << row << " column " << r.matrix.spec.columns[c];
    EXPECT_LT(r.matrix.at(5, *rms), 1e-4f);                   // 5-6 s: after the tone
    EXPECT_GT(r.matrix.at(2, *rms), 0.05f);                   // the tone
}

TEST(FeaturesTimeline, VideoWithoutAudioGetsVisualColumnsAndANote) {
    TimelineOptions o;
    o.visual_options.detect_people = false;
    o.visual_options.fps = 2;
    const auto r = compute_timeline_features(test::media("video_only.mp4").string(), o);
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("no audio stream"), std::string::npos);
    EXPECT_EQ(r.matrix.rows(), 6u);  // 6 s at 1 s steps
    EXPECT_FALSE(column_index(r.matrix.spec, "mfcc_mean_0"));
    const auto b = column_index(r.matrix.spec, "brightness");
    ASSERT_TRUE(b);
    EXPECT_GT(r.matrix.at(0, *b), 20.0f);  // testsrc is a bright colourful pattern
    const auto motion = column_index(r.matrix.spec, "motion");
    ASSERT_TRUE(motion);
    EXPECT_GT(r.matrix.at(3, *motion), 0.0f);  // testsrc moves
}

TEST(FeaturesCli, BadInputExitCodes) {
    test::TempDir dir;
    const auto out = test::shell_quote(dir / "f.csv");
    EXPECT_EQ(test::run_vidseg("features /nonexistent.mp4 --out " + out).exit_code, 3);
    const auto lesson = test::shell_quote(test::media("lesson.mp4"));
    auto r = test::run_vidseg("features " + lesson + " --out " + out + " --step 0");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--step"), std::string::npos) << r.err;
    r = test::run_vidseg("features " + lesson + " --out " + out + " --step 5 --window 1");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--window"), std::string::npos) << r.err;
    EXPECT_EQ(test::run_vidseg("features " + lesson + " --out " + test::shell_quote(dir / "f.xyz")).exit_code, 2);
    r = test::run_vidseg("features " + lesson + " --out " + out + " --transcript " + test::shell_quote(dir / "none.json"));
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("transcript not found"), std::string::npos) << r.err;
    write(dir / "bad.onnx", "this is not a protobuf");
    r = test::run_vidseg("features " + lesson + " --no-audio --out " + out + " --embed-model " +
                         test::shell_quote(dir / "bad.onnx"));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("ONNX"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "f.csv"));
}

// Cutter: copy and exact (smart cut / full re-encode) modes, checked on the OUTPUT files with
// ffprobe/ffmpeg: frame counts, timestamps, decode errors, audio length and frame content.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/probe.hpp"

using namespace vidseg;
using namespace vidseg::media;
namespace fs = std::filesystem;

namespace {

std::vector<double> parse_numbers(const std::string& text) {
    std::vector<double> v;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        // ffprobe csv may append empty side-data fields: keep the first field of non-empty lines.
        line = line.substr(0, line.find(','));
        if (!line.empty() && line != "N/A") v.push_back(std::stod(line));
    }
    return v;
}

// Presentation times of every decoded video frame, relative to the file's container start.
std::vector<double> frame_times(const fs::path& file) {
    auto r = test::run_shell("ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time "
                             "-of csv=p=0 '" + file.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto times = parse_numbers(r.out);
    std::sort(times.begin(), times.end());
    auto start = test::run_shell("ffprobe -v error -show_entries format=start_time -of csv=p=0 '" + file.string() + "'");
    const auto s = parse_numbers(start.out);
    const double t0 = s.empty() ? 0 : s.front();
    for (auto& t : times) t -= t0;
    return times;
}

std::string decode_errors(const fs::path& file) {
    return test::run_shell("ffmpeg -nostdin -v error -i '" + file.string() + "' -f null -").err;
}

// Seconds of decoded audio (priming removed by the container where it says so).
double audio_seconds(const fs::path& file) {
    test::TempDir tmp;
    const auto raw = tmp / "a.raw";
    auto r = test::run_shell("ffmpeg -nostdin -v error -i '" + file.string() + "' -map 0:a:0 -ac 1 -ar 48000 -f s16le '" +
                             raw.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return fs::exists(raw) ? fs::file_size(raw) / 2.0 / 48000.0 : 0.0;
}

// Span of the video: last frame time - first frame time + one frame interval.
double video_seconds(const fs::path& file) {
    const auto t = frame_times(file);
    if (t.size() < 2) return 0;
    return t.back() - t.front() + (t.back() - t.front()) / (t.size() - 1);
}

std::vector<unsigned char> gray_frames(const std::string& ffmpeg_args) {
    test::TempDir tmp;
    const auto raw = tmp / "f.raw";
    auto r = test::run_shell("ffmpeg -nostdin -v error " + ffmpeg_args + " -f rawvideo -pix_fmt gray '" + raw.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string s = test::read_text(raw);
    return {s.begin(), s.end()};
}

// Index (0..2) of the source frame among source frames k-1, k, k+1 that best matches the clip's
// first frame: testsrc draws a frame counter, so only the exact frame matches well.
int best_matching_neighbour(const fs::path& source, long long k, const fs::path& clip, int w, int h) {
    const size_t size = static_cast<size_t>(w) * h;
    auto src = gray_frames("-i '" + source.string() + "' -vf 'select=between(n\\," + std::to_string(k - 1) + "\\," +
                           std::to_string(k + 1) + ")' -vsync 0");
    auto first = gray_frames("-i '" + clip.string() + "' -frames:v 1");
    EXPECT_EQ(first.size(), size);
    EXPECT_EQ(src.size(), 3 * size);
    if (first.size() != size || src.size() != 3 * size) return -1;
    int best = -1;
    double best_mse = 1e30;
    for (int i = 0; i < 3; ++i) {
        double mse = 0;
        for (size_t p = 0; p < size; ++p) {
            const double d = double(first[p]) - src[i * size + p];
            mse += d * d;
        }
        if (mse < best_mse) best_mse = mse, best = i;
    }
    return best;
}

struct ExactCase {
    std::string media;
    std::vector<std::pair<double, double>> clips;
    std::string ext;
    std::string expect_method_of_long_clip;  // method of the clip spanning a whole GOP ("" = don't care)
};

void check_exact(const ExactCase& tc, bool check_content) {
    test::TempDir dir;
    const auto src = test::media(tc.media);
    const auto info = probe(src.string());
    const auto* v = info.video();
    ASSERT_NE(v, nullptr);
    const auto src_times = frame_times(src);
    std::vector<ClipSpec> specs;
    for (size_t i = 0; i < tc.clips.size(); ++i)
        specs.push_back({tc.clips[i].first, tc.clips[i].second, (dir / ("c" + std::to_string(i) + tc.ext)).string()});
    const auto results = cut_clips(src.string(), specs, {});
    ASSERT_EQ(results.size(), specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
        SCOPED_TRACE(tc.media + " clip " + std::to_string(specs[i].start) + "-" + std::to_string(specs[i].end));
        const auto& r = results[i];
        const fs::path out = specs[i].output_path;
        ASSERT_TRUE(fs::exists(out));
        EXPECT_EQ(decode_errors(out), "");
        // Source frames with pts in [start, end).
        std::vector<double> expected;
        for (double t : src_times)
            if (t >= specs[i].start - 5e-4 && t < specs[i].end - 5e-4) expected.push_back(t);
        ASSERT_FALSE(expected.empty());
        const auto times = frame_times(out);
        EXPECT_EQ(static_cast<long long>(times.size()), static_cast<long long>(expected.size()));
        EXPECT_EQ(r.frames, static_cast<long long>(expected.size()));
        ASSERT_FALSE(times.empty());
        // Timestamps start at 0 (Matroska/WebM may shift video by the audio encoder priming, < 1 frame).
        auto first_stream = test::run_shell("ffprobe -v error -select_streams v:0 -show_entries stream=start_time "
                                            "-of csv=p=0 '" + out.string() + "'");
        auto st = parse_numbers(first_stream.out);
        ASSERT_FALSE(st.empty());
        EXPECT_NEAR(st.front(), 0.0, 0.025);
        EXPECT_NEAR(r.actual_start, expected.front(), 1e-3);
        // Relative frame times match the source's.
        for (size_t k = 0; k < std::min(times.size(), expected.size()); ++k)
            EXPECT_NEAR(times[k] - times.front(), expected[k] - expected.front(), 2e-3) << "frame " << k;
        const double vdur = video_seconds(out);
        EXPECT_NEAR(vdur, r.actual_end - r.actual_start, 0.06);
        if (info.audio()) {
            // Matroska keeps the AAC/Opus encoder priming as audio before the video (video starts
            // at +priming): that part is not clip content.
            auto astart = parse_numbers(test::run_shell("ffprobe -v error -select_streams a:0 -show_entries "
                                                        "stream=start_time -of csv=p=0 '" + out.string() + "'").out);
            const double priming = astart.empty() ? 0 : std::max(0.0, st.front() - astart.front());
            const double adur = audio_seconds(out) - priming;
            EXPECT_NEAR(adur, r.actual_end - r.actual_start, 1024.0 / 44100 + 0.005) << "audio vs video span";
        }
        if (check_content) {
            const long long k = std::lower_bound(src_times.begin(), src_times.end(), expected.front() - 1e-6) -
                                src_times.begin();
            if (k > 0 && k + 1 < static_cast<long long>(src_times.size())) {
                const int w = v->width, h = v->height;
                EXPECT_EQ(best_matching_neighbour(src, k, out, w, h), 1) << "first frame is not source frame " << k;
            }
        }
    }
    if (!tc.expect_method_of_long_clip.empty()) {
        bool found = false;
        for (const auto& r : results) found |= r.method == tc.expect_method_of_long_clip;
        EXPECT_TRUE(found) << "no clip was cut with method " << tc.expect_method_of_long_clip;
    }
}

}  // namespace

TEST(CutterExact, H264Mp4SmartCutSegments) {
    check_exact({"h264_gop2.mp4", {{0, 5}, {5, 10}, {10, 12}}, ".mp4", "smart"}, true);
}

TEST(CutterExact, H264Mp4UnalignedOverlappingClips) {
    check_exact({"h264_gop2.mp4", {{3.3, 7.1}, {0.52, 1.0}, {2.0, 8.0}, {6.5, 6.6}}, ".mp4", "smart"}, true);
}

TEST(CutterExact, NtscFrameRate) { check_exact({"ntsc.mp4", {{0.5, 3.3}, {3.3, 9.1}}, ".mp4", "smart"}, true); }

TEST(CutterExact, MatroskaH264) { check_exact({"h264.mkv", {{1.1, 6.7}, {6.7, 9.0}}, ".mkv", "smart"}, true); }

TEST(CutterExact, Vp9WebM) { check_exact({"vp9.webm", {{1.3, 6.5}}, ".webm", "smart"}, true); }

TEST(CutterExact, VariableFrameRate) { check_exact({"vfr.mp4", {{0.5, 3.3}, {3.3, 7.1}, {5.9, 12}}, ".mp4", ""}, true); }

TEST(CutterExact, Mpeg4AviFallsBackToFullReencode) {
    check_exact({"mpeg4.avi", {{1.3, 4.7}}, ".mp4", "reencode"}, true);
}

TEST(CutterExact, VideoOnlyAndOddDimensions) {
    check_exact({"video_only.mp4", {{0.7, 4.1}}, ".mp4", "smart"}, false);
    check_exact({"odd_dims.mp4", {{0.7, 4.1}}, ".mp4", "smart"}, false);
}

TEST(CutterExact, EndBeyondDurationIsClamped) {
    test::TempDir dir;
    auto r = cut_clips(test::media("h264_gop2.mp4").string(), {{9.5, 99, (dir / "a.mp4").string()}}, {});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_NEAR(r[0].actual_end, 12.0, 1e-3);
    EXPECT_EQ(r[0].frames, 62);  // 9.52 .. 11.96
    EXPECT_EQ(r[0].requested_end, 99);
}

TEST(CutterCopy, StartsAtKeyframesAndCoversTheSource) {
    test::TempDir dir;
    const auto src = test::media("h264_gop2.mp4").string();
    const auto info = probe(src);
    auto specs = fixed_segments(info.duration, 5);
    ASSERT_EQ(specs.size(), 3u);
    for (size_t i = 0; i < specs.size(); ++i) specs[i].output_path = (dir / ("s" + std::to_string(i) + ".mp4")).string();
    CutOptions o;
    o.mode = CutMode::Copy;
    const auto r = cut_clips(src, specs, o);
    const auto& keys = info.video()->keyframes;
    double covered = 0;
    long long frames = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(r[i].method, "copy");
        EXPECT_TRUE(std::any_of(keys.begin(), keys.end(), [&](double k) { return std::abs(k - r[i].actual_start) < 1e-3; }))
            << r[i].actual_start << " is not a keyframe";
        EXPECT_GE(r[i].actual_start, specs[i].start - 1e-3);
        if (i + 1 < r.size()) EXPECT_NEAR(r[i].actual_end, r[i + 1].actual_start, 1e-6);
        covered += r[i].actual_end - r[i].actual_start;
        frames += r[i].frames;
        EXPECT_EQ(decode_errors(specs[i].output_path), "");
        EXPECT_EQ(static_cast<long long>(frame_times(specs[i].output_path).size()), r[i].frames);
    }
    EXPECT_NEAR(r.front().actual_start, 0, 1e-6);
    EXPECT_NEAR(r.back().actual_end, info.duration, 0.05);
    EXPECT_NEAR(covered, info.duration, 0.05);
    EXPECT_EQ(frames, 300);
    // 5 s segments of a 2 s GOP: cut at 0, 6, 10.
    EXPECT_NEAR(r[1].actual_start, 6.0, 1e-6);
    EXPECT_NEAR(r[2].actual_start, 10.0, 1e-6);
}

TEST(CutterCopy, ClipWithoutKeyframeStartsAtThePreviousOne) {
    test::TempDir dir;
    CutOptions o;
    o.mode = CutMode::Copy;
    auto r = cut_clips(test::media("h264_gop2.mp4").string(), {{4.5, 5.5, (dir / "a.mkv").string()}}, o);
    EXPECT_NEAR(r[0].actual_start, 4.0, 1e-6);
    EXPECT_NEAR(r[0].actual_end, 6.0, 1e-6);
    EXPECT_EQ(r[0].frames, 50);
}

TEST(CutterErrors, BadIntervals) {
    test::TempDir dir;
    const auto src = test::media("h264_gop2.mp4").string();
    const auto out = (dir / "x.mp4").string();
    for (auto [s, e] : std::vector<std::pair<double, double>>{{-1, 2}, {3, 3}, {4, 2}, {12.5, 14}}) {
        try {
            cut_clips(src, {{s, e, out}}, {});
            ADD_FAILURE() << "no error for " << s << "-" << e;
        } catch (const Error& err) {
            EXPECT_EQ(err.code(), ErrorCode::InvalidArgument) << err.what();
            EXPECT_NE(std::string(err.what()).find("clip 1"), std::string::npos) << err.what();
        }
    }
}

TEST(CutterErrors, UnwritableOutput) {
    test::TempDir dir;
    std::ofstream(dir / "file") << "x";
    const std::string out = (dir / "file" / "sub" / "a.mp4").string();
    for (auto mode : {CutMode::Exact, CutMode::Copy}) {
        CutOptions o;
        o.mode = mode;
        try {
            cut_clips(test::media("h264_gop2.mp4").string(), {{0, 1, out}}, o);
            ADD_FAILURE() << "no error";
        } catch (const Error& err) {
            EXPECT_EQ(err.code(), ErrorCode::OutputError) << err.what();
            EXPECT_EQ(err.subject(), out);
        }
    }
}

TEST(CutterErrors, AudioOnlyInput) {
    test::TempDir dir;
    try {
        cut_clips(test::media("audio_only.m4a").string(), {{0, 1, (dir / "a.mp4").string()}}, {});
        ADD_FAILURE() << "no error";
    } catch (const Error& err) {
        EXPECT_EQ(err.code(), ErrorCode::InvalidMedia);
        EXPECT_NE(std::string(err.what()).find("has no video stream"), std::string::npos);
    }
}

TEST(CutterPlan, FixedSegmentsAndExtensions) {
    auto s = fixed_segments(12, 5);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[2].start, 10);
    EXPECT_EQ(s[2].end, 12);
    EXPECT_EQ(fixed_segments(10.01, 5, 0.04).size(), 2u);  // remainder shorter than a frame is dropped
    EXPECT_EQ(fixed_segments(10.05, 5, 0.04).size(), 3u);
    EXPECT_THROW(fixed_segments(10, 0), Error);
    EXPECT_EQ(clip_extension("mov,mp4,m4a,3gp,3g2,mj2", "h264", CutMode::Exact), ".mp4");
    EXPECT_EQ(clip_extension("matroska,webm", "h264", CutMode::Exact), ".mkv");
    EXPECT_EQ(clip_extension("matroska,webm", "vp9", CutMode::Exact), ".webm");
    EXPECT_EQ(clip_extension("avi", "mpeg4", CutMode::Exact), ".mp4");
    EXPECT_EQ(clip_extension("avi", "mpeg4", CutMode::Copy), ".mkv");
}

TEST(CutterCli, SegmentsManifestAndJson) {
    test::TempDir dir;
    const auto out = dir / "segs";
    auto r = test::run_vidseg("cut '" + test::media("h264_gop2.mp4").string() + "' --segment 5 --out '" +
                              out.string() + "' --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["clips"].size(), 3u);
    EXPECT_TRUE(fs::exists(out / "segment_00000.mp4"));
    EXPECT_TRUE(fs::exists(out / "segment_00002.mp4"));
    auto manifest = nlohmann::json::parse(test::read_text(out / "manifest.json"));
    ASSERT_EQ(manifest.size(), 3u);
    EXPECT_EQ(manifest[1]["file"], "segment_00001.mp4");
    EXPECT_EQ(manifest[1]["frames"], 125);
    // Bad input: exit code 2 for a malformed clip list, and nothing left behind.
    auto bad = test::run_vidseg("cut '" + test::media("h264_gop2.mp4").string() + "' --clips 3-x --out '" +
                                (dir / "bad").string() + "'");
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "bad"));
}

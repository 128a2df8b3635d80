// FrameReader / scan_video: exactness against an independent ffmpeg decode, read_many == read_at,
// rotation, odd sizes, scaling, errors, and the `vidseg keyframes` command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/video_scanner.hpp"

using namespace vidseg;
using namespace vidseg::media;
namespace {
std::filesystem::path fixture(const std::string& name) { return vidseg::test::media(name); }
}  // namespace

namespace {

double psnr(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    if (a.size() != b.size() || a.empty()) return 0;
    double se = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        se += d * d;
    }
    if (se == 0) return 99;
    return 10 * std::log10(255.0 * 255.0 / (se / a.size()));
}

// Presentation times (relative to the container start) that ffprobe lists with `entries` ("frame=..." or
// "packet=...,flags"), keeping the lines that contain `only` (e.g. ",K" for keyframe packets), sorted
// when `sorted` (packets come in decoding order).
std::vector<double> ffprobe_times(const std::string& path, const std::string& entries, const std::string& only = "",
                                  bool sorted = false) {
    auto fr = vidseg::test::run_shell("ffprobe -v error -select_streams v:0 -show_entries " + entries +
                                      " -of csv=p=0 '" + path + "'");
    auto st = vidseg::test::run_shell("ffprobe -v error -show_entries format=start_time -of csv=p=0 '" + path + "'");
    const double start = std::atof(st.out.c_str());
    std::vector<double> times;
    std::stringstream in(fr.out);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line.find(only) != std::string::npos) times.push_back(std::atof(line.c_str()) - start);
    if (sorted) std::sort(times.begin(), times.end());
    return times;
}

// Presentation times of every frame.
std::vector<double> frame_times(const std::string& path) {
    return ffprobe_times(path, "frame=best_effort_timestamp_time");
}

// Presentation times of the keyframes, as ffprobe reports the packets' key flags.
std::vector<double> frame_times_of_keyframes(const std::string& path) {
    return ffprobe_times(path, "packet=pts_time,flags", ",K", true);
}

// Frame n decoded by the ffmpeg CLI (independent of libvidseg), as packed RGB.
std::vector<uint8_t> reference_frame(const std::string& path, size_t n, bool autorotate = false) {
    auto r = vidseg::test::run_shell("ffmpeg -v error -threads 1 " + std::string(autorotate ? "" : "-noautorotate ") +
                                     "-i '" + path + "' -vf 'select=eq(n\\," + std::to_string(n) +
                                     ")' -fps_mode passthrough -frames:v 1 -f rawvideo -pix_fmt rgb24 -");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {r.out.begin(), r.out.end()};
}

size_t expected_index(const std::vector<double>& times, double t) {
    size_t k = 0;
    for (size_t i = 0; i < times.size(); ++i)
        if (times[i] <= t + 1e-6) k = i;
    return k;
}

// Unsorted, duplicated, near (same GOP) and far timestamps, plus the edges.
std::vector<double> mixed_times(double duration) {
    return {5.0, 0.5, 5.0, 5.04, duration - 0.1, 0.0, 3.97, 7.3, 7.33, 2.0, 1.99, 4.0, 0.5, duration};
}

}  // namespace

TEST(FrameReader, ReadAtIsTheExactFrameOfAnIndependentDecode) {
    const std::string path = fixture("h264_gop2.mp4").string();
    const auto times = frame_times(path);
    ASSERT_EQ(times.size(), 300u);
    FrameReader reader(path);
    EXPECT_EQ(reader.width(), 320);
    EXPECT_EQ(reader.height(), 240);
    EXPECT_NEAR(reader.duration(), 12.0, 0.01);
    EXPECT_NEAR(reader.fps(), 25.0, 0.01);
    // 2.519 lies between frames 62 (2.48) and 63 (2.52): the earlier one is on screen.
    // 3.97 is just before the keyframe at 4.0 (whose dts is earlier than 3.97 because of B-frames).
    for (double t : {2.519, 3.97, 0.0, 6.0, 11.99, 8.52}) {
        const size_t n = expected_index(times, t);
        const Image img = reader.read_at(t);
        EXPECT_NEAR(img.time, times[n], 1e-6) << "t=" << t;
        const auto ref = reference_frame(path, n);
        ASSERT_EQ(img.pixels.size(), ref.size());
        const double same = psnr(img.pixels, ref);
        const double next = psnr(img.pixels, reference_frame(path, n + 1));
        std::printf("t=%.3f frame %zu: PSNR %.1f dB vs reference, %.1f dB vs the next frame\n", t, n, same, next);
        EXPECT_EQ(img.pixels, ref) << "t=" << t << " frame " << n << " (PSNR " << same << " dB)";
        // The test can fail: the neighbouring frame (another counter value) is clearly different.
        EXPECT_LT(next, 45) << "t=" << t;
    }
    EXPECT_NEAR(reader.read_at(2.519).time, 2.48, 1e-6);
}

TEST(FrameReader, ReadManyMatchesReadAtAndTheReference) {
    for (const char* name : {"h264_gop2.mp4", "vp9.webm", "vfr.mp4", "ntsc.mp4"}) {
        SCOPED_TRACE(name);
        const std::string path = fixture(name).string();
        const auto ftimes = frame_times(path);
        ASSERT_GT(ftimes.size(), 100u);
        FrameReaderOptions opts;
        opts.workers = 2;
        FrameReader many(path, opts);
        const auto times = mixed_times(many.duration());
        std::map<size_t, Image> got;
        std::mutex mutex;
        many.read_many(times, [&](size_t i, const Image& img) {
            std::lock_guard lock(mutex);
            EXPECT_TRUE(got.emplace(i, img).second) << "sink called twice for " << i;
        });
        ASSERT_EQ(got.size(), times.size());
        // read_at without any decoder shortcut, on one reader (seeks backwards and forwards).
        FrameReaderOptions plain;
        plain.skip_nonref = false;
        FrameReader single(path, plain);
        for (size_t i = 0; i < times.size(); ++i) {
            const Image one = single.read_at(times[i]);
            EXPECT_EQ(got[i].time, one.time) << "t=" << times[i];
            EXPECT_EQ(got[i].pixels, one.pixels) << "t=" << times[i];
            EXPECT_NEAR(one.time, ftimes[expected_index(ftimes, times[i])], 1e-6) << "t=" << times[i];
        }
        // One independent-decode check per file.
        const size_t n = expected_index(ftimes, 7.33);
        EXPECT_GT(psnr(got[8].pixels, reference_frame(path, n)), 40);
    }
}

TEST(FrameReader, ReadManySingleWorkerForwardDecodingIsExact) {
    // Dense targets (every 3rd frame over 6 s) through one decoder with non-reference skipping.
    const std::string path = fixture("h264_gop2.mp4").string();
    std::vector<double> times;
    for (int k = 300 - 1; k >= 150; k -= 3) times.push_back(k / 25.0 + 0.001);
    FrameReaderOptions opts;
    opts.workers = 1;
    FrameReader reader(path, opts);
    std::vector<Image> got(times.size());
    reader.read_many(times, [&](size_t i, const Image& img) { got[i] = img; });
    FrameReaderOptions plain;
    plain.skip_nonref = false;
    FrameReader ref(path, plain);
    for (size_t i = 0; i < times.size(); ++i) {
        const Image one = ref.read_at(times[i]);
        EXPECT_NEAR(got[i].time, times[i] - 0.001, 1e-6);
        EXPECT_EQ(got[i].pixels, one.pixels) << "t=" << times[i];
    }
}

TEST(FrameReader, RotationIsApplied) {
    const std::string path = fixture("rotated.mp4").string();
    FrameReader reader(path);
    EXPECT_EQ(reader.width(), 240);
    EXPECT_EQ(reader.height(), 320);
    const Image img = reader.read_at(1.0);
    EXPECT_EQ(img.width, 240);
    EXPECT_EQ(img.height, 320);
    // ffmpeg's own autorotation gives the same picture.
    EXPECT_GT(psnr(img.pixels, reference_frame(path, 25, true)), 40);
    FrameReaderOptions raw;
    raw.apply_rotation = false;
    FrameReader unrotated(path, raw);
    EXPECT_EQ(unrotated.read_at(1.0).width, 320);
}

TEST(FrameReader, OddDimensionsAndScaling) {
    const std::string path = fixture("odd_dims.mp4").string();
    FrameReader reader(path);
    const Image img = reader.read_at(2.0);
    EXPECT_EQ(img.width, 321);
    EXPECT_EQ(img.height, 241);
    EXPECT_GT(psnr(img.pixels, reference_frame(path, 50)), 40);

    FrameReaderOptions small;
    small.max_width = 160;
    small.layout = PixelLayout::Gray8;
    FrameReader scaled(fixture("h264_gop2.mp4").string(), small);
    const Image g = scaled.read_at(3.0);
    EXPECT_EQ(g.width, 160);
    EXPECT_EQ(g.height, 120);
    EXPECT_EQ(g.pixels.size(), 160u * 120u);
}

TEST(FrameReader, ClearErrors) {
    try {
        FrameReader r("/nonexistent/video.mp4");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/video.mp4"), std::string::npos);
    }
    try {
        FrameReader r(fixture("audio_only.m4a").string());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidMedia);
        EXPECT_NE(std::string(e.what()).find("has no video stream"), std::string::npos) << e.what();
    }
    FrameReader reader(fixture("h264_gop2.mp4").string());
    for (double t : {13.0, -1.0}) {
        try {
            reader.read_at(t);
            FAIL() << "no error for " << t;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
            const std::string msg = e.what();
            EXPECT_NE(msg.find(t > 0 ? "13.000" : "-1.000"), std::string::npos) << msg;
            EXPECT_NE(msg.find("12.000"), std::string::npos) << msg;
        }
    }
    // read_many validates everything before decoding: the sink is never called.
    int calls = 0;
    EXPECT_THROW(reader.read_many({1.0, 99.0}, [&](size_t, const Image&) { ++calls; }), Error);
    EXPECT_EQ(calls, 0);
}

TEST(FrameReader, SinkExceptionStopsReadMany) {
    FrameReaderOptions opts;
    opts.workers = 2;
    FrameReader reader(fixture("h264_gop2.mp4").string(), opts);
    EXPECT_THROW(reader.read_many({1, 3, 5, 7, 9, 11},
                                  [&](size_t, const Image&) { throw Error(ErrorCode::OutputError, "disk full"); }),
                 Error);
}

TEST(FrameReader, ScanVideoDecodesEveryFrameSmall) {
    ScanOptions opts;
    opts.skip_nonref = false;
    std::vector<double> times;
    int w = 0, h = 0;
    scan_video(fixture("h264_gop2.mp4").string(), opts, [&](const Image& img) {
        times.push_back(img.time);
        w = img.width;
        h = img.height;
        EXPECT_EQ(img.layout, PixelLayout::Gray8);
    });
    EXPECT_EQ(times.size(), 300u);
    EXPECT_EQ(w, 160);
    EXPECT_EQ(h, 120);
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    opts.max_fps = 5;
    int kept = 0;
    scan_video(fixture("h264_gop2.mp4").string(), opts, [&](const Image&) { ++kept; });
    EXPECT_NEAR(kept, 60, 1);
    opts = ScanOptions{};  // skip_nonref: fewer frames, still ordered
    times.clear();
    scan_video(fixture("h264_gop2.mp4").string(), opts, [&](const Image& img) { times.push_back(img.time); });
    EXPECT_GT(times.size(), 50u);
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    EXPECT_THROW(scan_video(fixture("audio_only.m4a").string(), opts, [](const Image&) {}), Error);
}

TEST(FrameReader, KeyframesCommand) {
    vidseg::test::TempDir dir;
    const std::string video = fixture("h264_gop2.mp4").string();
    auto r = vidseg::test::run_vidseg("keyframes '" + video + "' --segment 5 --out '" + (dir / "kf").string() + "' --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(std::filesystem::exists(dir / "kf" / ("segment_" + std::to_string(i) + "_keyframe.jpg")));
    EXPECT_NE(r.out.find("\"frame_time\": 2.48"), std::string::npos) << r.out;
    r = vidseg::test::run_vidseg("keyframes '" + video + "' --at 1,2.5 --format png --width 160 --out '" +
                                 (dir / "png").string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto probe = vidseg::test::run_shell("ffprobe -v error -show_entries stream=width,height -of csv=p=0 '" +
                                         (dir / "png" / "frame_2.500.png").string() + "'");
    EXPECT_EQ(probe.out, "160,120\n");
    r = vidseg::test::run_vidseg("keyframes '" + video + "' --at 1 --crop 300,0,100,100 --out '" + (dir / "bad").string() + "'");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("crop"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "bad"));
    r = vidseg::test::run_vidseg("keyframes '" + video + "' --at 20 --out '" + (dir / "late").string() + "'");
    EXPECT_EQ(r.exit_code, 2);
}

// --nearest-keyframe: the keyframe nearest to each time (h264_gop2.mp4: keyframes every 2 s), decoded
// alone; pixels equal the reference decode of that keyframe, and the frame time says which one it is.
TEST(FrameReader, NearestKeyframeIsTheKeyframeItself) {
    const std::string path = fixture("h264_gop2.mp4").string();
    const auto times = frame_times(path);
    FrameReaderOptions options;
    options.nearest_keyframe = true;
    FrameReader reader(path, options);
    const std::map<double, double> nearest = {{0.3, 0.0}, {1.6, 2.0}, {2.3, 2.0}, {5.8, 6.0}, {11.5, 10.0}};
    for (const auto& [t, keyframe] : nearest) {
        const Image img = reader.read_at(t);
        EXPECT_NEAR(img.time, keyframe, 1e-6) << "t=" << t;
        const size_t n = expected_index(times, img.time);
        EXPECT_EQ(img.pixels, reference_frame(path, n)) << "t=" << t << " keyframe frame " << n;
    }
    // read_many gives the same, in any order, with several workers.
    std::vector<double> targets;
    for (const auto& [t, keyframe] : nearest) targets.push_back(t);
    std::reverse(targets.begin(), targets.end());
    options.workers = 2;
    FrameReader many(path, options);
    many.read_many(targets, [&](size_t i, const Image& img) {
        EXPECT_NEAR(img.time, nearest.at(targets[i]), 1e-6) << "t=" << targets[i];
    });
    // Matroska / WebM list their keyframes (cues) only after a first seek; other frame rates and AVI.
    for (const char* name : {"h264.mkv", "vp9.webm", "mpeg4.avi", "ntsc.mp4"}) {
        FrameReaderOptions o;
        o.nearest_keyframe = true;
        FrameReader r(fixture(name).string(), o);
        const auto key_times = frame_times_of_keyframes(fixture(name).string());
        ASSERT_GE(key_times.size(), 4u) << name;
        for (double t : {0.4, 1.6, 3.1, 5.9}) {
            double expected = key_times.front();
            for (double k : key_times)
                if (std::abs(k - t) < std::abs(expected - t)) expected = k;
            EXPECT_NEAR(r.read_at(t).time, expected, 1e-6) << name << " t=" << t;
        }
        // read_many on a fresh reader (no read_at before it: the cues are not read yet).
        FrameReader fresh(fixture(name).string(), o);
        const std::vector<double> targets = {5.9, 1.6, 3.1};
        fresh.read_many(targets, [&](size_t i, const Image& img) {
            double expected = key_times.front();
            for (double k : key_times)
                if (std::abs(k - targets[i]) < std::abs(expected - targets[i])) expected = k;
            EXPECT_NEAR(img.time, expected, 1e-6) << name << " read_many t=" << targets[i];
        });
    }
    // The CLI option: frame_time in --json is the keyframe's.
    vidseg::test::TempDir dir;
    const auto r = vidseg::test::run_vidseg("keyframes '" + path + "' --at 1.6,5.8 --nearest-keyframe --out '" +
                                            (dir / "kf").string() + "' --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"frame_time\": 2.0"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"frame_time\": 6.0"), std::string::npos) << r.out;
    // prepare --nearest-keyframe: every segment's keyframe_time in manifest.json is a keyframe's.
    const auto p = vidseg::test::run_vidseg("prepare '" + path + "' --segment 5 --nearest-keyframe --no-features --out '" +
                                            (dir / "prep").string() + "' --json");
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const auto manifest = nlohmann::json::parse(vidseg::test::read_text(dir / "prep" / "manifest.json"));
    ASSERT_EQ(manifest["segments"].size(), 3u);
    for (const auto& seg : manifest["segments"]) {
        const double k = seg["keyframe_time"].get<double>();
        EXPECT_NEAR(k, std::round(k / 2) * 2, 1e-6) << seg.dump();  // keyframes every 2 s
    }
}

// read_audio / stream_audio / extract_audio / WavWriter and the `vidseg audio` command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/audio_reader.hpp"

using namespace vidseg;
using namespace vidseg::media;
namespace {
std::filesystem::path fixture(const std::string& name) { return vidseg::test::media(name); }
}  // namespace

namespace {

// Dominant frequency of one channel from its zero crossings.
double zero_crossing_hz(const std::vector<float>& s, int channels, int channel, int rate) {
    size_t crossings = 0;
    float prev = s[channel];
    for (size_t i = channel + channels; i < s.size(); i += channels) {
        if ((prev < 0) != (s[i] < 0)) ++crossings;
        prev = s[i];
    }
    const double seconds = static_cast<double>(s.size() / channels) / rate;
    return crossings / 2.0 / seconds;
}

double rms(const std::vector<float>& s) {
    double sum = 0;
    for (float v : s) sum += v * v;
    return std::sqrt(sum / std::max<size_t>(1, s.size()));
}

struct WavHeader {
    std::string riff, wave, fmt, data;
    uint32_t riff_size = 0, fmt_size = 0, byte_rate = 0, sample_rate = 0, data_size = 0;
    uint16_t format = 0, channels = 0, block_align = 0, bits = 0;
};

WavHeader parse_wav(const std::string& bytes) {
    WavHeader h;
    if (bytes.size() < 44) return h;
    auto u32 = [&](size_t o) {
        return uint32_t(uint8_t(bytes[o])) | uint32_t(uint8_t(bytes[o + 1])) << 8 | uint32_t(uint8_t(bytes[o + 2])) << 16 |
               uint32_t(uint8_t(bytes[o + 3])) << 24;
    };
    auto u16 = [&](size_t o) { return uint16_t(uint8_t(bytes[o]) | uint8_t(bytes[o + 1]) << 8); };
    h.riff = bytes.substr(0, 4);
    h.riff_size = u32(4);
    h.wave = bytes.substr(8, 4);
    h.fmt = bytes.substr(12, 4);
    h.fmt_size = u32(16);
    h.format = u16(20);
    h.channels = u16(22);
    h.sample_rate = u32(24);
    h.byte_rate = u32(28);
    h.block_align = u16(32);
    h.bits = u16(34);
    h.data = bytes.substr(36, 4);
    h.data_size = u32(40);
    return h;
}

}  // namespace

TEST(AudioReader, SpanHasTheRightLengthAndFrequency) {
    const auto s = read_audio(fixture("h264_gop2.mp4").string(), {16000, 1}, 2.0, 5.0);
    EXPECT_NEAR(static_cast<double>(s.size()), 48000.0, 1.0);
    EXPECT_NEAR(zero_crossing_hz(s, 1, 0, 16000), 440.0, 5.0);
    EXPECT_GT(rms(s), 0.05);
    // Whole file: 12 s of audio.
    const auto all = read_audio(fixture("h264_gop2.mp4").string());
    EXPECT_NEAR(all.size() / 16000.0, 12.0, 0.05);
}

TEST(AudioReader, StereoAndRates) {
    const auto s = read_audio(fixture("ntsc.mp4").string(), {48000, 2}, 1.0, 3.5);  // 330 Hz sine at 44.1 kHz
    EXPECT_NEAR(static_cast<double>(s.size()), 2.0 * 48000 * 2.5, 2.0);
    EXPECT_NEAR(zero_crossing_hz(s, 2, 0, 48000), 330.0, 4.0);
    EXPECT_NEAR(zero_crossing_hz(s, 2, 1, 48000), 330.0, 4.0);
    const auto m = read_audio(fixture("audio_only.m4a").string(), {8000, 1});
    EXPECT_NEAR(m.size() / 8000.0, 6.0, 0.05);
    EXPECT_NEAR(zero_crossing_hz(m, 1, 0, 8000), 440.0, 5.0);
}

TEST(AudioReader, StreamingIsContiguous) {
    double expected_time = 4.0;
    size_t total = 0;
    stream_audio(fixture("vp9.webm").string(), {16000, 1}, [&](const float*, size_t frames, double t) {
        EXPECT_NEAR(t, expected_time, 1e-6);
        expected_time += frames / 16000.0;
        total += frames;
    }, 4.0, 6.0);
    EXPECT_NEAR(static_cast<double>(total), 32000.0, 1.0);
}

TEST(AudioReader, ExtractWritesAValidWav) {
    vidseg::test::TempDir dir;
    const auto wav = dir / "out.wav";
    extract_audio(fixture("h264_gop2.mp4").string(), wav.string(), {22050, 2}, 1.0, 3.0);
    const std::string bytes = vidseg::test::read_text(wav);
    const WavHeader h = parse_wav(bytes);
    EXPECT_EQ(h.riff, "RIFF");
    EXPECT_EQ(h.wave, "WAVE");
    EXPECT_EQ(h.fmt, "fmt ");
    EXPECT_EQ(h.data, "data");
    EXPECT_EQ(h.fmt_size, 16u);
    EXPECT_EQ(h.format, 1);
    EXPECT_EQ(h.channels, 2);
    EXPECT_EQ(h.sample_rate, 22050u);
    EXPECT_EQ(h.bits, 16);
    EXPECT_EQ(h.block_align, 4);
    EXPECT_EQ(h.byte_rate, 22050u * 4);
    EXPECT_EQ(h.data_size, bytes.size() - 44);
    EXPECT_EQ(h.riff_size, bytes.size() - 8);
    EXPECT_NEAR(h.data_size / 4.0, 44100.0, 1.0);
    // ffprobe agrees.
    auto p = vidseg::test::run_shell("ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 '" +
                                     wav.string() + "'");
    EXPECT_EQ(p.out, "pcm_s16le,22050,2\n");
    // No temp files left next to it.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

namespace {
// Samples of a 16-bit mono WAV as floats (the header is the 44 bytes WavWriter writes).
std::vector<float> wav_samples(const std::filesystem::path& wav) {
    const std::string bytes = vidseg::test::read_text(wav);
    std::vector<float> out;
    for (size_t o = 44; o + 1 < bytes.size(); o += 2) {
        int16_t v;
        std::memcpy(&v, bytes.data() + o, 2);
        out.push_back(v / 32767.0f);
    }
    return out;
}
}  // namespace

// Many WAVs of one input in one pass: each holds exactly the frames extract_audio writes for its
// span, with the same sound. The span that opens the first run is decoded exactly as
// extract_audio decodes it (the very same samples); spans inside a run, or reached by a seek on
// the already open input, may sit a fraction of a sample apart (resampler phase, decoder warm-up),
// so they are compared through the signal (RMS of the difference well below that of the sine).
TEST(AudioReader, SpansInOnePassMatchSeparateExtraction) {
    vidseg::test::TempDir dir;
    const std::string input = fixture("h264_gop2.mp4").string();
    const std::vector<AudioSpan> spans = {{2.5, 4.0, (dir / "b.wav").string()},   // overlaps a
                                          {1.0, 3.0, (dir / "a.wav").string()},   // starts the first run
                                          {8.25, 9.5, (dir / "c.wav").string()},  // > kSpanSeekGap later: a seek
                                          {3.9, 4.3, (dir / "d.wav").string()}};  // inside the first run
    std::vector<size_t> written;
    extract_audio_spans(input, spans, {16000, 1}, [&](size_t i) {
        EXPECT_TRUE(std::filesystem::exists(spans[i].wav_path)) << i;
        written.push_back(i);
    });
    std::sort(written.begin(), written.end());
    EXPECT_EQ(written, (std::vector<size_t>{0, 1, 2, 3}));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 4);  // no temp files left
    for (size_t i = 0; i < spans.size(); ++i) {
        const auto& s = spans[i];
        const auto reference = (dir / ("ref" + std::to_string(i) + ".wav")).string();
        extract_audio(input, reference, {16000, 1}, s.start, s.end);
        const auto got = wav_samples(s.wav_path), want = wav_samples(reference);
        ASSERT_EQ(got.size(), static_cast<size_t>(std::llround((s.end - s.start) * 16000))) << s.wav_path;
        ASSERT_EQ(got.size(), want.size()) << s.wav_path;
        double diff = 0;
        for (size_t k = 0; k < got.size(); ++k) diff += (got[k] - want[k]) * (got[k] - want[k]);
        diff = std::sqrt(diff / got.size());
        EXPECT_GT(rms(want), 0.05) << s.wav_path;
        EXPECT_LT(diff, 0.1 * rms(want)) << s.wav_path;
        if (s.wav_path.ends_with("a.wav")) EXPECT_EQ(diff, 0.0) << s.wav_path;
    }
    // Bad spans are refused before anything is decoded or written.
    vidseg::test::TempDir empty;
    EXPECT_THROW(extract_audio_spans(input, {{1.0, 2.0, (empty / "x.wav").string()}, {3.0, 2.0, (empty / "y.wav").string()}},
                                     {16000, 1}),
                 Error);
    EXPECT_TRUE(std::filesystem::is_empty(empty.path()));
}

TEST(AudioReader, WavWriterClampsAndPatchesHeader) {
    vidseg::test::TempDir dir;
    {
        audio::WavWriter w((dir / "a.wav").string(), 16000, 1);
        const float samples[4] = {0.f, 1.5f, -2.f, 0.5f};
        w.write(samples, 4);
        w.close();
        EXPECT_EQ(w.frames_written(), 4u);
    }
    const std::string bytes = vidseg::test::read_text(dir / "a.wav");
    ASSERT_EQ(bytes.size(), 44u + 8u);
    int16_t v[4];
    std::memcpy(v, bytes.data() + 44, 8);
    EXPECT_EQ(v[0], 0);
    EXPECT_EQ(v[1], 32767);
    EXPECT_EQ(v[2], -32767);
    EXPECT_EQ(v[3], 16384);
    EXPECT_EQ(parse_wav(bytes).data_size, 8u);
}

TEST(AudioReader, ClearErrors) {
    auto code_of = [](auto&& fn, const char* needle) {
        try {
            fn();
        } catch (const Error& e) {
            if (needle) EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
            return e.code();
        }
        ADD_FAILURE() << "no error";
        return ErrorCode::Internal;
    };
    EXPECT_EQ(code_of([] { read_audio(fixture("video_only.mp4").string()); }, "has no audio stream"),
              ErrorCode::InvalidMedia);
    EXPECT_EQ(code_of([] { read_audio("/nonexistent/a.mp4"); }, "/nonexistent/a.mp4"), ErrorCode::InputNotFound);
    EXPECT_EQ(code_of([] { read_audio(fixture("h264_gop2.mp4").string(), {}, 5, 4); }, "end"), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { read_audio(fixture("h264_gop2.mp4").string(), {16000, 0}); }, "channels"),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { read_audio(fixture("h264_gop2.mp4").string(), {}, 20); }, "20.000"), ErrorCode::InvalidArgument);
    vidseg::test::TempDir dir;
    std::ofstream(dir / "file").put('x');
    const std::string bad = (dir / "file" / "out.wav").string();
    EXPECT_EQ(code_of([&] { extract_audio(fixture("h264_gop2.mp4").string(), bad); }, bad.c_str()), ErrorCode::OutputError);
}

TEST(AudioReader, AudioCommand) {
    vidseg::test::TempDir dir;
    const auto wav = dir / "sub" / "x.wav";
    auto r = vidseg::test::run_vidseg("audio '" + fixture("lesson.mp4").string() + "' --out '" + wav.string() +
                                      "' --start 2 --end 4 --rate 8000 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"frames\": 16000"), std::string::npos) << r.out;
    EXPECT_EQ(std::filesystem::file_size(wav), 44u + 32000u);
    r = vidseg::test::run_vidseg("audio '" + fixture("video_only.mp4").string() + "' --out '" + (dir / "y.wav").string() + "'");
    EXPECT_EQ(r.exit_code, 4);
    EXPECT_NE(r.err.find("has no audio stream"), std::string::npos) << r.err;
}

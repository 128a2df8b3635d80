// Waveform peaks (audio/waveform_peaks.hpp): a WAV written by WavWriter read back in one streamed
// pass; each peak equals the largest magnitude over its stretch of the samples, computed directly.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <random>

#include "support/test_support.hpp"
#include "vidseg/audio/waveform_peaks.hpp"
#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;
using vidseg::Error;
using vidseg::ErrorCode;
using vidseg::audio::WaveformPeakReader;

namespace {

// The samples as the WAV stores them (s16: rounded, clamped), read back as magnitudes / 32768.
std::vector<float> stored_magnitudes(const std::vector<float>& samples) {
    std::vector<float> out;
    for (float s : samples) {
        const float clamped = std::max(-1.0f, std::min(1.0f, s));
        const auto v = static_cast<std::int16_t>(std::lrint(clamped * 32767.0f));
        out.push_back(std::abs(float(v)) / 32768.0f);
    }
    return out;
}

// Bucket b: frames [b * frames / k, (b + 1) * frames / k), every channel.
std::vector<float> direct_peaks(const std::vector<float>& magnitudes, int channels, std::size_t count) {
    const std::size_t frames = magnitudes.size() / std::size_t(channels);
    const std::size_t k = std::min(count, frames);
    std::vector<float> out(k, 0.0f);
    for (std::size_t b = 0; b < k; ++b)
        for (std::size_t f = b * frames / k; f < (b + 1) * frames / k; ++f)
            for (int c = 0; c < channels; ++c) out[b] = std::max(out[b], magnitudes[f * std::size_t(channels) + std::size_t(c)]);
    return out;
}

std::vector<float> noise(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0, 0.3f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

std::string file_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST(WaveformPeaks, EqualTheLargestMagnitudeOfEachStretch) {
    vidseg::test::TempDir dir;
    for (int channels : {1, 2}) {
        auto samples = noise(16000 * 3 * std::size_t(channels) + 2 * std::size_t(channels), 7 + channels);
        samples[12345] = -1.0f;  // a full-scale sample somewhere
        const fs::path wav = dir.path() / ("s" + std::to_string(channels) + ".wav");
        {
            vidseg::audio::WavWriter writer(wav.string(), 16000, channels);
            writer.write(samples.data(), samples.size() / std::size_t(channels));
            writer.close();
        }
        const auto magnitudes = stored_magnitudes(samples);
        for (std::size_t count : {std::size_t(1), std::size_t(7), std::size_t(4000), std::size_t(100000)}) {
            const auto peaks = vidseg::audio::waveform_peaks(wav, count);
            EXPECT_EQ(peaks.sample_rate, 16000);
            EXPECT_EQ(peaks.channels, channels);
            EXPECT_EQ(peaks.frames, 48002u);
            EXPECT_DOUBLE_EQ(peaks.duration, 48002.0 / 16000);
            const auto expected = direct_peaks(magnitudes, channels, count);
            ASSERT_EQ(peaks.peaks.size(), expected.size()) << count;
            for (std::size_t b = 0; b < expected.size(); ++b) ASSERT_EQ(peaks.peaks[b], expected[b]) << "peak " << b << " of " << count;
        }
        EXPECT_EQ(vidseg::audio::waveform_peaks(wav, 1).peaks, std::vector<float>{32767.0f / 32768.0f});  // full scale
    }
}

TEST(WaveformPeaks, BytesInAnyPiecesGiveTheSamePeaks) {
    vidseg::test::TempDir dir;
    const auto samples = noise(5001, 3);
    const fs::path wav = dir.path() / "a.wav";
    {
        vidseg::audio::WavWriter writer(wav.string(), 8000, 1);
        writer.write(samples.data(), samples.size());
        writer.close();
    }
    const std::string bytes = file_bytes(wav);
    const auto whole = vidseg::audio::waveform_peaks(wav, 300).peaks;
    for (std::size_t piece : {std::size_t(1), std::size_t(3), std::size_t(7), std::size_t(4096)}) {
        WaveformPeakReader reader(300, "a.wav");
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            reader.feed(bytes.data() + at, std::min(piece, bytes.size() - at));
        EXPECT_EQ(reader.finish().peaks, whole) << piece;
    }
    EXPECT_EQ(whole, direct_peaks(stored_magnitudes(samples), 1, 300));
}

TEST(WaveformPeaks, ChunksBeforeTheDataAreSkippedAndBadFilesNamed) {
    vidseg::test::TempDir dir;
    const std::vector<float> samples = {0.5f, -0.25f, 0.125f, 0.0f};
    const fs::path wav = dir.path() / "b.wav";
    {
        vidseg::audio::WavWriter writer(wav.string(), 8000, 1);
        writer.write(samples.data(), samples.size());
        writer.close();
    }
    std::string bytes = file_bytes(wav);
    // A LIST chunk of odd size (with its pad byte) between fmt and data.
    const std::string list = std::string("LIST\x03\x00\x00\x00", 8) + "abc" + std::string(1, '\0');
    const auto data_at = bytes.find("data");
    std::string with_list = bytes.substr(0, data_at) + list + bytes.substr(data_at);
    WaveformPeakReader reader(2, "list.wav");
    reader.feed(with_list.data(), with_list.size());
    const auto peaks = reader.finish();
    EXPECT_EQ(peaks.peaks, (std::vector<float>{std::abs(float(std::lrint(0.5f * 32767))) / 32768.0f,
                                               std::abs(float(std::lrint(0.125f * 32767))) / 32768.0f}));

    WaveformPeakReader cut(2, "cut.wav");
    cut.feed(bytes.data(), bytes.size() - 3);
    try {
        cut.finish();
        FAIL() << "a cut file gave peaks";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidData);
        EXPECT_NE(std::string(e.what()).find("cut short (2 of 4 samples)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cut.wav"), std::string::npos) << e.what();
    }
    WaveformPeakReader text(2, "notes.txt");
    const std::string junk = "this is not a wav file at all";
    EXPECT_THROW(text.feed(junk.data(), junk.size()), Error);
    EXPECT_THROW(vidseg::audio::waveform_peaks(dir.path() / "missing.wav", 10), Error);
}

// Streaming WAV writer: PCM 16-bit little-endian, interleaved; the RIFF/data sizes are patched on close().
// Plain C++ (no FFmpeg). Float input is clamped to [-1, 1] and rounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace vidseg::audio {

class WavWriter {
public:
    // Creates/truncates path. Throws Error(OutputError) naming the path when it cannot be opened,
    // Error(InvalidArgument) for a bad rate (1..768000) or channel count (1..32).
    WavWriter(const std::string& path, int sample_rate, int channels);
    ~WavWriter();  // closes if still open (errors ignored; call close() to see them)
    WavWriter(const WavWriter&) = delete;
    WavWriter& operator=(const WavWriter&) = delete;

    // frames = samples per channel; samples holds frames * channels interleaved floats.
    void write(const float* samples, size_t frames);
    // Patches the header and closes the file. Throws Error(OutputError) on I/O failure (disk full).
    void close();

    size_t frames_written() const noexcept { return frames_; }
    int sample_rate() const noexcept { return rate_; }
    int channels() const noexcept { return channels_; }
    const std::string& path() const noexcept { return path_; }

private:
    struct FileCloser {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    std::string path_;
    int rate_;
    int channels_;
    size_t frames_ = 0;
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<int16_t> buffer_;
};

}  // namespace vidseg::audio

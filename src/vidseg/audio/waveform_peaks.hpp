// Peaks of a WAV file for drawing its waveform (the web UI's video page): the largest magnitude of
// each of `count` equal stretches of the samples, over every channel. Computed in one pass over the
// file's bytes as they arrive (from disk or streamed from the object store), in constant memory:
// the RIFF header is read as it comes, then each sample goes to its stretch, whose bounds follow
// from the data chunk's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vidseg::audio {

struct WaveformPeaks {
    int sample_rate = 0;
    int channels = 0;
    std::uint64_t frames = 0;   // samples per channel
    double duration = 0;        // frames / sample_rate
    std::vector<float> peaks;   // min(count, frames) values in [0, 1]
};

class WaveformPeakReader {
  public:
    // count: how many peaks (1..1'000'000). subject names the input in errors.
    WaveformPeakReader(std::size_t count, std::string subject);

    // The next bytes of the file, in any pieces. Throws Error(InvalidData) naming the subject for
    // what is not a RIFF/WAVE file of PCM 16-bit or float 32-bit samples.
    void feed(const char* data, std::size_t size);
    // The peaks; InvalidData when the header or the data chunk was cut short.
    WaveformPeaks finish();

  private:
    void header_byte(unsigned char byte);
    float magnitude(const unsigned char* sample) const;  // |x| in [0, 1]
    void sample(float magnitude);

    std::size_t count_;
    std::string subject_;
    // Header parsing: bytes of the current 8-byte chunk header or the fmt chunk, kept until whole.
    std::vector<unsigned char> pending_;
    enum class State { Riff, ChunkHeader, Fmt, Skip, Data, Done } state_ = State::Riff;
    std::uint64_t remaining_ = 0;  // bytes left in the chunk being read / skipped
    bool padded_ = false;          // odd-sized chunk: one pad byte follows it
    int format_ = 0, bits_ = 0;
    WaveformPeaks result_;
    // Data: the current sample's bytes, and the position over all samples.
    unsigned char sample_bytes_[4] = {};
    int sample_fill_ = 0;
    std::uint64_t sample_index_ = 0, total_samples_ = 0;
    std::size_t bucket_ = 0;
    std::uint64_t bucket_end_ = 0;  // first sample index of the next bucket
};

// The peaks of a WAV file on disk (InputNotFound when it cannot be opened).
WaveformPeaks waveform_peaks(const std::filesystem::path& wav, std::size_t count);

}  // namespace vidseg::audio

// Decoding + resampling (libswresample) of the first audio stream to interleaved float samples, and
// WAV extraction. Timestamps are seconds relative to the container start.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"

namespace vidseg::media {

struct AudioFormat {
    int sample_rate = 16000;  // 1000..384000
    int channels = 1;         // 1..8; down/up-mixed by swresample
    // Resampler filter length in taps per phase (0 = swresample's default, 32). Fingerprinting uses
    // Chromaprint's own choice (16, cutoff 0.8): half the resampling cost, same fingerprints' use.
    int resampler_filter_size = 0;
    double resampler_cutoff = 0;  // 0 = default (0.97)
};

// Samples of [start, end) seconds (end < 0 = to the end of the audio), interleaved float in [-1, 1].
// Sample i (per channel) is at time start + i / rate: if the audio begins after start, the gap is
// filled with silence. The span is clipped at the end of the audio.
// Throws Error: InputNotFound, InvalidMedia ("has no audio stream"), InvalidArgument (bad span/format).
std::vector<float> read_audio(const std::string& path, const AudioFormat& format = {}, double start = 0,
                              double end = -1);

// Streaming form (flat memory): sink(samples, frame_count, time_of_first_sample) with frame_count
// frames of format.channels interleaved samples; calls are contiguous in time.
void stream_audio(const std::string& path, const AudioFormat& format,
                  const std::function<void(const float*, size_t, double)>& sink, double start = 0, double end = -1,
                  Progress* progress = nullptr);

// Writes [start, end) as WAV PCM s16le (audio::WavWriter) atomically (temp file + rename).
// Throws additionally Error(OutputError) naming wav_path when it cannot be written.
void extract_audio(const std::string& input, const std::string& wav_path, const AudioFormat& format = {},
                   double start = 0, double end = -1, Progress* progress = nullptr);

}  // namespace vidseg::media

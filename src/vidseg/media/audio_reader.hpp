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

// Many WAVs of one input (a lesson's fragments) in ONE decode pass: each span gets exactly the
// frames extract_audio would write (llround((end - start) * rate) of them, clipped at the end of
// the audio), but the input is opened once, spans are visited in time order, overlapping or nearby
// ones (gap <= kSpanSeekGap) share one decoding run and far ones are reached by a seek. A span's
// first sample is at the nearest sample of the run's grid (< half a sample from its start). Every
// WAV is written atomically; on_written(index into spans) is called once it is in place.
// Throws what extract_audio throws (spans are validated before anything is decoded).
struct AudioSpan {
    double start = 0;
    double end = 0;
    std::string wav_path;
};
inline constexpr double kSpanSeekGap = 5.0;  // seconds of audio cheaper to decode than to seek over
void extract_audio_spans(const std::string& input, const std::vector<AudioSpan>& spans, const AudioFormat& format,
                         const std::function<void(size_t)>& on_written = {});

}  // namespace vidseg::media

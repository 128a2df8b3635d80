// PRIVATE to src/vidseg/media (FFmpeg types): the first audio stream of one opened input, decoded and
// resampled span by span. Opening a long MP4 parses its whole sample index (~0.1 s CPU for a 1-hour
// lesson), so callers that need many spans of one file (extract_audio_spans) keep one source open
// and seek between spans instead of opening the file per span.
#pragma once

#include <functional>
#include <limits>
#include <string>

#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

namespace vidseg::media {

class AudioSource {
public:
    // Throws Error: InputNotFound, InvalidMedia ("has no audio stream"), Unsupported (no decoder).
    explicit AudioSource(const std::string& path);
    ~AudioSource();
    AudioSource(const AudioSource&) = delete;
    AudioSource& operator=(const AudioSource&) = delete;

    double duration() const { return duration_; }  // container duration (0 when unknown)

    // `total` frames (kAll = to the end of the audio) starting at `start` seconds, as read_audio
    // defines them: sample i at start + i / rate, leading silence when the audio begins later,
    // clipped at the end of the audio. sink(samples, frames, index of the first frame); calls are
    // contiguous. Seeks (and resets the decoder) when called again. Throws InvalidArgument when
    // start is beyond the duration.
    static constexpr long long kAll = std::numeric_limits<long long>::max();
    void read(const AudioFormat& format, double start, long long total,
              const std::function<void(const float*, size_t, long long)>& sink, Progress* progress = nullptr);

private:
    std::string path_;
    InputFormatPtr fmt_;
    int index_ = -1;
    AVStream* st_ = nullptr;
    double cstart_ = 0, duration_ = 0;
    CodecContextPtr dec_;
    bool used_ = false;
};

}  // namespace vidseg::media

#include "vidseg/media/audio_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>

#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/audio_source.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace vidseg::media {

namespace {

std::string fmt_seconds(double s) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3f", s);
    return buf;
}

void validate(const AudioFormat& format, double start, double end) {
    if (format.sample_rate < 1000 || format.sample_rate > 384000)
        throw Error(ErrorCode::InvalidArgument,
                    "sample rate must be in 1000..384000 Hz, got " + std::to_string(format.sample_rate));
    if (format.channels < 1 || format.channels > 8)
        throw Error(ErrorCode::InvalidArgument, "channels must be in 1..8, got " + std::to_string(format.channels));
    if (!std::isfinite(start) || start < 0)
        throw Error(ErrorCode::InvalidArgument, "start must be >= 0 seconds, got " + fmt_seconds(start));
    if (end >= 0 && !(end > start))
        throw Error(ErrorCode::InvalidArgument,
                    "end (" + fmt_seconds(end) + " s) must be after start (" + fmt_seconds(start) + " s)");
}

}  // namespace

AudioSource::AudioSource(const std::string& path) : path_(path) {
    fmt_ = open_input(path);
    index_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index_ < 0) throw Error(ErrorCode::InvalidMedia, "has no audio stream", path);
    st_ = fmt_->streams[index_];
    for (unsigned i = 0; i < fmt_->nb_streams; ++i)
        if (static_cast<int>(i) != index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
    cstart_ = container_start(fmt_.get());
    duration_ = fmt_->duration > 0 ? fmt_->duration / static_cast<double>(AV_TIME_BASE) : 0;
    dec_ = open_decoder(st_, path, 1);
}

AudioSource::~AudioSource() = default;

void AudioSource::read(const AudioFormat& format, double start, long long total,
                       const std::function<void(const float*, size_t, long long)>& sink, Progress* progress) {
    if (duration_ > 0 && start >= duration_)
        throw Error(ErrorCode::InvalidArgument,
                    "start " + fmt_seconds(start) + " s is beyond the media duration " + fmt_seconds(duration_) + " s",
                    path_);
    const AVRational tb = st_->time_base;
    if (start > 0 || used_) {
        // Land a little before start so the decoder is warmed up; samples before start are dropped.
        const int64_t ts = from_seconds(std::max(0.0, start - 0.5) + cstart_, tb);
        if (start - 0.5 <= 0 || av_seek_frame(fmt_.get(), index_, ts, AVSEEK_FLAG_BACKWARD) < 0)
            av_seek_frame(fmt_.get(), index_, std::numeric_limits<int64_t>::min() / 2, AVSEEK_FLAG_BACKWARD);
        avcodec_flush_buffers(dec_.get());
    }
    used_ = true;

    const int rate = format.sample_rate;
    const int channels = format.channels;
    const double span = total == kAll ? duration_ - start
                            : std::min(static_cast<double>(total) / rate, duration_ > 0 ? duration_ - start : 1e300);

    AVChannelLayout out_layout;
    av_channel_layout_default(&out_layout, channels);
    SwrPtr swr;
    long long first_j = 0;   // output frame index (relative to start) of the first resampled sample
    long long produced = 0;  // resampled frames so far
    long long emitted = 0;   // frames handed to sink (= next output index)
    std::vector<float> out;
    std::vector<float> silence;
    if (progress) progress->begin("audio", span > 0 ? span : 0);

    auto emit = [&](const float* data, long long n) {
        // data holds output indices [first_j + produced, ... + n).
        long long a = first_j + produced;
        produced += n;
        if (a > emitted && emitted == 0) {  // audio starts after `start`: leading silence
            const long long pad = std::min(a, total);
            silence.assign(static_cast<size_t>(std::min<long long>(pad, 1 << 16)) * channels, 0.f);
            while (emitted < pad) {
                const long long k = std::min<long long>(pad - emitted, 1 << 16);
                sink(silence.data(), static_cast<size_t>(k), emitted);
                emitted += k;
            }
        }
        long long skip = std::max(0LL, emitted - a);
        if (skip >= n) return;
        a += skip;
        n -= skip;
        data += skip * channels;
        if (a >= total) return;
        n = std::min(n, total - a);
        sink(data, static_cast<size_t>(n), a);
        emitted = a + n;
        if (progress) progress->update(static_cast<double>(emitted) / rate);
    };

    FramePtr frame = make_frame();
    auto convert = [&](const AVFrame* f) {
        const int in_count = f ? f->nb_samples : 0;
        const int cap = swr_get_out_samples(swr.get(), in_count) + 32;
        out.resize(static_cast<size_t>(cap) * channels);
        uint8_t* out_planes[1] = {reinterpret_cast<uint8_t*>(out.data())};
        const int n = swr_convert(swr.get(), out_planes, cap, f ? const_cast<const uint8_t**>(f->extended_data) : nullptr,
                                  in_count);
        check_av(n, "cannot resample audio", path_, ErrorCode::Internal);
        if (n > 0) emit(out.data(), n);
        return n;
    };
    auto receive = [&]() {
        for (;;) {
            int ret = avcodec_receive_frame(dec_.get(), frame.get());
            if (ret < 0) return;  // EAGAIN, EOF or a broken frame
            if (!swr) {
                AVChannelLayout in_layout;
                if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame->ch_layout.nb_channels == 0)
                    av_channel_layout_default(&in_layout, std::max(1, frame->ch_layout.nb_channels));
                else
                    av_channel_layout_copy(&in_layout, &frame->ch_layout);
                SwrContext* raw = nullptr;
                ret = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, rate, &in_layout,
                                          static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0, nullptr);
                av_channel_layout_uninit(&in_layout);
                swr.reset(raw);
                check_av(ret, "cannot set up the audio resampler", path_, ErrorCode::Internal);
                if (format.resampler_filter_size > 0)
                    check_av(av_opt_set_int(raw, "filter_size", format.resampler_filter_size, 0),
                             "cannot set up the audio resampler", path_, ErrorCode::Internal);
                if (format.resampler_cutoff > 0)
                    check_av(av_opt_set_double(raw, "cutoff", format.resampler_cutoff, 0),
                             "cannot set up the audio resampler", path_, ErrorCode::Internal);
                check_av(swr_init(swr.get()), "cannot set up the audio resampler", path_, ErrorCode::Internal);
                const int64_t ts = frame_timestamp(frame.get());
                const double t0 = ts == AV_NOPTS_VALUE ? 0.0 : to_seconds(ts, tb) - cstart_;
                first_j = std::llround((t0 - start) * rate);
            }
            convert(frame.get());
            av_frame_unref(frame.get());
        }
    };
    feed_stream(fmt_.get(), index_, dec_.get(), receive, [&] { return emitted < total; });
    if (emitted < total) {
        avcodec_send_packet(dec_.get(), nullptr);
        receive();
        if (swr)
            while (emitted < total && convert(nullptr) > 0) {
            }
    }
    av_channel_layout_uninit(&out_layout);
    if (progress) progress->end();
}

void stream_audio(const std::string& path, const AudioFormat& format,
                  const std::function<void(const float*, size_t, double)>& sink, double start, double end,
                  Progress* progress) {
    validate(format, start, end);
    AudioSource source(path);
    const long long total = end < 0 ? AudioSource::kAll : std::llround((end - start) * format.sample_rate);
    const int rate = format.sample_rate;
    source.read(
        format, start, total,
        [&](const float* data, size_t frames, long long index) {
            sink(data, frames, start + static_cast<double>(index) / rate);
        },
        progress);
}

std::vector<float> read_audio(const std::string& path, const AudioFormat& format, double start, double end) {
    std::vector<float> samples;
    if (end > start && format.sample_rate > 0 && format.channels > 0 && end - start < 24 * 3600)
        samples.reserve(static_cast<size_t>((end - start) * format.sample_rate + 16) * format.channels);
    stream_audio(path, format, [&](const float* data, size_t frames, double) {
        samples.insert(samples.end(), data, data + frames * format.channels);
    }, start, end);
    return samples;
}

namespace {

// A WAV written under a temporary name next to its target and renamed into place by commit();
// removed again when it is dropped uncommitted (error, interruption).
class AtomicWav {
public:
    AtomicWav(const std::string& wav_path, const AudioFormat& format) : target_(wav_path) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (fs::is_directory(target_, ec)) throw Error(ErrorCode::OutputError, "is a directory", wav_path);
        const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
        fs::create_directories(dir, ec);
        if (ec) throw Error(ErrorCode::OutputError, "cannot create the output directory: " + ec.message(), wav_path);
        tmp_ = dir / ("." + target_.filename().string() + ".vidseg-tmp-" + std::to_string(::getpid()));
        try {
            wav_ = std::make_unique<audio::WavWriter>(tmp_.string(), format.sample_rate, format.channels);
        } catch (const Error& e) {
            throw Error(e.code(), e.cause(), wav_path);
        }
    }
    ~AtomicWav() {
        wav_.reset();
        if (!committed_) {
            std::error_code ignored;
            std::filesystem::remove(tmp_, ignored);
        }
    }
    AtomicWav(const AtomicWav&) = delete;
    AtomicWav& operator=(const AtomicWav&) = delete;

    void write(const float* samples, size_t frames) { wav_->write(samples, frames); }
    void commit() {
        wav_->close();
        std::error_code ec;
        std::filesystem::rename(tmp_, target_, ec);
        if (ec)
            throw Error(ErrorCode::OutputError, "cannot move the WAV file into place: " + ec.message(), target_.string());
        committed_ = true;
    }

private:
    std::filesystem::path target_, tmp_;
    std::unique_ptr<audio::WavWriter> wav_;
    bool committed_ = false;
};

}  // namespace

void extract_audio(const std::string& input, const std::string& wav_path, const AudioFormat& format, double start,
                   double end, Progress* progress) {
    validate(format, start, end);
    AtomicWav wav(wav_path, format);
    stream_audio(input, format, [&](const float* data, size_t frames, double) { wav.write(data, frames); }, start, end,
                 progress);
    wav.commit();
}

void extract_audio_spans(const std::string& input, const std::vector<AudioSpan>& spans, const AudioFormat& format,
                         const std::function<void(size_t)>& on_written) {
    for (const auto& s : spans) {
        validate(format, s.start, s.end);
        if (s.end < 0) throw Error(ErrorCode::InvalidArgument, "every span needs an end", s.wav_path);
    }
    if (spans.empty()) return;
    std::vector<size_t> order(spans.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return spans[a].start < spans[b].start; });
    AudioSource source(input);
    const int rate = format.sample_rate;
    const int channels = format.channels;

    for (size_t r = 0; r < order.size();) {
        // A run: spans that overlap or nearly touch, decoded in one pass from the first start.
        const double run_start = spans[order[r]].start;
        double run_end = spans[order[r]].end;
        size_t r_end = r + 1;
        while (r_end < order.size() && spans[order[r_end]].start <= run_end + kSpanSeekGap)
            run_end = std::max(run_end, spans[order[r_end++]].end);
        // Frame ranges relative to run_start; a lone span gets exactly what extract_audio writes.
        struct Member {
            size_t span;
            long long first, last;
            std::unique_ptr<AtomicWav> wav;
        };
        std::vector<Member> members;
        long long total = 0;
        for (size_t k = r; k < r_end; ++k) {
            const auto& s = spans[order[k]];
            const long long first = std::llround((s.start - run_start) * rate);
            const long long last = first + std::llround((s.end - s.start) * rate);
            members.push_back({order[k], first, last, nullptr});
            total = std::max(total, last);
        }
        size_t next_open = 0;
        auto finish = [&](Member& m) {
            if (!m.wav) m.wav = std::make_unique<AtomicWav>(spans[m.span].wav_path, format);
            m.wav->commit();
            m.wav.reset();
            m.first = m.last = -1;  // finished
            if (on_written) on_written(m.span);
        };
        source.read(format, run_start, total, [&](const float* data, size_t frames, long long index) {
            const long long chunk_end = index + static_cast<long long>(frames);
            while (next_open < members.size() && members[next_open].first < chunk_end) {
                Member& m = members[next_open++];
                m.wav = std::make_unique<AtomicWav>(spans[m.span].wav_path, format);
            }
            for (size_t k = 0; k < next_open; ++k) {
                Member& m = members[k];
                if (!m.wav) continue;
                const long long from = std::max(index, m.first), to = std::min(chunk_end, m.last);
                if (to > from) m.wav->write(data + (from - index) * channels, static_cast<size_t>(to - from));
                if (m.last <= chunk_end) finish(m);
            }
        });
        // Spans past the end of the audio keep what there was (extract_audio does the same).
        for (auto& m : members)
            if (m.first >= 0 || m.wav) finish(m);
        r = r_end;
    }
}

}  // namespace vidseg::media

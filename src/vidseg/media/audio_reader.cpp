#include "vidseg/media/audio_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
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

void stream_audio(const std::string& path, const AudioFormat& format,
                  const std::function<void(const float*, size_t, double)>& sink, double start, double end,
                  Progress* progress) {
    validate(format, start, end);
    InputFormatPtr fmt = open_input(path);
    int index = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (index < 0) throw Error(ErrorCode::InvalidMedia, "has no audio stream", path);
    AVStream* st = fmt->streams[index];
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (static_cast<int>(i) != index) fmt->streams[i]->discard = AVDISCARD_ALL;
    const AVRational tb = st->time_base;
    const double cstart = container_start(fmt.get());
    const double duration = fmt->duration > 0 ? fmt->duration / static_cast<double>(AV_TIME_BASE) : 0;
    if (duration > 0 && start >= duration)
        throw Error(ErrorCode::InvalidArgument,
                    "start " + fmt_seconds(start) + " s is beyond the media duration " + fmt_seconds(duration) + " s",
                    path);
    CodecContextPtr dec = open_decoder(st, path, 1);
    if (start > 0) {
        // Land a little before start so the decoder is warmed up; samples before start are dropped.
        const int64_t ts = from_seconds(std::max(0.0, start - 0.5) + cstart, tb);
        if (av_seek_frame(fmt.get(), index, ts, AVSEEK_FLAG_BACKWARD) < 0)
            av_seek_frame(fmt.get(), index, std::numeric_limits<int64_t>::min() / 2, AVSEEK_FLAG_BACKWARD);
    }

    const int rate = format.sample_rate;
    const int channels = format.channels;
    const long long total = end < 0 ? std::numeric_limits<long long>::max()
                                    : std::llround((end - start) * rate);  // frames wanted
    const double span = (end < 0 ? duration : std::min(end, duration > 0 ? duration : end)) - start;

    AVChannelLayout out_layout;
    av_channel_layout_default(&out_layout, channels);
    SwrPtr swr;
    bool have_first = false;
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
                sink(silence.data(), static_cast<size_t>(k), start + static_cast<double>(emitted) / rate);
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
        sink(data, static_cast<size_t>(n), start + static_cast<double>(a) / rate);
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
        check_av(n, "cannot resample audio", path, ErrorCode::Internal);
        if (n > 0) emit(out.data(), n);
        return n;
    };
    auto receive = [&]() {
        for (;;) {
            int ret = avcodec_receive_frame(dec.get(), frame.get());
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
                check_av(ret, "cannot set up the audio resampler", path, ErrorCode::Internal);
                if (format.resampler_filter_size > 0)
                    check_av(av_opt_set_int(raw, "filter_size", format.resampler_filter_size, 0),
                             "cannot set up the audio resampler", path, ErrorCode::Internal);
                if (format.resampler_cutoff > 0)
                    check_av(av_opt_set_double(raw, "cutoff", format.resampler_cutoff, 0),
                             "cannot set up the audio resampler", path, ErrorCode::Internal);
                check_av(swr_init(swr.get()), "cannot set up the audio resampler", path, ErrorCode::Internal);
                const int64_t ts = frame_timestamp(frame.get());
                const double t0 = ts == AV_NOPTS_VALUE ? 0.0 : to_seconds(ts, tb) - cstart;
                first_j = std::llround((t0 - start) * rate);
                have_first = true;
            }
            convert(frame.get());
            av_frame_unref(frame.get());
        }
    };
    feed_stream(fmt.get(), index, dec.get(), receive, [&] { return emitted < total; });
    if (emitted < total) {
        avcodec_send_packet(dec.get(), nullptr);
        receive();
        if (swr)
            while (emitted < total && convert(nullptr) > 0) {
            }
    }
    (void)have_first;
    av_channel_layout_uninit(&out_layout);
    if (progress) progress->end();
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

void extract_audio(const std::string& input, const std::string& wav_path, const AudioFormat& format, double start,
                   double end, Progress* progress) {
    namespace fs = std::filesystem;
    validate(format, start, end);
    const fs::path target(wav_path);
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw Error(ErrorCode::OutputError, "is a directory", wav_path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    fs::create_directories(dir, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot create the output directory: " + ec.message(), wav_path);
    const fs::path tmp = dir / ("." + target.filename().string() + ".vidseg-tmp-" + std::to_string(::getpid()));
    struct TempGuard {
        fs::path path;
        bool keep = false;
        ~TempGuard() {
            if (!keep) {
                std::error_code ignored;
                fs::remove(path, ignored);
            }
        }
    } guard{tmp};
    {
        audio::WavWriter wav = [&]() -> audio::WavWriter {
            try {
                return audio::WavWriter(tmp.string(), format.sample_rate, format.channels);
            } catch (const Error& e) {
                throw Error(e.code(), e.cause(), wav_path);
            }
        }();
        stream_audio(input, format, [&](const float* data, size_t frames, double) { wav.write(data, frames); }, start,
                     end, progress);
        wav.close();
    }
    fs::rename(tmp, target, ec);
    if (ec) throw Error(ErrorCode::OutputError, "cannot move the WAV file into place: " + ec.message(), wav_path);
    guard.keep = true;
}

}  // namespace vidseg::media

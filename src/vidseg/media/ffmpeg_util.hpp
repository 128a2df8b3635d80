// RAII owners for FFmpeg handles and error translation. PRIVATE to src/vidseg/media:
// no public header includes this file, so FFmpeg types never leak out of the media layer.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avutil.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <functional>
#include <memory>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::media {

struct InputFormatDeleter {
    void operator()(AVFormatContext* p) const noexcept { avformat_close_input(&p); }
};
struct OutputFormatDeleter {
    void operator()(AVFormatContext* p) const noexcept {
        if (!p) return;
        if (p->pb && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
        avformat_free_context(p);
    }
};
struct CodecContextDeleter {
    void operator()(AVCodecContext* p) const noexcept { avcodec_free_context(&p); }
};
struct FrameDeleter {
    void operator()(AVFrame* p) const noexcept { av_frame_free(&p); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct SwsDeleter {
    void operator()(SwsContext* p) const noexcept { sws_freeContext(p); }
};
struct SwrDeleter {
    void operator()(SwrContext* p) const noexcept { swr_free(&p); }
};
struct AudioFifoDeleter {
    void operator()(AVAudioFifo* p) const noexcept { av_audio_fifo_free(p); }
};

using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;
using AudioFifoPtr = std::unique_ptr<AVAudioFifo, AudioFifoDeleter>;

FramePtr make_frame();
PacketPtr make_packet();

std::string av_error_string(int errnum);

// Throws Error(code, what + ": " + av error text, subject) when ret < 0; returns ret otherwise.
int check_av(int ret, const char* what, const std::string& subject, ErrorCode code = ErrorCode::InvalidMedia);

// Silences FFmpeg logging unless VIDSEG_FFMPEG_LOG is set; called by open_input and encoders.
void quiet_ffmpeg_logs();

// Opens an input file for demuxing with stream info; errors name the file and the cause
// (missing file -> InputNotFound, unreadable/not media -> InvalidMedia).
InputFormatPtr open_input(const std::string& path);

// Opens a decoder for the given stream. threads: 0 = auto.
CodecContextPtr open_decoder(const AVStream* stream, const std::string& subject, int threads = 0);

// Reads the packets of one stream and sends them to its decoder until the input ends or keep_going()
// returns false, calling drain() after each packet to collect decoded frames. Corrupt packets are
// dropped (the decoder resynchronises); cancellation is checked every few dozen packets. Does not flush.
void feed_stream(AVFormatContext* fmt, int stream_index, AVCodecContext* dec, const std::function<void()>& drain,
                 const std::function<bool()>& keep_going = {});

// Seconds <-> stream time base helpers.
inline double to_seconds(int64_t ts, AVRational tb) { return ts == AV_NOPTS_VALUE ? 0.0 : ts * av_q2d(tb); }
inline int64_t from_seconds(double s, AVRational tb) {
    return static_cast<int64_t>(s / av_q2d(tb) + (s >= 0 ? 0.5 : -0.5));
}
// Start time of the container in seconds (0 when unknown).
double container_start(const AVFormatContext* fmt);

// Best effort frame timestamp: best_effort_timestamp, else pts.
int64_t frame_timestamp(const AVFrame* frame);

namespace detail {
// For readers that seek or place frames in time: a container whose timestamps may jump (MPEG-TS, ...) or
// be missing (raw .h264 / .hevc) is probed (a packet scan) and refused when they do (probe.hpp:
// require_timestamps, require_continuous_timestamps). Other containers cost nothing.
void require_one_timeline(const AVFormatContext* fmt, const std::string& path);
// A raw elementary video stream (h264, hevc, mpegvideo, ... demuxers): packets carry no timestamps.
bool is_raw_elementary_stream(const AVFormatContext* fmt);
}  // namespace detail

// Rotation (degrees clockwise to apply for display, 0/90/180/270) from the display matrix.
int stream_rotation(const AVStream* stream);

}  // namespace vidseg::media

#include "vidseg/media/ffmpeg_util.hpp"

extern "C" {
#include <libavutil/display.h>
}

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/input_limits.hpp"

namespace vidseg::media {

FramePtr make_frame() {
    FramePtr f(av_frame_alloc());
    if (!f) throw Error(ErrorCode::Internal, "out of memory (av_frame_alloc)");
    return f;
}

PacketPtr make_packet() {
    PacketPtr p(av_packet_alloc());
    if (!p) throw Error(ErrorCode::Internal, "out of memory (av_packet_alloc)");
    return p;
}

std::string av_error_string(int errnum) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(errnum, buf, sizeof(buf));
    return buf;
}

int check_av(int ret, const char* what, const std::string& subject, ErrorCode code) {
    if (ret < 0) {
        if (ret == AVERROR(ENOSPC)) code = ErrorCode::OutputError;
        throw Error(code, std::string(what) + ": " + av_error_string(ret), subject);
    }
    return ret;
}

void quiet_ffmpeg_logs() {
    // FFmpeg's own log lines would duplicate our errors; VIDSEG_FFMPEG_LOG=info|warning|debug shows them.
    static const bool once = [] {
        const char* level = std::getenv("VIDSEG_FFMPEG_LOG");
        int l = AV_LOG_QUIET;
        if (level) {
            std::string v = level;
            l = v == "debug" ? AV_LOG_DEBUG : v == "info" ? AV_LOG_INFO : v == "warning" ? AV_LOG_WARNING : AV_LOG_ERROR;
        }
        av_log_set_level(l);
        return true;
    }();
    (void)once;
}

namespace {

// Error(Unsupported) naming the limit when a video stream's picture is larger than kMaxVideoPixels.
void check_picture_sizes(const AVFormatContext* fmt, const std::string& path) {
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVCodecParameters* par = fmt->streams[i]->codecpar;
        if (par->codec_type != AVMEDIA_TYPE_VIDEO || par->width <= 0 || par->height <= 0) continue;
        check_limit(kMaxVideoPixels, static_cast<uint64_t>(par->width) * static_cast<uint64_t>(par->height),
                    path,
                    "the picture of stream #" + std::to_string(i) + " (" + std::to_string(par->width) + "x" +
                        std::to_string(par->height) + ")");
    }
}

}  // namespace

InputFormatPtr open_input(const std::string& path) {
    namespace fs = std::filesystem;
    quiet_ffmpeg_logs();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "no such file", path);
    if (fs::is_directory(path, ec)) throw Error(ErrorCode::InvalidMedia, "is a directory, not a media file", path);
    if (fs::file_size(path, ec) == 0) throw Error(ErrorCode::InvalidMedia, "file is empty", path);
    AVFormatContext* raw = nullptr;
    int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (ret == AVERROR(EACCES)) throw Error(ErrorCode::InputNotFound, "permission denied", path);
    if (ret < 0)
        throw Error(ErrorCode::InvalidMedia,
                    "not a readable media file (" + av_error_string(ret) + ")", path);
    InputFormatPtr fmt(raw);
    // Containers with a header (MP4, Matroska) state the picture size before a frame is decoded: refuse an
    // absurd one before avformat_find_stream_info decodes frames of that size.
    check_picture_sizes(fmt.get(), path);
    // FFmpeg's WAV demuxer asks for PCM packets to be probed for MP3 / AC-3 / DTS carried inside, and
    // avformat_find_stream_info then runs every demuxer's probe over up to `probesize` (5 MB) of
    // samples: ~4 ms per open of a WAV, twice per feature pass. 32 KiB is 16 times what format
    // probing itself starts with, plenty to recognise a compressed stream's headers.
    if (std::strcmp(fmt->iformat->name, "wav") == 0) fmt->probesize = 32768;
    // Its probing decoders are held to the same limit (a raw stream's first frame would be decoded whole).
    std::vector<AVDictionary*> decoder_options(fmt->nb_streams, nullptr);
    const std::string max_pixels = std::to_string(limit_value(kMaxVideoPixels));
    for (auto& o : decoder_options) av_dict_set(&o, "max_pixels", max_pixels.c_str(), 0);
    ret = avformat_find_stream_info(fmt.get(), decoder_options.empty() ? nullptr : decoder_options.data());
    for (auto& o : decoder_options) av_dict_free(&o);
    if (ret < 0)
        throw Error(ErrorCode::InvalidMedia, "cannot read stream information (" + av_error_string(ret) + ")",
                    path);
    check_picture_sizes(fmt.get(), path);  // raw streams (H.264 Annex B, MPEG-TS) only state it now
    return fmt;
}

CodecContextPtr open_decoder(const AVStream* stream, const std::string& subject, int threads) {
    const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!codec)
        throw Error(ErrorCode::Unsupported,
                    std::string("no decoder for codec ") + avcodec_get_name(stream->codecpar->codec_id), subject);
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw Error(ErrorCode::Internal, "out of memory (avcodec_alloc_context3)");
    check_av(avcodec_parameters_to_context(ctx.get(), stream->codecpar), "decoder parameters", subject);
    ctx->pkt_timebase = stream->time_base;
    ctx->thread_count = threads;
    // A stream may switch to a larger picture mid-way (a new SPS): the decoder refuses frames over the limit.
    if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
        ctx->max_pixels = static_cast<int64_t>(std::min<uint64_t>(limit_value(kMaxVideoPixels), INT64_MAX));
    if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    check_av(avcodec_open2(ctx.get(), codec, nullptr), "cannot open decoder", subject);
    return ctx;
}

void feed_stream(AVFormatContext* fmt, int stream_index, AVCodecContext* dec, const std::function<void()>& drain,
                 const std::function<bool()>& keep_going) {
    PacketPtr pkt = make_packet();
    int count = 0;
    while (!keep_going || keep_going()) {
        if (av_read_frame(fmt, pkt.get()) < 0) break;
        if ((++count & 31) == 0) throw_if_cancelled();
        const bool ours = pkt->stream_index == stream_index;
        if (ours) avcodec_send_packet(dec, pkt.get());  // corrupt packets are dropped
        av_packet_unref(pkt.get());
        if (ours) drain();
    }
}

double container_start(const AVFormatContext* fmt) {
    return fmt->start_time == AV_NOPTS_VALUE ? 0.0 : fmt->start_time / static_cast<double>(AV_TIME_BASE);
}

int64_t frame_timestamp(const AVFrame* frame) {
    return frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp : frame->pts;
}

int stream_rotation(const AVStream* stream) {
    const uint8_t* matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
    if (!matrix) return 0;
    double theta = -av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
    if (std::isnan(theta)) return 0;
    theta -= 360 * std::floor(theta / 360 + 0.9 / 360);
    int deg = static_cast<int>(std::lround(theta / 90.0)) * 90 % 360;
    return deg < 0 ? deg + 360 : deg;
}

}  // namespace vidseg::media

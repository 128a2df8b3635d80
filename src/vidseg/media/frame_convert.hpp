// PRIVATE to src/vidseg/media (includes FFmpeg): decoded AVFrame -> packed Image (swscale + rotation),
// and the video-stream helpers shared by FrameReader and scan_video.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "vidseg/media/ffmpeg_util.hpp"
#include "vidseg/media/image.hpp"

namespace vidseg::media::detail {

// First real video stream (cover art excluded) or throws InvalidMedia "has no video stream".
inline int find_video_stream(const AVFormatContext* fmt, const std::string& path) {
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream* st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return static_cast<int>(i);
    }
    throw Error(ErrorCode::InvalidMedia, "has no video stream", path);
}

// Output size (after rotation) fitting in max_w x max_h (0 = unbounded) keeping the aspect; never upscales.
inline std::pair<int, int> fit_size(int display_w, int display_h, int max_w, int max_h) {
    double scale = 1.0;
    if (max_w > 0 && display_w > max_w) scale = std::min(scale, static_cast<double>(max_w) / display_w);
    if (max_h > 0 && display_h > max_h) scale = std::min(scale, static_cast<double>(max_h) / display_h);
    if (scale >= 1.0) return {display_w, display_h};
    int w = std::max(1, static_cast<int>(std::lround(display_w * scale)));
    int h = std::max(1, static_cast<int>(std::lround(display_h * scale)));
    return {w, h};
}

// Output size of a video stream shown with `rotation` (0/90/180/270), fitted as fit_size does;
// throws InvalidMedia when the stream has no picture size.
inline std::pair<int, int> display_fit(const AVStream* st, int rotation, int max_w, int max_h, const std::string& path) {
    const int w = st->codecpar->width, h = st->codecpar->height;
    if (w <= 0 || h <= 0) throw Error(ErrorCode::InvalidMedia, "video stream has no picture size", path);
    const bool swap = rotation == 90 || rotation == 270;
    return fit_size(swap ? h : w, swap ? w : h, max_w, max_h);
}

// A demuxer reading only the first video stream (every other stream discarded, so no packet of
// theirs is read into memory), for the one-pass decoders (sampler, scanner).
struct VideoOnlyInput {
    InputFormatPtr fmt;
    int index = -1;
    AVStream* stream = nullptr;
    double start = 0;     // container start time, seconds
    double duration = 0;  // container duration, seconds (0 when unknown)
};
inline VideoOnlyInput open_video_only(const std::string& path) {
    VideoOnlyInput in;
    in.fmt = open_input(path);
    in.index = find_video_stream(in.fmt.get(), path);
    require_one_timeline(in.fmt.get(), path);
    in.stream = in.fmt->streams[in.index];
    for (unsigned i = 0; i < in.fmt->nb_streams; ++i)
        if (static_cast<int>(i) != in.index) in.fmt->streams[i]->discard = AVDISCARD_ALL;
    in.start = container_start(in.fmt.get());
    in.duration = in.fmt->duration > 0 ? in.fmt->duration / static_cast<double>(AV_TIME_BASE) : 0;
    return in;
}

// For statistics and hashes of small downscaled frames: non-reference frames and the deblocking filter
// are skipped (~25% less decoding); a dropped frame only makes its neighbour stand in for it.
inline void skip_for_thumbnails(AVCodecContext* dec) {
    dec->skip_frame = AVDISCARD_NONREF;
    dec->skip_loop_filter = AVDISCARD_ALL;
}

inline void rotate_packed(const std::vector<uint8_t>& src, int w, int h, int ch, int rotation, Image& out) {
    const bool swap = rotation == 90 || rotation == 270;
    out.width = swap ? h : w;
    out.height = swap ? w : h;
    out.pixels.resize(static_cast<size_t>(w) * h * ch);
    const int ow = out.width;
    for (int y = 0; y < out.height; ++y) {
        uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * ow * ch;
        for (int x = 0; x < ow; ++x) {
            int sx, sy;
            if (rotation == 90) {  // clockwise
                sx = y;
                sy = h - 1 - x;
            } else if (rotation == 180) {
                sx = w - 1 - x;
                sy = h - 1 - y;
            } else {  // 270 clockwise
                sx = w - 1 - y;
                sy = x;
            }
            std::memcpy(dst + static_cast<size_t>(x) * ch, src.data() + (static_cast<size_t>(sy) * w + sx) * ch, ch);
        }
    }
}

// Converts decoded frames with one cached swscale context (conversion and scaling in one step).
class FrameConverter {
public:
    // display_w x display_h: wanted output size after rotation.
    Image convert(const AVFrame* frame, int display_w, int display_h, PixelLayout layout, int rotation,
                  double time, int sws_flags = SWS_BICUBIC) {
        Image out;
        convert(frame, display_w, display_h, layout, rotation, time, out, sws_flags);
        return out;
    }

    // Converts into `out`, reusing its pixel buffer when it is large enough.
    void convert(const AVFrame* frame, int display_w, int display_h, PixelLayout layout, int rotation, double time,
                 Image& out, int sws_flags = SWS_BICUBIC) {
        const bool swap = rotation == 90 || rotation == 270;
        const int w = swap ? display_h : display_w;  // size before rotation
        const int h = swap ? display_w : display_h;
        const AVPixelFormat dst_fmt = layout == PixelLayout::Rgb24 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8;
        const auto src_fmt = static_cast<AVPixelFormat>(frame->format);
        SwsContext* ctx = sws_getCachedContext(sws_.release(), frame->width, frame->height, src_fmt, w, h, dst_fmt,
                                               sws_flags, nullptr, nullptr, nullptr);
        sws_.reset(ctx);
        if (!ctx) throw Error(ErrorCode::Unsupported, std::string("cannot convert pixel format ") +
                                                          (av_get_pix_fmt_name(src_fmt) ? av_get_pix_fmt_name(src_fmt) : "?"));
        const int cs = frame->colorspace;
        const int range = frame->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
        if (ctx != last_ctx_ || cs != last_cs_ || range != last_range_) {
            const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(src_fmt);
            if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
                int* inv = nullptr;
                int* tbl = nullptr;
                int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
                if (sws_getColorspaceDetails(ctx, &inv, &src_range, &tbl, &dst_range, &brightness, &contrast,
                                             &saturation) >= 0) {
                    const int* coeffs = sws_getCoefficients(cs);
                    sws_setColorspaceDetails(ctx, coeffs, range || src_range, coeffs, 1, brightness, contrast,
                                             saturation);
                }
            }
            last_ctx_ = ctx;
            last_cs_ = cs;
            last_range_ = range;
        }
        const int ch = layout == PixelLayout::Rgb24 ? 3 : 1;
        out.layout = layout;
        out.time = time;
        std::vector<uint8_t>& target = rotation ? buffer_ : out.pixels;
        target.resize(static_cast<size_t>(w) * h * ch);
        uint8_t* dst_data[4] = {target.data(), nullptr, nullptr, nullptr};
        int dst_stride[4] = {w * ch, 0, 0, 0};
        sws_scale(ctx, frame->data, frame->linesize, 0, frame->height, dst_data, dst_stride);
        if (rotation) {
            rotate_packed(buffer_, w, h, ch, rotation, out);
        } else {
            out.width = w;
            out.height = h;
        }
    }

private:
    SwsPtr sws_;
    const SwsContext* last_ctx_ = nullptr;
    int last_cs_ = -1;
    int last_range_ = -1;
    std::vector<uint8_t> buffer_;
};

}  // namespace vidseg::media::detail

#include "vidseg/media/encoder.hpp"

#include <algorithm>
#include <cmath>

namespace vidseg::media {

bool video_encoder_accepts(const std::string& codec, AVPixelFormat pix_fmt) {
    const AVCodec* c = avcodec_find_encoder_by_name(codec.c_str());
    if (!c) return false;
    if (!c->pix_fmts) return true;
    for (const AVPixelFormat* p = c->pix_fmts; *p != AV_PIX_FMT_NONE; ++p)
        if (*p == pix_fmt) return true;
    return false;
}

CodecContextPtr open_video_encoder(const VideoEncoderConfig& cfg, const std::string& subject) {
    quiet_ffmpeg_logs();
    const AVCodec* codec = avcodec_find_encoder_by_name(cfg.codec.c_str());
    if (!codec) throw Error(ErrorCode::Unsupported, "FFmpeg has no " + cfg.codec + " encoder", subject);
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw Error(ErrorCode::Internal, "out of memory (avcodec_alloc_context3)");
    ctx->width = cfg.width;
    ctx->height = cfg.height;
    ctx->pix_fmt = cfg.pix_fmt;
    ctx->time_base = cfg.time_base;
    ctx->framerate = cfg.frame_rate;
    ctx->sample_aspect_ratio = cfg.sample_aspect_ratio;
    ctx->color_range = cfg.color_range;
    ctx->colorspace = cfg.colorspace;
    ctx->color_primaries = cfg.color_primaries;
    ctx->color_trc = cfg.color_trc;
    ctx->max_b_frames = 0;
    ctx->thread_count = 0;
    // Keyframe every ~2 s so fully re-encoded clips stay seekable.
    const double fps = cfg.frame_rate.num > 0 && cfg.frame_rate.den > 0 ? av_q2d(cfg.frame_rate) : 25.0;
    ctx->gop_size = std::max(1, static_cast<int>(std::lround(2 * fps)));
    if (cfg.global_header) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (cfg.codec == "libx264") {
        av_opt_set(ctx->priv_data, "preset", cfg.preset.c_str(), 0);
        av_opt_set_double(ctx->priv_data, "crf", cfg.crf, 0);
        // Re-encoded parts are short (a partial GOP), and a head and a tail encoder can be alive at
        // once: without lookahead and with sliced threads x264 holds a few frames instead of ~40
        // (at 1080p that is ~60 MB instead of ~200 MB per encoder), and loses little quality here.
        av_opt_set(ctx->priv_data, "x264-params", "rc-lookahead=0:sliced-threads=1:sync-lookahead=0", 0);
        ctx->thread_count = 2;
    } else if (cfg.codec == "libvpx-vp9") {
        ctx->bit_rate = 0;
        av_opt_set_int(ctx->priv_data, "crf", cfg.crf, 0);
        av_opt_set(ctx->priv_data, "deadline", "good", 0);
        av_opt_set_int(ctx->priv_data, "cpu-used", 5, 0);
        av_opt_set_int(ctx->priv_data, "row-mt", 1, 0);
    }
    int ret = avcodec_open2(ctx.get(), codec, nullptr);
    if (ret < 0)
        throw Error(ErrorCode::InvalidArgument,
                    "cannot open the " + cfg.codec + " encoder (check --crf/--preset): " + av_error_string(ret),
                    subject);
    return ctx;
}

CodecContextPtr open_audio_encoder(const std::string& name, const AVChannelLayout& layout_in, int sample_rate,
                                   bool global_header, const std::string& subject) {
    quiet_ffmpeg_logs();
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    if (!codec) throw Error(ErrorCode::Unsupported, "FFmpeg has no " + name + " encoder", subject);
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw Error(ErrorCode::Internal, "out of memory (avcodec_alloc_context3)");
    int channels = std::max(1, layout_in.nb_channels);
    const bool opus = name == "libopus";
    if (opus) {
        channels = std::min(channels, 2);
        sample_rate = 48000;
    }
    av_channel_layout_default(&ctx->ch_layout, channels);
    ctx->sample_rate = sample_rate;
    ctx->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    ctx->bit_rate = std::min<int64_t>(64000LL * channels, 320000);
    ctx->time_base = AVRational{1, sample_rate};
    if (global_header) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    check_av(avcodec_open2(ctx.get(), codec, nullptr), ("cannot open the " + name + " encoder").c_str(), subject,
             ErrorCode::Unsupported);
    return ctx;
}

}  // namespace vidseg::media

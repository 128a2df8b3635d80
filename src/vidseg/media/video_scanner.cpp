#include "vidseg/media/video_scanner.hpp"

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/ffmpeg_util.hpp"
#include "vidseg/media/frame_convert.hpp"

namespace vidseg::media {

void scan_video(const std::string& path, const ScanOptions& options, const std::function<void(const Image&)>& sink,
                Progress* progress) {
    if (options.width < 0) throw Error(ErrorCode::InvalidArgument, "scan width must be >= 0");
    if (options.max_fps < 0) throw Error(ErrorCode::InvalidArgument, "scan max_fps must be >= 0");
    InputFormatPtr fmt = open_input(path);
    const int index = detail::find_video_stream(fmt.get(), path);
    AVStream* st = fmt->streams[index];
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (static_cast<int>(i) != index) fmt->streams[i]->discard = AVDISCARD_ALL;
    const AVRational tb = st->time_base;
    const double start = container_start(fmt.get());
    // Two threads, not FFmpeg's cores+1: each frame thread holds its own set of reference frames,
    // and the scan runs beside the cutter in `prepare`.
    CodecContextPtr dec = open_decoder(st, path, 2);
    if (options.skip_nonref) {
        dec->skip_frame = AVDISCARD_NONREF;
        // The scan feeds statistics of small downscaled frames (brightness, histograms, scene cuts):
        // skipping the deblocking filter saves ~25% of decoding and changes none of them noticeably.
        dec->skip_loop_filter = AVDISCARD_ALL;
    }
    const int rotation = options.apply_rotation ? stream_rotation(st) : 0;
    const bool swap = rotation == 90 || rotation == 270;
    const int w = st->codecpar->width, h = st->codecpar->height;
    if (w <= 0 || h <= 0) throw Error(ErrorCode::InvalidMedia, "video stream has no picture size", path);
    const int dw = swap ? h : w, dh = swap ? w : h;
    auto [ow, oh] = detail::fit_size(dw, dh, options.width, 0);
    const double duration = fmt->duration > 0 ? fmt->duration / static_cast<double>(AV_TIME_BASE) : 0;

    detail::FrameConverter converter;
    FramePtr frame = make_frame();
    const double min_gap = options.max_fps > 0 ? 1.0 / options.max_fps : 0;
    double next_emit = -1e300;
    if (progress) progress->begin("scanning video", duration);
    auto drain = [&]() {
        for (;;) {
            int ret = avcodec_receive_frame(dec.get(), frame.get());
            if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
            if (ret < 0) return;
            const double t = to_seconds(frame_timestamp(frame.get()), tb) - start;
            if (t + 1e-6 >= next_emit) {
                next_emit = t + min_gap;
                Image image = converter.convert(frame.get(), ow, oh, options.layout, rotation, t, SWS_BILINEAR);
                sink(image);
                if (progress) progress->update(t);
            }
            av_frame_unref(frame.get());
        }
    };
    feed_stream(fmt.get(), index, dec.get(), drain);
    avcodec_send_packet(dec.get(), nullptr);
    drain();
    if (progress) progress->end();
}

}  // namespace vidseg::media

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
    detail::VideoOnlyInput in = detail::open_video_only(path);
    AVFormatContext* fmt = in.fmt.get();
    const int index = in.index;
    AVStream* st = in.stream;
    const AVRational tb = st->time_base;
    const double start = in.start;
    // Two threads, not FFmpeg's cores+1: each frame thread holds its own set of reference frames,
    // and the scan runs beside the cutter in `prepare`.
    CodecContextPtr dec = open_decoder(st, path, 2);
    if (options.skip_nonref) detail::skip_for_thumbnails(dec.get());
    const int rotation = options.apply_rotation ? stream_rotation(st) : 0;
    // Plain variables, not a structured binding: lambdas below capture them (clang < 16 refuses to).
    const auto [fit_w, fit_h] = detail::display_fit(st, rotation, options.width, 0, path);
    const int ow = fit_w, oh = fit_h;
    const double duration = in.duration;

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
    feed_stream(fmt, index, dec.get(), drain);
    avcodec_send_packet(dec.get(), nullptr);
    drain();
    if (progress) progress->end();
}

}  // namespace vidseg::media

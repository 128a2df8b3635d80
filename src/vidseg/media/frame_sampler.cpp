#include "vidseg/media/frame_sampler.hpp"

#include <cmath>

#include "vidseg/core/error.hpp"
#include "vidseg/media/ffmpeg_util.hpp"
#include "vidseg/media/frame_convert.hpp"

namespace vidseg::media {

double sample_frames(const std::string& path, const FrameSampleOptions& options,
                     const std::function<void(std::size_t, const Image&)>& sink, Progress* progress) {
    if (!(options.fps > 0)) throw Error(ErrorCode::InvalidArgument, "sampling fps must be > 0");
    if (options.width < 0) throw Error(ErrorCode::InvalidArgument, "sampling width must be >= 0");
    detail::VideoOnlyInput in = detail::open_video_only(path);
    AVFormatContext* fmt = in.fmt.get();
    const int index = in.index;
    AVStream* st = in.stream;
    const AVRational tb = st->time_base;
    const double start = in.start;
    CodecContextPtr dec = open_decoder(st, path, std::max(1, options.threads));
    if (options.skip_nonref) detail::skip_for_thumbnails(dec.get());
    const int rotation = stream_rotation(st);
    // Plain variables, not a structured binding: the lambdas below capture them (clang < 16 refuses
    // to capture bindings; the sanitizer tree is built with clang-14).
    const auto [fit_w, fit_h] = detail::display_fit(st, rotation, options.width, 0, path);
    const int ow = fit_w, oh = fit_h;
    const double duration = in.duration;
    const double end = options.end >= 0 ? options.end : (duration > 0 ? duration : 1e300);

    detail::FrameConverter converter;
    FramePtr frame = make_frame();
    // The decoded frame on screen until the next one arrives; converted only when a slot shows it,
    // so at 25 fps and 4 slots a second most frames are never scaled.
    FramePtr pending = make_frame();
    double pending_time = 0;
    bool have_pending = false;
    Image image;
    std::size_t next_slot = 0;  // the first slot not yet emitted
    auto slot_time = [&](std::size_t k) { return double(k) / options.fps; };
    if (options.start > 0) {
        next_slot = std::size_t(std::ceil(options.start * options.fps - 1e-6));
        // The keyframe at or before the first slot's time: decoding from there gives that slot the
        // frame a sampling from the start gives it. A failed seek decodes from the start instead.
        const double seek_t = slot_time(next_slot);
        if (av_seek_frame(fmt, index, from_seconds(seek_t + start, tb), AVSEEK_FLAG_BACKWARD) < 0)
            av_seek_frame(fmt, -1, 0, AVSEEK_FLAG_BYTE);
        avcodec_flush_buffers(dec.get());
    }
    bool done = false;
    // Emits the pending frame for every slot before `until` (and before the end of the span).
    auto emit_until = [&](double until) {
        bool converted = false;
        while (slot_time(next_slot) < until - 1e-6) {
            if (slot_time(next_slot) >= end) {
                done = true;
                return;
            }
            if (!converted) {
                converter.convert(pending.get(), ow, oh, PixelLayout::Gray8, rotation, pending_time, image, SWS_AREA);
                converted = true;
            }
            sink(next_slot++, image);
        }
    };
    if (progress) progress->begin("Sampling frames of " + path, end < 1e299 ? end : 0);
    auto drain = [&]() {
        for (;;) {
            if (avcodec_receive_frame(dec.get(), frame.get()) < 0) return;
            const double t = to_seconds(frame_timestamp(frame.get()), tb) - start;
            if (have_pending && t > pending_time) emit_until(t);  // out-of-order pts: keep the earlier frame
            if (!have_pending || t > pending_time) {
                av_frame_unref(pending.get());
                av_frame_move_ref(pending.get(), frame.get());
                pending_time = t;
                have_pending = true;
            }
            av_frame_unref(frame.get());
            if (t >= end) done = true;
            if (progress) progress->update(t);
            if (done) return;
        }
    };
    feed_stream(fmt, index, dec.get(), drain, [&] { return !done; });
    if (!done) {
        avcodec_send_packet(dec.get(), nullptr);
        drain();
    }
    // The last frame stays on screen until the end of the span / video.
    if (have_pending && !done) {
        const double frame_len = options.fps > 0 ? 1.0 / options.fps : 0;
        emit_until(std::min(end, duration > 0 ? duration : pending_time + frame_len));
    }
    if (progress) progress->end();
    return duration;
}

}  // namespace vidseg::media

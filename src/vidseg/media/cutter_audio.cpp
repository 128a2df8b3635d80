// Cutter: audio routing, copy or sample-exact re-encoding per clip (see cutter.cpp).
#include "vidseg/media/cutter_session.hpp"

namespace vidseg::media::detail {

void Cutter::route_audio(double frontier, std::vector<Clip*>& clips, bool eof) {
    if (!ast_) return;
    FramePtr frame = make_frame();
    while (!audio_queue_.empty()) {
        AVPacket* p = audio_queue_.front().get();
        const int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
        const double t = ts == AV_NOPTS_VALUE ? audio_until_ : to_seconds(ts, ast_->time_base) - t0_;
        const double t_end = t + to_seconds(p->duration, ast_->time_base);
        if (!eof && (plan_ == Plan::Copy ? t >= frontier : t_end > frontier)) break;
        if (plan_ == Plan::Copy) {
            for (Clip* c : clips) {
                if (c->finished || !c->started || !c->has_audio || c->audio_done) continue;
                if (t < c->first_t - kEps) continue;
                if (t >= c->end_t - kEps) {
                    c->audio_done = true;
                    continue;
                }
                PacketPtr out = make_packet();
                check_av(av_packet_ref(out.get(), p), "packet", c->path, ErrorCode::Internal);
                out->pts = ts - c->audio_copy_offset;
                out->dts = out->pts;
                out->stream_index = c->out_audio->index;
                out->pos = -1;
                av_packet_rescale_ts(out.get(), ast_->time_base, c->out_audio->time_base);
                check_av(av_interleaved_write_frame(c->out.get(), out.get()), "cannot write audio", c->path,
                         ErrorCode::OutputError);
            }
            audio_until_ = std::max(audio_until_, t_end);
        } else {
            int ret = avcodec_send_packet(adec_.get(), p);
            if (ret >= 0 || ret == AVERROR_INVALIDDATA) {
                while (avcodec_receive_frame(adec_.get(), frame.get()) >= 0) {
                    on_audio_frame(frame.get(), clips);
                    av_frame_unref(frame.get());
                }
            }
        }
        audio_queue_.pop_front();
    }
    if (eof && adec_) {
        avcodec_send_packet(adec_.get(), nullptr);
        while (avcodec_receive_frame(adec_.get(), frame.get()) >= 0) {
            on_audio_frame(frame.get(), clips);
            av_frame_unref(frame.get());
        }
    }
    for (Clip* c : clips)
        if (c->video_done && audio_until_ >= c->end_t - kEps) c->audio_done = true;
}

void Cutter::on_audio_frame(AVFrame* frame, std::vector<Clip*>& clips) {
    const int sr = frame->sample_rate > 0 ? frame->sample_rate : adec_->sample_rate;
    const int64_t ts = frame_timestamp(frame);
    double t = ts == AV_NOPTS_VALUE ? audio_expected_ : to_seconds(ts, ast_->time_base) - t0_;
    if (!std::isfinite(t)) t = 0;
    // Container timestamps may be rounded (Matroska: 1 ms): keep decoded audio contiguous.
    if (std::isfinite(audio_expected_) && std::abs(t - audio_expected_) < 0.002) t = audio_expected_;
    const double t_end = t + frame->nb_samples / static_cast<double>(sr);
    audio_expected_ = t_end;
    audio_until_ = std::max(audio_until_, t_end);
    for (Clip* c : clips) {
        if (c->finished || !c->started || !c->has_audio || c->audio_done) continue;
        const double from = std::max(t, c->first_t);
        const double to = std::min(t_end, c->end_t);
        if (to <= from) continue;
        const int offset = static_cast<int>(std::lround((from - t) * sr));
        const int end = std::min(frame->nb_samples, static_cast<int>(std::lround((to - t) * sr)));
        if (end > offset) push_audio(*c, frame, offset, end - offset);
    }
}

void Cutter::push_audio(Clip& c, const AVFrame* frame, int offset, int count) {
    const auto fmt = static_cast<AVSampleFormat>(frame->format);
    const int bps = av_get_bytes_per_sample(fmt);
    const int channels = frame->ch_layout.nb_channels;
    const uint8_t* in[AV_NUM_DATA_POINTERS] = {nullptr};
    if (av_sample_fmt_is_planar(fmt)) {
        for (int ch = 0; ch < channels && ch < AV_NUM_DATA_POINTERS; ++ch)
            in[ch] = frame->extended_data[ch] + static_cast<size_t>(offset) * bps;
    } else {
        in[0] = frame->extended_data[0] + static_cast<size_t>(offset) * bps * channels;
    }
    const int out_max = swr_get_out_samples(c.swr.get(), count);
    uint8_t** out = nullptr;
    check_av(av_samples_alloc_array_and_samples(&out, nullptr, c.aenc->ch_layout.nb_channels, out_max,
                                                c.aenc->sample_fmt, 0),
             "audio buffer", c.path, ErrorCode::Internal);
    const int got = swr_convert(c.swr.get(), out, out_max, in, count);
    if (got > 0) av_audio_fifo_write(c.fifo.get(), reinterpret_cast<void**>(out), got);
    av_freep(&out[0]);
    av_freep(&out);
    encode_audio(c, false);
}

void Cutter::encode_audio(Clip& c, bool flush) {
    const int frame_size = c.aenc->frame_size > 0 ? c.aenc->frame_size : 1024;
    const bool small_last = c.aenc->codec->capabilities &
                            (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE);
    PacketPtr pkt = make_packet();
    auto drain = [&] {
        while (avcodec_receive_packet(c.aenc.get(), pkt.get()) >= 0) {
            pkt->stream_index = c.out_audio->index;
            av_packet_rescale_ts(pkt.get(), c.aenc->time_base, c.out_audio->time_base);
            check_av(av_interleaved_write_frame(c.out.get(), pkt.get()), "cannot write audio", c.path,
                     ErrorCode::OutputError);
        }
    };
    while (av_audio_fifo_size(c.fifo.get()) >= frame_size || (flush && av_audio_fifo_size(c.fifo.get()) > 0)) {
        const int avail = av_audio_fifo_size(c.fifo.get());
        const int n = std::min(avail, frame_size);
        FramePtr f = make_frame();
        f->nb_samples = (n < frame_size && !small_last) ? frame_size : n;
        f->format = c.aenc->sample_fmt;
        f->sample_rate = c.aenc->sample_rate;
        av_channel_layout_copy(&f->ch_layout, &c.aenc->ch_layout);
        check_av(av_frame_get_buffer(f.get(), 0), "audio frame", c.path, ErrorCode::Internal);
        if (f->nb_samples > n)
            av_samples_set_silence(f->extended_data, 0, f->nb_samples, f->ch_layout.nb_channels, c.aenc->sample_fmt);
        av_audio_fifo_read(c.fifo.get(), reinterpret_cast<void**>(f->extended_data), n);
        f->pts = c.audio_samples;
        c.audio_samples += n;
        check_av(avcodec_send_frame(c.aenc.get(), f.get()), "audio encoding", c.path, ErrorCode::Internal);
        drain();
    }
    if (flush) {
        avcodec_send_frame(c.aenc.get(), nullptr);
        drain();
    }
}

}  // namespace vidseg::media::detail

// Cutter: output files, spliced and re-encoded video, and finishing clips (see cutter.cpp).
#include "vidseg/media/cutter_session.hpp"

namespace vidseg::media::detail {

void Cutter::start_clip(Clip& c, int64_t first_pts) {
    c.first_pts = first_pts;
    c.first_t = to_seconds(first_pts, vst_->time_base) - t0_;
    open_output(c);
    c.started = true;
}

void Cutter::open_output(Clip& c) {
    AVFormatContext* raw = nullptr;
    int ret = avformat_alloc_output_context2(&raw, nullptr, nullptr, c.path.c_str());
    if (ret < 0 || !raw) throw Error(ErrorCode::OutputError, "cannot choose an output format: " + av_error_string(ret), c.path);
    c.out.reset(raw);
    const bool global_header = c.out->oformat->flags & AVFMT_GLOBALHEADER;
    c.out_video = avformat_new_stream(c.out.get(), nullptr);
    if (!c.out_video) throw Error(ErrorCode::Internal, "out of memory (avformat_new_stream)");
    const int vw = vst_->codecpar->width, vh = vst_->codecpar->height;
    if (plan_ == Plan::Reencode) {
        VideoEncoderConfig cfg;
        cfg.codec = venc_name_;
        cfg.width = vw + (vw & 1);  // 4:2:0 needs even dimensions
        cfg.height = vh + (vh & 1);
        const auto pix = static_cast<AVPixelFormat>(vst_->codecpar->format);
        cfg.pix_fmt = video_encoder_accepts(venc_name_, pix) && !(vw & 1) && !(vh & 1) ? pix : AV_PIX_FMT_YUV420P;
        cfg.time_base = vst_->time_base;
        cfg.frame_rate = vst_->avg_frame_rate.num ? vst_->avg_frame_rate : vst_->r_frame_rate;
        cfg.sample_aspect_ratio = vst_->codecpar->sample_aspect_ratio;
        cfg.crf = options_.crf;
        cfg.preset = options_.preset;
        cfg.global_header = global_header;
        c.venc = open_video_encoder(cfg, c.path);
        check_av(avcodec_parameters_from_context(c.out_video->codecpar, c.venc.get()), "encoder parameters", c.path);
    } else {
        check_av(avcodec_parameters_copy(c.out_video->codecpar, vst_->codecpar), "stream parameters", c.path);
        c.out_video->codecpar->codec_tag = 0;
    }
    c.out_video->time_base = vst_->time_base;
    c.out_video->avg_frame_rate = vst_->avg_frame_rate;
    size_t side_size = 0;
    if (const uint8_t* m = av_stream_get_side_data(vst_, AV_PKT_DATA_DISPLAYMATRIX, &side_size)) {
        if (uint8_t* d = av_stream_new_side_data(c.out_video, AV_PKT_DATA_DISPLAYMATRIX, side_size))
            std::memcpy(d, m, side_size);
    }
    if (c.has_audio) {
        c.out_audio = avformat_new_stream(c.out.get(), nullptr);
        if (!c.out_audio) throw Error(ErrorCode::Internal, "out of memory (avformat_new_stream)");
        if (plan_ == Plan::Copy) {
            check_av(avcodec_parameters_copy(c.out_audio->codecpar, ast_->codecpar), "stream parameters", c.path);
            c.out_audio->codecpar->codec_tag = 0;
            c.out_audio->time_base = ast_->time_base;
            c.audio_copy_offset = av_rescale_q(c.first_pts, vst_->time_base, ast_->time_base);
        } else {
            AVChannelLayout layout = adec_->ch_layout;
            c.aenc = open_audio_encoder(aenc_name_, layout, adec_->sample_rate, global_header, c.path);
            check_av(avcodec_parameters_from_context(c.out_audio->codecpar, c.aenc.get()), "encoder parameters", c.path);
            c.out_audio->time_base = c.aenc->time_base;
            AVChannelLayout in_layout{};
            if (adec_->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
                av_channel_layout_default(&in_layout, adec_->ch_layout.nb_channels);
            else
                av_channel_layout_copy(&in_layout, &adec_->ch_layout);
            SwrContext* swr = nullptr;
            ret = swr_alloc_set_opts2(&swr, &c.aenc->ch_layout, c.aenc->sample_fmt, c.aenc->sample_rate, &in_layout,
                                      adec_->sample_fmt, adec_->sample_rate, 0, nullptr);
            av_channel_layout_uninit(&in_layout);
            c.swr.reset(swr);
            check_av(ret, "audio resampler", c.path, ErrorCode::Internal);
            check_av(swr_init(c.swr.get()), "audio resampler", c.path, ErrorCode::Internal);
            c.fifo.reset(av_audio_fifo_alloc(c.aenc->sample_fmt, c.aenc->ch_layout.nb_channels, 4096));
            if (!c.fifo) throw Error(ErrorCode::Internal, "out of memory (av_audio_fifo_alloc)");
        }
    }
    if (!(c.out->oformat->flags & AVFMT_NOFILE)) {
        ret = avio_open(&c.out->pb, c.path.c_str(), AVIO_FLAG_WRITE);
        if (ret < 0) throw Error(ErrorCode::OutputError, "cannot create output file: " + av_error_string(ret), c.path);
    }
    check_av(avformat_write_header(c.out.get(), nullptr), "cannot write output header", c.path, ErrorCode::OutputError);
}

void Cutter::encode_video(Clip& c, AVFrame* frame) {
    if (!c.venc) {
        // A new re-encoded run inside a stream-copied track: same codec, size and pixel format,
        // parameter sets in-band so the decoder switches to them and back at the copied keyframe.
        VideoEncoderConfig cfg;
        cfg.codec = venc_name_;
        cfg.width = vst_->codecpar->width;
        cfg.height = vst_->codecpar->height;
        cfg.pix_fmt = static_cast<AVPixelFormat>(vst_->codecpar->format);
        cfg.time_base = vst_->time_base;
        cfg.frame_rate = vst_->avg_frame_rate.num ? vst_->avg_frame_rate : vst_->r_frame_rate;
        cfg.sample_aspect_ratio = vst_->codecpar->sample_aspect_ratio;
        cfg.color_range = vst_->codecpar->color_range;
        cfg.colorspace = vst_->codecpar->color_space;
        cfg.color_primaries = vst_->codecpar->color_primaries;
        cfg.color_trc = vst_->codecpar->color_trc;
        cfg.crf = options_.crf;
        cfg.preset = options_.preset;
        cfg.global_header = false;
        c.venc = open_video_encoder(cfg, c.path);
    }
    AVFrame* in = frame;
    if (frame->width != c.venc->width || frame->height != c.venc->height || frame->format != c.venc->pix_fmt) {
        c.sws.reset(sws_getCachedContext(c.sws.release(), frame->width, frame->height,
                                         static_cast<AVPixelFormat>(frame->format), c.venc->width, c.venc->height,
                                         c.venc->pix_fmt, SWS_BICUBIC, nullptr, nullptr, nullptr));
        if (!c.sws) throw Error(ErrorCode::Unsupported, "cannot convert the pixel format", input_);
        c.converted = make_frame();
        c.converted->format = c.venc->pix_fmt;
        c.converted->width = c.venc->width;
        c.converted->height = c.venc->height;
        check_av(av_frame_get_buffer(c.converted.get(), 0), "frame buffer", input_, ErrorCode::Internal);
        sws_scale(c.sws.get(), frame->data, frame->linesize, 0, frame->height, c.converted->data,
                  c.converted->linesize);
        av_frame_copy_props(c.converted.get(), frame);
        in = c.converted.get();
    }
    const int64_t src_pts = in->pts;
    const auto pict_type = in->pict_type;
    in->pts = src_pts - c.first_pts;
    in->pict_type = AV_PICTURE_TYPE_NONE;  // decoded frame types must not force encoder frame types
    int ret = avcodec_send_frame(c.venc.get(), in);
    in->pts = src_pts;
    in->pict_type = pict_type;
    check_av(ret, "video encoding", c.path, ErrorCode::Internal);
    ++c.frames;
    ++c.reencoded_frames;
    double dur = frame->pkt_duration > 0 ? to_seconds(frame->pkt_duration, vst_->time_base) : 0;
    if (dur <= 0) dur = info_.video() && info_.video()->fps > 0 ? 1.0 / info_.video()->fps : 0.04;
    c.reencoded_seconds += dur;
    PacketPtr pkt = make_packet();
    while (avcodec_receive_packet(c.venc.get(), pkt.get()) >= 0) write_encoded_video(c, pkt.get());
}

void Cutter::end_run(Clip& c) {
    if (!c.venc) return;
    avcodec_send_frame(c.venc.get(), nullptr);
    PacketPtr pkt = make_packet();
    while (avcodec_receive_packet(c.venc.get(), pkt.get()) >= 0) write_encoded_video(c, pkt.get());
    c.venc.reset();
}

void Cutter::write_encoded_video(Clip& c, AVPacket* pkt) {
    if (plan_ == Plan::Smart) {
        // Spliced frames follow the source's decode timeline: DTS trails PTS by the source's reorder
        // delay so DTS stays monotonic into and out of the copied GOPs (our encoder has no B-frames).
        const int64_t delay = reorder_delay_ > 0 ? reorder_delay_ : 0;
        pkt->dts = source_has_dts_ ? pkt->pts - delay : pkt->pts;
        if (is_h264_) {
            auto data = h264::annexb_to_length_prefixed(pkt->data, pkt->size, avcc_.nal_length_size);
            PacketPtr conv = make_packet();
            check_av(av_new_packet(conv.get(), static_cast<int>(data.size())), "packet", c.path, ErrorCode::Internal);
            std::memcpy(conv->data, data.data(), data.size());
            av_packet_copy_props(conv.get(), pkt);
            av_packet_unref(pkt);
            av_packet_move_ref(pkt, conv.get());
        }
        c.run_written = true;
    }
    if (pkt->duration <= 0 && vst_->avg_frame_rate.num > 0)
        pkt->duration = av_rescale_q(1, av_inv_q(vst_->avg_frame_rate), vst_->time_base);
    write_video(c, pkt);
}

void Cutter::write_video(Clip& c, AVPacket* pkt) {
    if (pkt->dts != AV_NOPTS_VALUE) {
        if (c.last_dts != AV_NOPTS_VALUE && pkt->dts <= c.last_dts) pkt->dts = c.last_dts + 1;
        if (pkt->pts != AV_NOPTS_VALUE && pkt->dts > pkt->pts) pkt->dts = pkt->pts;
        c.last_dts = pkt->dts;
    }
    pkt->stream_index = c.out_video->index;
    pkt->pos = -1;
    av_packet_rescale_ts(pkt, vst_->time_base, c.out_video->time_base);
    check_av(av_interleaved_write_frame(c.out.get(), pkt), "cannot write video", c.path, ErrorCode::OutputError);
}

void Cutter::copy_gop(Clip& c, const Gop& g) {
    if (!c.started) start_clip(c, g.key_pts);
    const bool had_run = c.run_written;
    end_run(c);
    // Leading frames reference the previous GOP: keep them only if that GOP is in this clip too.
    const bool keep_leading = c.prev_gop_copied && std::abs(c.last_copied_end - g.key_t) < kEps;
    std::vector<const AVPacket*> kept;
    for (const auto& p : g.packets)
        if (kept.empty() || p->pts >= g.key_pts || keep_leading) kept.push_back(p.get());
    // Matroska sources carry no DTS. A valid decode timeline is the suffix minimum of the PTS
    // (non-decreasing, never after the PTS); within a closed GOP the suffix is the rest of the GOP.
    std::vector<int64_t> suffix_min(kept.size());
    for (size_t i = kept.size(); i-- > 0;)
        suffix_min[i] = i + 1 < kept.size() ? std::min(kept[i]->pts, suffix_min[i + 1]) : kept[i]->pts;
    bool first = true;
    PacketPtr out = make_packet();
    for (size_t i = 0; i < kept.size(); ++i) {
        const AVPacket* p = kept[i];
        if (first && is_h264_ && (had_run || c.run_written) && plan_ == Plan::Smart) {
            // Back to the source encoder's parameter sets after our in-band ones.
            const auto& ps = avcc_.parameter_sets;
            check_av(av_new_packet(out.get(), static_cast<int>(ps.size()) + p->size), "packet", c.path,
                     ErrorCode::Internal);
            std::memcpy(out->data, ps.data(), ps.size());
            std::memcpy(out->data + ps.size(), p->data, p->size);
            av_packet_copy_props(out.get(), p);
            c.run_written = false;
        } else {
            check_av(av_packet_ref(out.get(), p), "packet", c.path, ErrorCode::Internal);
        }
        first = false;
        if (out->dts == AV_NOPTS_VALUE) out->dts = suffix_min[i];
        out->pts -= c.first_pts;
        if (out->dts != AV_NOPTS_VALUE) out->dts -= c.first_pts;
        ++c.frames;
        ++c.copied_frames;
        write_video(c, out.get());
        av_packet_unref(out.get());
    }
    c.prev_gop_copied = true;
    c.last_copied_end = g.end_t;
}

void Cutter::finish_ready(std::vector<Clip*>& clips) {
    for (Clip* c : clips)
        if (!c->finished && c->video_done && (!c->has_audio || c->audio_done)) finish_clip(*c);
}

void Cutter::finish_clip(Clip& c) {
    c.finished = true;
    if (!c.started) {
        const std::string what = "clip [" + std::to_string(c.start) + ", " + std::to_string(c.end) +
                                 ") contains no video frame (the video ends at " +
                                 std::to_string(video_end_) + " s";
        // Within the duration the file declares, the pictures stop early: a truncated or damaged file (or
        // one whose picture is shorter than its sound), not a bad request.
        constexpr double kSlack = 1e-3;
        // Sound that outlasts the picture (probe.hpp: picture_end): a clip there asks for what is not there.
        if (sound_past_picture(info_) > 0 && c.start >= picture_end(info_) - kSlack)
            throw Error(ErrorCode::InvalidArgument,
                        "clip [" + std::to_string(c.start) + ", " + std::to_string(c.end) +
                            ") lies in the sound past the picture (the picture ends at " +
                            std::to_string(picture_end(info_)) + " s, the sound at " +
                            std::to_string(info_.duration) +
                            " s): no frame to cut; 'vidseg audio --start S --end E' extracts that sound",
                        input_);
        if (c.start < info_.duration - kSlack && video_end_ < info_.duration - kSlack)
            throw Error(ErrorCode::InvalidMedia,
                        what + ", before the " + std::to_string(info_.duration) +
                            " s the file declares: truncated or damaged?)",
                        input_);
        throw Error(ErrorCode::InvalidArgument, what + ")", input_);
    }
    end_run(c);
    if (c.aenc) {
        // Flush the resampler's buffered tail, then the encoder.
        const int out_max = swr_get_out_samples(c.swr.get(), 0);
        if (out_max > 0) {
            uint8_t** out = nullptr;
            check_av(av_samples_alloc_array_and_samples(&out, nullptr, c.aenc->ch_layout.nb_channels, out_max,
                                                        c.aenc->sample_fmt, 0),
                     "audio buffer", c.path, ErrorCode::Internal);
            const int got = swr_convert(c.swr.get(), out, out_max, nullptr, 0);
            if (got > 0) av_audio_fifo_write(c.fifo.get(), reinterpret_cast<void**>(out), got);
            av_freep(&out[0]);
            av_freep(&out);
        }
        encode_audio(c, true);
    }
    check_av(av_write_trailer(c.out.get()), "cannot finish output", c.path, ErrorCode::OutputError);
    c.out.reset();
    c.aenc.reset();
    c.swr.reset();
    c.fifo.reset();
    c.sws.reset();
    c.converted.reset();
    ClipResult& r = results_[c.index];
    r.actual_start = c.first_t;
    r.actual_end = c.end_t;
    r.frames = c.frames;
    r.reencoded_seconds = c.reencoded_seconds;
    if (plan_ == Plan::Copy)
        r.method = "copy";
    else if (plan_ == Plan::Reencode || c.copied_frames == 0)
        r.method = "reencode";
    else
        r.method = c.reencoded_frames ? "smart" : "copy";
}

}  // namespace vidseg::media::detail

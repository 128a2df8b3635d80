// The cutter works GOP by GOP in one demux pass over every group of nearby clips:
//  * video packets are collected per GOP (keyframe to keyframe, decode order); a GOP is handled once
//    the following GOP is complete, so its display span [K_g, K_g+1) and whether the next GOP has
//    open-GOP leading frames are known;
//  * for every clip a GOP is either stream-copied (copy mode: keyframe inside the clip; exact mode:
//    span entirely inside the clip and no leading frames that would need it) or, in exact mode,
//    decoded once and its frames handed to the re-encoder of every clip whose span they fall in;
//  * audio packets wait until the video "frontier" (time up to which every video frame has been
//    routed) has passed them, so each clip's first frame and end are known when audio is routed.

#include "vidseg/media/cutter_session.hpp"
#include "vidseg/timeline/interval.hpp"

#include <nlohmann/json.hpp>

namespace vidseg::media {

const char* cut_mode_name(CutMode mode) noexcept { return mode == CutMode::Copy ? "copy" : "exact"; }

namespace detail {

void Cutter::open() {
    info_ = probe(input_, ProbeOptions{.scan_packets = false});
    require_timestamps(info_);
    require_continuous_timestamps(info_);
    fmt_ = open_input(input_);
    t0_ = container_start(fmt_.get());
    int vi = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (vi >= 0 && (fmt_->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC)) vi = -1;
    if (vi < 0) throw Error(ErrorCode::InvalidMedia, "has no video stream", input_);
    // A video track without a single packet (declared, never written): seeking in it fails with EPERM.
    if (const StreamInfo* v = info_.video(); v && v->frame_count == 0 && v->keyframes.empty())
        throw Error(ErrorCode::InvalidMedia, "its video stream holds no frames", input_);
    vst_ = fmt_->streams[vi];
    if (options_.audio) {
        for (unsigned i = 0; i < fmt_->nb_streams; ++i)
            if (fmt_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
                ast_ = fmt_->streams[i];
                break;
            }
    }
    for (unsigned i = 0; i < fmt_->nb_streams; ++i)
        if (fmt_->streams[i] != vst_ && fmt_->streams[i] != ast_) fmt_->streams[i]->discard = AVDISCARD_ALL;
    is_h264_ = vst_->codecpar->codec_id == AV_CODEC_ID_H264;
    if (is_h264_) avcc_ = h264::parse_avcc(vst_->codecpar->extradata, vst_->codecpar->extradata_size);
}

void Cutter::choose_plan(const std::string& out_muxer) {
    if (options_.mode == CutMode::Copy) {
        plan_ = Plan::Copy;
        return;
    }
    const auto pix = static_cast<AVPixelFormat>(vst_->codecpar->format);
    const bool mp4_or_mkv = out_muxer == "mp4" || out_muxer == "mov" || out_muxer == "matroska";
    const bool webm_or_mkv = out_muxer == "webm" || out_muxer == "matroska";
    plan_ = Plan::Reencode;
    venc_name_ = "libx264";
    if (is_h264_ && avcc_.valid && mp4_or_mkv && video_encoder_accepts("libx264", pix)) {
        plan_ = Plan::Smart;
    } else if (vst_->codecpar->codec_id == AV_CODEC_ID_VP9 && webm_or_mkv && video_encoder_accepts("libvpx-vp9", pix)) {
        plan_ = Plan::Smart;
        venc_name_ = "libvpx-vp9";
    }
    aenc_name_ = out_muxer == "webm" ? "libopus" : "aac";
}

std::vector<ClipResult> Cutter::run(const std::vector<ClipSpec>& specs) {
    if (!fmt_) open();
    const double duration = info_.duration;
    std::vector<Clip> clips(specs.size());
    results_.assign(specs.size(), {});
    for (size_t i = 0; i < specs.size(); ++i) {
        const auto& s = specs[i];
        const std::string name = "clip " + std::to_string(i + 1) + " [" + std::to_string(s.start) + ", " +
                                 std::to_string(s.end) + ")";
        if (!std::isfinite(s.start) || !std::isfinite(s.end) || s.start < 0)
            throw Error(ErrorCode::InvalidArgument, name + ": start must be >= 0", input_);
        if (s.end <= s.start) throw Error(ErrorCode::InvalidArgument, name + ": end must be after start", input_);
        if (s.start >= duration)
            throw Error(ErrorCode::InvalidArgument,
                        name + ": starts at or beyond the end of the video (" + std::to_string(duration) + " s)",
                        input_);
        if (s.output_path.empty()) throw Error(ErrorCode::InvalidArgument, name + ": no output path", input_);
        const std::string mux = muxer_name(s.output_path);
        if (mux.empty())
            throw Error(ErrorCode::InvalidArgument, "unknown output format (use .mp4, .mkv or .webm)", s.output_path);
        if (i == 0) choose_plan(mux);
        clips[i].index = i;
        clips[i].start = s.start;
        clips[i].end = std::min(s.end, duration);
        clips[i].path = s.output_path;
        clips[i].has_audio = ast_ != nullptr;
        results_[i].output_path = s.output_path;
        results_[i].requested_start = s.start;
        results_[i].requested_end = s.end;
    }
    if (plan_ != Plan::Copy) {
        // 2 frame threads, not cores+1: less memory, same speed here.
        if (!vdec_) vdec_ = open_decoder(vst_, input_, 2);
        if (ast_ && !adec_) adec_ = open_decoder(ast_, input_);
    }
    // Group nearby clips so each group is one demux pass.
    std::vector<Clip*> order;
    for (auto& c : clips) order.push_back(&c);
    std::sort(order.begin(), order.end(), [](const Clip* a, const Clip* b) { return a->start < b->start; });
    std::vector<std::vector<Clip*>> groups;
    double group_end = -kInf;
    double total = 0;
    for (Clip* c : order) {
        if (groups.empty() || c->start > group_end + kSeekGap) {
            groups.emplace_back();
            group_end = -kInf;
        }
        groups.back().push_back(c);
        group_end = std::max(group_end, c->end);
        total += c->end - c->start;
    }
    Progress* progress = options_.progress;
    if (progress) progress->begin(std::string("cutting (") + cut_mode_name(options_.mode) + ")", total);
    double base = 0;
    for (auto& g : groups) cut_group(g, base, total);
    if (progress) progress->end();
    return results_;
}

void Cutter::seek_before(double t) {
    // MP4 seeks by DTS, which trails PTS by the reorder delay: seek a little earlier than needed.
    const double target = t - 1.0;
    if (target <= 0) {
        check_av(avformat_seek_file(fmt_.get(), -1, INT64_MIN, INT64_MIN, INT64_MIN, 0), "seek", input_);
        return;
    }
    int64_t ts = from_seconds(target + t0_, vst_->time_base);
    if (av_seek_frame(fmt_.get(), vst_->index, ts, AVSEEK_FLAG_BACKWARD) < 0)
        check_av(avformat_seek_file(fmt_.get(), -1, INT64_MIN, INT64_MIN, INT64_MIN, 0), "seek", input_);
}

void Cutter::cut_group(std::vector<Clip*>& clips, double& progress_base, double progress_total) {
    double group_start = kInf, group_end = -kInf;
    for (Clip* c : clips) {
        group_start = std::min(group_start, c->start);
        group_end = std::max(group_end, c->end);
    }
    progress_base_ = progress_base;
    group_start_ = group_start;
    group_end_ = group_end;
    bool retried = false;
    for (;;) {
        seek_before(retried ? 0.0 : group_start);
        if (vdec_) avcodec_flush_buffers(vdec_.get());
        if (adec_) avcodec_flush_buffers(adec_.get());
        decoder_active_ = false;
        prev_fed_ = false;
        last_decoded_t_ = -kInf;
        spans_.clear();
        audio_queue_.clear();
        audio_expected_ = kInf;
        audio_until_ = -kInf;
        video_end_ = 0;

        PacketPtr pkt = make_packet();
        std::deque<Gop> gops;  // complete GOPs waiting for their successor, then the open one
        bool have_open = false;
        bool restart = false;
        auto all_finished = [&] {
            return std::all_of(clips.begin(), clips.end(), [](const Clip* c) { return c->finished; });
        };
        int ret = 0;
        while (!all_finished()) {
            throw_if_cancelled();
            ret = av_read_frame(fmt_.get(), pkt.get());
            if (ret < 0) break;
            if (pkt->stream_index == vst_->index) {
                if (pkt->pts == AV_NOPTS_VALUE) pkt->pts = pkt->dts;
                if (pkt->pts == AV_NOPTS_VALUE) {
                    av_packet_unref(pkt.get());
                    continue;
                }
                if (pkt->dts == AV_NOPTS_VALUE) source_has_dts_ = false;
                video_end_ = std::max(video_end_, to_seconds(pkt->pts + pkt->duration, vst_->time_base) - t0_);
                const bool key = pkt->flags & AV_PKT_FLAG_KEY;
                if (key) {
                    const double kt = to_seconds(pkt->pts, vst_->time_base) - t0_;
                    if (!have_open && !retried && kt > group_start + kEps && group_start - 1.0 > 0) {
                        restart = true;  // the seek landed after the first clip's start
                        break;
                    }
                    if (have_open && gops.size() >= 2) {
                        // gops = [complete, open]: the open one is now complete too, handle the first.
                        Gop done = std::move(gops.front());
                        gops.pop_front();
                        handle_gop(done, gops.front().leading, clips);
                    }
                    Gop g;
                    g.key_pts = pkt->pts;
                    g.key_dts = pkt->dts;
                    g.key_t = kt;
                    if (!gops.empty()) gops.back().end_t = kt;
                    if (reorder_delay_ < 0 && pkt->dts != AV_NOPTS_VALUE) reorder_delay_ = std::max<int64_t>(0, pkt->pts - pkt->dts);
                    gops.push_back(std::move(g));
                    have_open = true;
                }
                if (!have_open) {  // packets before the first keyframe after a seek are undecodable
                    av_packet_unref(pkt.get());
                    continue;
                }
                Gop& open_gop = gops.back();
                if (!key && pkt->pts < open_gop.key_pts) open_gop.leading = true;
                PacketPtr copy = make_packet();
                av_packet_move_ref(copy.get(), pkt.get());
                open_gop.packets.push_back(std::move(copy));
            } else if (ast_ && pkt->stream_index == ast_->index) {
                PacketPtr copy = make_packet();
                av_packet_move_ref(copy.get(), pkt.get());
                audio_queue_.push_back(std::move(copy));
            }
            av_packet_unref(pkt.get());
        }
        if (restart) {
            retried = true;
            continue;
        }
        if (ret < 0 && ret != AVERROR_EOF)
            throw Error(ErrorCode::InvalidMedia, "read error: " + av_error_string(ret), input_);
        if (!all_finished()) {
            // End of file: handle the remaining GOPs; the last one ends where the video ends.
            if (!gops.empty()) gops.back().end_t = std::max(video_end_, gops.back().key_t);
            while (!gops.empty()) {
                Gop done = std::move(gops.front());
                gops.pop_front();
                handle_gop(done, gops.empty() ? false : gops.front().leading, clips);
            }
            if (decoder_active_) drain_decoder(clips);
            for (Clip* c : clips)
                if (!c->finished && !c->video_done) {
                    c->end_t = std::min(c->end_candidate, video_end_);
                    c->video_done = true;
                }
            route_audio(kInf, clips, true);
            for (Clip* c : clips) c->audio_done = true;
            finish_ready(clips);
        }
        break;
    }
    progress_base += group_end - group_start;
    if (options_.progress) options_.progress->update(std::min(progress_base, progress_total));
}

bool Cutter::decide_copy(const Clip& c, const Gop& g, bool next_leading) const {
    if (c.finished) return false;
    if (plan_ == Plan::Copy) {
        if (g.key_t >= c.start - kEps && g.key_t < c.end - kEps) return true;
        // No keyframe inside [start, end): fall back to the GOP holding start.
        return g.key_t < c.start && c.start < g.end_t && g.end_t >= c.end - kEps;
    }
    if (plan_ == Plan::Reencode) return false;
    return g.key_t >= c.start - kEps && g.end_t <= c.end + kEps && !next_leading;
}

void Cutter::handle_gop(Gop& g, bool next_leading, std::vector<Clip*>& clips) {
    Span span{g.key_t, g.end_t, std::vector<char>(clips.size(), 0)};
    for (size_t i = 0; i < clips.size(); ++i) span.copied[i] = decide_copy(*clips[i], g, next_leading);
    spans_.push_back(span);
    while (spans_.size() > 16) spans_.pop_front();

    if (plan_ != Plan::Copy) {
        bool need = false;
        for (size_t i = 0; i < clips.size(); ++i) {
            const Clip& c = *clips[i];
            if (!c.finished && !span.copied[i] && g.key_t < c.end - kEps && g.end_t > c.start + kEps) need = true;
        }
        // Leading frames of this GOP are displayed in the previous span: decode them if it was decoded.
        if (g.leading && prev_fed_) need = true;
        if (!need && decoder_active_) drain_decoder(clips);
        if (need) {
            feed_gop(g, next_leading, span, clips);
            // Keep decoding across the boundary only when the next GOP's leading frames need this one.
            if (!next_leading) drain_decoder(clips);
        }
        prev_fed_ = need;
    }
    for (size_t i = 0; i < clips.size(); ++i) {
        Clip& c = *clips[i];
        if (span.copied[i]) {
            copy_gop(c, g);
        } else {
            c.prev_gop_copied = false;
        }
    }
    const double frontier = decoder_active_ ? last_decoded_t_ : g.end_t;
    if (options_.progress)
        options_.progress->update(progress_base_ + std::clamp(frontier - group_start_, 0.0, group_end_ - group_start_));
    update_video_done(frontier, clips);
    route_audio(frontier, clips, false);
    finish_ready(clips);
}

bool Cutter::disposable(const AVPacket* pkt) const {
    if (pkt->flags & AV_PKT_FLAG_DISPOSABLE) return true;
    return is_h264_ && avcc_.valid && h264::is_disposable_access_unit(pkt->data, pkt->size, avcc_.nal_length_size);
}

// Decoding is most of the cost of exact cutting, and a GOP is decoded for the few pictures a clip
// takes from it (a clip's first or last partial GOP). The decoder is spared what no clip wants:
// every packet after the last wanted picture in decode order (a prefix of the decode order is
// always decodable), and non-reference pictures outside every clip. The pictures that reach the
// clips are the same. Open GOPs are fed whole (the next GOP's leading pictures reference this one).
void Cutter::feed_gop(const Gop& g, bool next_leading, const Span& span, std::vector<Clip*>& clips) {
    const bool selective = !g.leading && !next_leading;
    std::vector<double> times(g.packets.size());
    std::vector<char> wanted(g.packets.size(), 1);
    size_t last = g.packets.size();  // packets [last, end) are not needed
    if (selective) {
        last = 0;
        for (size_t k = 0; k < g.packets.size(); ++k) {
            const double t = to_seconds(g.packets[k]->pts, vst_->time_base) - t0_;
            times[k] = t;
            wanted[k] = 0;
            for (size_t i = 0; i < clips.size() && !wanted[k]; ++i) {
                const Clip& c = *clips[i];
                wanted[k] = !c.finished && !span.copied[i] && t >= c.start - kEps && t < c.end - kEps;
            }
            if (wanted[k]) last = k + 1;
        }
    }
    for (size_t k = 0; k < g.packets.size(); ++k) {
        const AVPacket* p = g.packets[k].get();
        if (!selective || (k < last && (wanted[k] || !disposable(p)))) {
            feed_decoder(p, clips);
            continue;
        }
        // Not decoded: a picture at or after a clip's end still tells where that clip ends, as
        // on_video_frame would have noted.
        for (Clip* c : clips)
            if (!c->finished && times[k] >= c->end - kEps) c->end_candidate = std::min(c->end_candidate, times[k]);
    }
}

void Cutter::update_video_done(double frontier, std::vector<Clip*>& clips) {
    for (Clip* c : clips) {
        if (c->finished || c->video_done) continue;
        if (frontier >= c->end - kEps) {
            c->end_t = std::min(c->end_candidate, frontier);
            c->video_done = true;
        }
    }
}

void Cutter::feed_decoder(const AVPacket* pkt, std::vector<Clip*>& clips) {
    decoder_active_ = true;
    int ret = avcodec_send_packet(vdec_.get(), pkt);
    FramePtr frame = make_frame();
    for (;;) {
        while (avcodec_receive_frame(vdec_.get(), frame.get()) >= 0) {
            on_video_frame(frame.get(), clips);
            av_frame_unref(frame.get());
        }
        if (ret != AVERROR(EAGAIN)) break;
        ret = avcodec_send_packet(vdec_.get(), pkt);
    }
    // Damaged packets are skipped: the decoder conceals what it can, as players do.
}

void Cutter::drain_decoder(std::vector<Clip*>& clips) {
    avcodec_send_packet(vdec_.get(), nullptr);
    FramePtr frame = make_frame();
    while (avcodec_receive_frame(vdec_.get(), frame.get()) >= 0) {
        on_video_frame(frame.get(), clips);
        av_frame_unref(frame.get());
    }
    avcodec_flush_buffers(vdec_.get());
    decoder_active_ = false;
}

bool Cutter::span_copied(const Clip&, size_t slot, double t) const {
    for (auto it = spans_.rbegin(); it != spans_.rend(); ++it)
        if (t >= it->start - kEps) return t < it->end - kEps && it->copied[slot];
    return false;
}

void Cutter::on_video_frame(AVFrame* frame, std::vector<Clip*>& clips) {
    const int64_t ts = frame_timestamp(frame);
    if (ts == AV_NOPTS_VALUE) return;
    const double t = to_seconds(ts, vst_->time_base) - t0_;
    last_decoded_t_ = std::max(last_decoded_t_, t);
    frame->pts = ts;
    for (size_t i = 0; i < clips.size(); ++i) {
        Clip& c = *clips[i];
        if (c.finished) continue;
        if (t >= c.end - kEps) {
            c.end_candidate = std::min(c.end_candidate, t);
            continue;
        }
        if (t < c.start - kEps || span_copied(c, i, t)) continue;
        if (!c.started) start_clip(c, ts);
        encode_video(c, frame);
    }
}

}  // namespace detail

using detail::Cutter;

std::vector<ClipResult> cut_clips(const std::string& input, const std::vector<ClipSpec>& clips,
                                  const CutOptions& options) {
    if (clips.empty()) return {};
    Cutter cutter(input, options);
    return cutter.run(clips);
}

ClipCutter::ClipCutter(const std::string& input, const CutOptions& options)
    : impl_(std::make_unique<Cutter>(input, options)) {}

ClipCutter::~ClipCutter() = default;

std::vector<ClipResult> ClipCutter::cut(const std::vector<ClipSpec>& clips) {
    if (clips.empty()) return {};
    return impl_->run(clips);
}

std::string clip_extension(const std::string& input_container, const std::string& video_codec, CutMode mode) {
    const bool mp4 = input_container.find("mp4") != std::string::npos || input_container.find("mov") != std::string::npos;
    const bool mkv = input_container.find("matroska") != std::string::npos;
    const bool webm_codec = video_codec == "vp8" || video_codec == "vp9" || video_codec == "av1";
    if (mode == CutMode::Exact) {
        // Smart cut keeps the source codec and container family; everything else becomes H.264/AAC MP4.
        if (video_codec == "h264") return mkv ? ".mkv" : ".mp4";
        if (video_codec == "vp9") return mkv ? ".webm" : ".mp4";
        return ".mp4";
    }
    if (mkv) return webm_codec ? ".webm" : ".mkv";
    if (mp4) return ".mp4";
    return ".mkv";  // Matroska takes nearly any codec for stream copy
}

std::vector<ClipSpec> fixed_segments(double duration, double length, double min_remainder) {
    std::vector<ClipSpec> out;
    for (const auto& s : timeline::fixed_segments(duration, length, min_remainder)) out.push_back({s.start, s.end, {}});
    return out;
}

nlohmann::json to_json(const ClipResult& r) {
    return {{"output_path", r.output_path},
            {"requested_start", r.requested_start},
            {"requested_end", r.requested_end},
            {"actual_start", r.actual_start},
            {"actual_end", r.actual_end},
            {"duration", r.actual_end - r.actual_start},
            {"frames", r.frames},
            {"reencoded_seconds", r.reencoded_seconds},
            {"method", r.method}};
}

}  // namespace vidseg::media

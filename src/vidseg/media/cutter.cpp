// The cutter works GOP by GOP in one demux pass over every group of nearby clips:
//  * video packets are collected per GOP (keyframe to keyframe, decode order); a GOP is handled once
//    the following GOP is complete, so its display span [K_g, K_g+1) and whether the next GOP has
//    open-GOP leading frames are known;
//  * for every clip a GOP is either stream-copied (copy mode: keyframe inside the clip; exact mode:
//    span entirely inside the clip and no leading frames that would need it) or, in exact mode,
//    decoded once and its frames handed to the re-encoder of every clip whose span they fall in;
//  * audio packets wait until the video "frontier" (time up to which every video frame has been
//    routed) has passed them, so each clip's first frame and end are known when audio is routed.
#include "vidseg/media/cutter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/media/encoder.hpp"
#include "vidseg/media/ffmpeg_util.hpp"
#include "vidseg/media/h264_bitstream.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::media {

const char* cut_mode_name(CutMode mode) noexcept { return mode == CutMode::Copy ? "copy" : "exact"; }

namespace {

// Cut points closer than this to a frame or keyframe count as on it (well below any frame interval,
// above container timestamp rounding such as Matroska's 1 ms).
constexpr double kEps = 5e-4;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Clips whose gap is smaller than this are cut in the same pass instead of seeking.
constexpr double kSeekGap = 10.0;

std::string muxer_name(const std::string& path) {
    const AVOutputFormat* f = av_guess_format(nullptr, path.c_str(), nullptr);
    return f ? f->name : "";
}

struct Gop {
    int64_t key_pts = 0;
    int64_t key_dts = AV_NOPTS_VALUE;
    double key_t = 0;  // seconds, relative to the container start
    double end_t = 0;  // key_t of the next GOP (or end of the video)
    bool leading = false;  // has open-GOP leading frames (decode order after the key, pts before it)
    std::vector<PacketPtr> packets;
};

// Copy decisions of recently handled GOPs: decoded frames are routed by the span they fall in.
struct Span {
    double start, end;
    std::vector<char> copied;  // per clip of the run
};

struct Clip {
    size_t index = 0;  // into the results
    double start = 0, end = 0;
    std::string path;
    bool has_audio = false;
    OutputFormatPtr out;
    AVStream* out_video = nullptr;
    AVStream* out_audio = nullptr;
    bool started = false, video_done = false, audio_done = false, finished = false;
    int64_t first_pts = 0;  // source video pts of the first frame
    double first_t = 0;
    double end_candidate = kInf;  // pts of the first source frame >= end seen so far
    double end_t = kInf;          // known once video_done
    bool prev_gop_copied = false;
    double last_copied_end = -kInf;
    // Video re-encoding (the current run in smart mode; the whole clip in reencode mode).
    CodecContextPtr venc;
    bool run_written = false;  // re-encoded packets written since the last copied keyframe
    SwsPtr sws;
    FramePtr converted;
    int64_t last_dts = AV_NOPTS_VALUE;
    long long frames = 0, reencoded_frames = 0, copied_frames = 0;
    double reencoded_seconds = 0;
    // Audio.
    CodecContextPtr aenc;
    SwrPtr swr;
    AudioFifoPtr fifo;
    int64_t audio_samples = 0;  // samples sent to the encoder
    int64_t audio_copy_offset = 0;
};

enum class Plan { Copy, Smart, Reencode };

class Cutter {
public:
    Cutter(const std::string& input, const CutOptions& options) : input_(input), options_(options) {}

    std::vector<ClipResult> run(const std::vector<ClipSpec>& specs);

private:
    void open();
    void choose_plan(const std::string& out_muxer);
    void cut_group(std::vector<Clip*>& clips, double& progress_base, double progress_total);
    void seek_before(double t);
    void handle_gop(Gop& g, bool next_leading, std::vector<Clip*>& clips);
    bool decide_copy(const Clip& c, const Gop& g, bool next_leading) const;
    void feed_decoder(const AVPacket* pkt, std::vector<Clip*>& clips);
    void drain_decoder(std::vector<Clip*>& clips);
    void on_video_frame(AVFrame* frame, std::vector<Clip*>& clips);
    bool span_copied(const Clip& c, size_t clip_slot, double t) const;
    void start_clip(Clip& c, int64_t first_pts);
    void open_output(Clip& c);
    void encode_video(Clip& c, AVFrame* frame);
    void end_run(Clip& c);
    void write_encoded_video(Clip& c, AVPacket* pkt);
    void write_video(Clip& c, AVPacket* pkt);
    void copy_gop(Clip& c, const Gop& g);
    void route_audio(double frontier, std::vector<Clip*>& clips, bool eof);
    void on_audio_frame(AVFrame* frame, std::vector<Clip*>& clips);
    void push_audio(Clip& c, const AVFrame* frame, int offset, int count);
    void encode_audio(Clip& c, bool flush);
    void update_video_done(double frontier, std::vector<Clip*>& clips);
    void finish_ready(std::vector<Clip*>& clips);
    void finish_clip(Clip& c);

    std::string input_;
    CutOptions options_;
    MediaInfo info_;
    InputFormatPtr fmt_;
    AVStream* vst_ = nullptr;
    AVStream* ast_ = nullptr;
    double t0_ = 0;
    Plan plan_ = Plan::Copy;
    std::string venc_name_;   // encoder of re-encoded parts
    std::string aenc_name_;   // exact mode audio encoder
    h264::AvcConfig avcc_;
    bool is_h264_ = false;
    bool source_has_dts_ = true;
    int64_t reorder_delay_ = -1;  // source pts - dts of keyframes (for spliced DTS)
    CodecContextPtr vdec_, adec_;
    bool decoder_active_ = false;
    double last_decoded_t_ = -kInf;
    bool prev_fed_ = false;
    std::deque<Span> spans_;
    std::deque<PacketPtr> audio_queue_;
    double audio_expected_ = kInf;  // start of the next decoded audio sample (seconds), for continuity
    double audio_until_ = -kInf;    // audio routed up to here
    double video_end_ = 0;
    std::vector<ClipResult> results_;
    double progress_base_ = 0, group_start_ = 0, group_end_ = 0;
};

void Cutter::open() {
    info_ = probe(input_, ProbeOptions{.scan_packets = false});
    fmt_ = open_input(input_);
    t0_ = container_start(fmt_.get());
    int vi = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (vi >= 0 && (fmt_->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC)) vi = -1;
    if (vi < 0) throw Error(ErrorCode::InvalidMedia, "has no video stream", input_);
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
    open();
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
        vdec_ = open_decoder(vst_, input_);
        if (ast_) adec_ = open_decoder(ast_, input_);
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
            for (auto& p : g.packets) feed_decoder(p.get(), clips);
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

void Cutter::finish_ready(std::vector<Clip*>& clips) {
    for (Clip* c : clips)
        if (!c->finished && c->video_done && (!c->has_audio || c->audio_done)) finish_clip(*c);
}

void Cutter::finish_clip(Clip& c) {
    c.finished = true;
    if (!c.started)
        throw Error(ErrorCode::InvalidArgument,
                    "clip [" + std::to_string(c.start) + ", " + std::to_string(c.end) +
                        ") contains no video frame (the video ends at " + std::to_string(video_end_) + " s)",
                    input_);
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

}  // namespace

std::vector<ClipResult> cut_clips(const std::string& input, const std::vector<ClipSpec>& clips,
                                  const CutOptions& options) {
    if (clips.empty()) return {};
    Cutter cutter(input, options);
    return cutter.run(clips);
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
    if (!(length > 0)) throw Error(ErrorCode::InvalidArgument, "segment length must be > 0");
    std::vector<ClipSpec> out;
    for (long long k = 0;; ++k) {
        const double s = k * length;
        if (s >= duration - 1e-9) break;
        const double e = std::min((k + 1) * length, duration);
        if (k > 0 && e - s < std::max(min_remainder, 1e-9)) break;
        out.push_back({s, e, {}});
    }
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

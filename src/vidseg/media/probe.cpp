#include "vidseg/media/probe.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "vidseg/core/messages.hpp"
#include "vidseg/media/ffmpeg_util.hpp"

namespace vidseg::media {

const char* stream_kind_name(StreamKind kind) noexcept {
    switch (kind) {
        case StreamKind::Video: return "video";
        case StreamKind::Audio: return "audio";
        case StreamKind::Subtitle: return "subtitle";
        case StreamKind::Data: return "data";
        case StreamKind::Other: return "other";
    }
    return "other";
}

const StreamInfo* MediaInfo::video() const {
    for (const auto& s : streams)
        if (s.kind == StreamKind::Video) return &s;
    return nullptr;
}
const StreamInfo* MediaInfo::audio() const {
    for (const auto& s : streams)
        if (s.kind == StreamKind::Audio) return &s;
    return nullptr;
}

double keyframe_at_or_before(const StreamInfo& video, double t) {
    auto it = std::upper_bound(video.keyframes.begin(), video.keyframes.end(), t + 1e-6);
    return it == video.keyframes.begin() ? 0.0 : *std::prev(it);
}

namespace {

StreamKind kind_of(AVMediaType t) {
    switch (t) {
        case AVMEDIA_TYPE_VIDEO: return StreamKind::Video;
        case AVMEDIA_TYPE_AUDIO: return StreamKind::Audio;
        case AVMEDIA_TYPE_SUBTITLE: return StreamKind::Subtitle;
        case AVMEDIA_TYPE_DATA: return StreamKind::Data;
        default: return StreamKind::Other;
    }
}

// Analyses presentation timestamps of a video stream: frame count, VFR, keyframes.
struct TimestampStats {
    std::vector<int64_t> pts;  // one per frame (packet), frames sharing a timestamp each count
    std::vector<double> keyframes;
};

void finish_video_stats(StreamInfo& info, TimestampStats& stats, AVRational tb, double start) {
    auto& pts = stats.pts;
    std::sort(pts.begin(), pts.end());
    // Every frame counts, also frames that share a timestamp (a stalled clock): the count is what a
    // decoder outputs (ffprobe -count_frames) and what the clips of `cut` hold.
    info.frame_count = static_cast<long long>(pts.size());
    const size_t frames = pts.size();
    pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    std::sort(stats.keyframes.begin(), stats.keyframes.end());
    stats.keyframes.erase(std::unique(stats.keyframes.begin(), stats.keyframes.end()), stats.keyframes.end());
    info.keyframes = stats.keyframes;
    for (auto& k : info.keyframes) k -= start;
    if (pts.size() >= 3) {
        // Variable frame rate is judged on the distinct timestamps (a stall is one odd gap, not VFR).
        std::vector<int64_t> deltas;
        deltas.reserve(pts.size() - 1);
        for (size_t i = 1; i < pts.size(); ++i) deltas.push_back(pts[i] - pts[i - 1]);
        std::vector<int64_t> sorted = deltas;
        std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
        const double median = static_cast<double>(sorted[sorted.size() / 2]);
        // Variable when a real share of frame durations differ from the typical one by more than
        // 10% (plus one tick of rounding); a few odd gaps from trimming or edits do not count.
        const double tolerance = std::max(1.0, 0.1 * median);
        size_t deviating = 0;
        for (int64_t d : deltas)
            if (std::abs(static_cast<double>(d) - median) > tolerance) ++deviating;
        info.variable_frame_rate = deviating > std::max<size_t>(2, deltas.size() / 100);
        const double span = (pts.back() - pts.front()) * av_q2d(tb);
        if (span > 0) info.fps = static_cast<double>(frames - 1) / span;
    }
}

// Packet timestamps in file order placed on one continuous presentation timeline: a backward jump (a
// discontinuity, e.g. MPEG-TS segments joined end to end) is unwrapped with one offset for every stream, as
// ffmpeg does for MPEG-TS (the later part continues where the earlier ended); packets of a raw elementary
// stream (no timestamps at all) get the running sum of their durations.
class ContinuousTimeline {
  public:
    // A jump back by more than this is a discontinuity, not a reordering glitch.
    static constexpr double kBackwardJumpSeconds = 1.0;

    explicit ContinuousTimeline(std::size_t streams) : last_(streams) {}

    // The packet's timestamp (its stream's time base) on the continuous timeline; AV_NOPTS_VALUE when it
    // has none and is not synthesised. Records each discontinuity in `jumps`.
    int64_t place(const AVPacket* pkt, AVRational tb, bool synthesise, std::vector<TimestampJump>& jumps) {
        const int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
        const int64_t order_ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
        const double duration = to_seconds(std::max<int64_t>(pkt->duration, 0), tb);
        if (ts == AV_NOPTS_VALUE) {
            if (!synthesise) return AV_NOPTS_VALUE;
            const int64_t placed = from_seconds(synthetic_, tb);
            synthetic_ += duration;
            return placed;
        }
        Last& last = last_[static_cast<std::size_t>(pkt->stream_index)];
        const double order = to_seconds(order_ts, tb);
        if (last.seen && last.order - (order + offset_) > kBackwardJumpSeconds) {
            const double continued = last.order + std::max(last.duration, av_q2d(tb));
            jumps.push_back({continued, last.order - offset_, order, pkt->pos});
            offset_ = continued - order;
        }
        last = {true, order + offset_, duration};
        return ts + from_seconds(offset_, tb);
    }

  private:
    struct Last {
        bool seen = false;
        double order = 0;  // the stream's last decoding time on the continuous timeline, seconds
        double duration = 0;
    };
    std::vector<Last> last_;
    double offset_ = 0;     // seconds added to every timestamp since the last jump
    double synthetic_ = 0;  // seconds: where the next timestamp-less packet goes
};

std::string seconds_text(double s) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%.3f", s);
    return buf;
}

}  // namespace

MediaInfo probe(const std::string& path, const ProbeOptions& options) {
    InputFormatPtr fmt = open_input(path);
    MediaInfo info;
    info.path = path;
    info.container = fmt->iformat->name;
    info.start_time = container_start(fmt.get());
    info.bit_rate = fmt->bit_rate;
    std::error_code ec;
    info.size_bytes = static_cast<long long>(std::filesystem::file_size(path, ec));
    if (fmt->duration != AV_NOPTS_VALUE) info.duration = fmt->duration / static_cast<double>(AV_TIME_BASE);

    int video_index = -1;
    std::vector<TimestampStats> stats(fmt->nb_streams);
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream* st = fmt->streams[i];
        const AVCodecParameters* par = st->codecpar;
        StreamInfo s;
        s.index = static_cast<int>(i);
        s.kind = kind_of(par->codec_type);
        // Attached pictures (cover art) are not a video track.
        if (s.kind == StreamKind::Video && (st->disposition & AV_DISPOSITION_ATTACHED_PIC)) s.kind = StreamKind::Other;
        s.codec = avcodec_get_name(par->codec_id);
        if (const char* prof = avcodec_profile_name(par->codec_id, par->profile)) s.profile = prof;
        s.bit_rate = par->bit_rate;
        if (st->start_time != AV_NOPTS_VALUE) s.start = to_seconds(st->start_time, st->time_base) - info.start_time;
        if (st->duration != AV_NOPTS_VALUE) s.duration = to_seconds(st->duration, st->time_base);
        if (s.kind == StreamKind::Video) {
            s.width = par->width;
            s.height = par->height;
            if (const char* pf = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format))) s.pixel_format = pf;
            if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) s.fps = av_q2d(st->avg_frame_rate);
            if (st->r_frame_rate.num > 0 && st->r_frame_rate.den > 0) s.nominal_fps = av_q2d(st->r_frame_rate);
            s.rotation = stream_rotation(st);
            if (video_index < 0) video_index = static_cast<int>(i);
            // Index entries (MP4 sample table, MKV cues) give keyframes without reading packets.
            const int n = avformat_index_get_entries_count(st);
            for (int k = 0; k < n; ++k) {
                const AVIndexEntry* e = avformat_index_get_entry(const_cast<AVStream*>(st), k);
                if (e && (e->flags & AVINDEX_KEYFRAME) && e->timestamp != AV_NOPTS_VALUE)
                    stats[i].keyframes.push_back(to_seconds(e->timestamp, st->time_base));
            }
        } else if (s.kind == StreamKind::Audio) {
            s.sample_rate = par->sample_rate;
            s.channels = par->ch_layout.nb_channels;
            char buf[128] = {0};
            if (av_channel_layout_describe(&par->ch_layout, buf, sizeof(buf)) > 0) s.channel_layout = buf;
            if (const char* sf = av_get_sample_fmt_name(static_cast<AVSampleFormat>(par->format))) s.sample_format = sf;
        }
        info.streams.push_back(std::move(s));
    }
    if (info.streams.empty() || (!info.video() && !info.audio()))
        throw Error(ErrorCode::InvalidMedia, "contains no audio or video stream", path);

    // Only the MP4/MOV sample table is a complete index (Matroska cues, when present, are sparse);
    // everything else needs the packet scan to know its keyframes.
    const bool complete_index = info.container.find("mp4") != std::string::npos && video_index >= 0 &&
                                !stats[video_index].keyframes.empty();
    if (video_index >= 0 && complete_index && !options.scan_packets) {
        // MP4 index entries carry decoding timestamps; shift them by the keyframe's reorder delay,
        // read off the first video packet.
        for (unsigned i = 0; i < fmt->nb_streams; ++i)
            if (static_cast<int>(i) != video_index) fmt->streams[i]->discard = AVDISCARD_ALL;
        PacketPtr pkt = make_packet();
        int64_t shift = 0;
        while (av_read_frame(fmt.get(), pkt.get()) >= 0) {
            const bool found = pkt->stream_index == video_index;
            if (found && pkt->pts != AV_NOPTS_VALUE && pkt->dts != AV_NOPTS_VALUE) shift = pkt->pts - pkt->dts;
            av_packet_unref(pkt.get());
            if (found) break;
        }
        const double shift_s = to_seconds(shift, fmt->streams[video_index]->time_base);
        for (auto& k : stats[video_index].keyframes) k += shift_s;
    }
    if (video_index >= 0 && (options.scan_packets || !complete_index)) {
        // Exact keyframes, frame count and VFR need every packet's timestamp: read packets of the
        // video stream without decoding. The audio streams' packets are read too (not decoded): where
        // the data ends is the latest end over all streams — a picture shorter than its sound is not a
        // truncated file.
        for (unsigned i = 0; i < fmt->nb_streams; ++i)
            if (static_cast<int>(i) != video_index &&
                fmt->streams[i]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO)
                fmt->streams[i]->discard = AVDISCARD_ALL;
        const AVStream* vst = fmt->streams[video_index];
        auto& vs = stats[video_index];
        vs.keyframes.clear();
        // A raw elementary stream (.h264, .hevc) has no timestamps: its frames are placed by their
        // durations (the demuxer's frame rate), which gives the duration and keyframes a probe reports.
        const bool synthesise = detail::is_raw_elementary_stream(fmt.get());
        ContinuousTimeline timeline(fmt->nb_streams);
        PacketPtr pkt = make_packet();
        int ret;
        int64_t last_end = AV_NOPTS_VALUE;
        double data_start = std::numeric_limits<double>::infinity();  // seconds, over all read streams
        double data_end = -std::numeric_limits<double>::infinity();
        while ((ret = av_read_frame(fmt.get(), pkt.get())) >= 0) {
            if (pkt->stream_index < 0 || static_cast<unsigned>(pkt->stream_index) >= fmt->nb_streams) {
                av_packet_unref(pkt.get());
                continue;
            }
            const bool is_video = pkt->stream_index == video_index;
            const AVRational tb = fmt->streams[pkt->stream_index]->time_base;
            const int64_t ts = timeline.place(pkt.get(), tb, synthesise && is_video, info.discontinuities);
            if (ts != AV_NOPTS_VALUE) {
                data_start = std::min(data_start, to_seconds(ts, tb));
                data_end = std::max(data_end, to_seconds(ts + std::max<int64_t>(pkt->duration, 0), tb));
            }
            if (is_video && ts != AV_NOPTS_VALUE) {
                vs.pts.push_back(ts);
                if (pkt->flags & AV_PKT_FLAG_KEY) vs.keyframes.push_back(to_seconds(ts, vst->time_base));
                int64_t end = ts + pkt->duration;
                if (last_end == AV_NOPTS_VALUE || end > last_end) last_end = end;
            }
            av_packet_unref(pkt.get());
        }
        if (ret != AVERROR_EOF)
            throw Error(ErrorCode::InvalidMedia, "read error while scanning packets: " + av_error_string(ret), path);
        for (auto& jump : info.discontinuities) jump.at -= info.start_time;
        // The continuous timeline is longer than what the container declares (its first part's span).
        if (!info.discontinuities.empty() && data_end > data_start)
            info.duration = std::max(info.duration, data_end - info.start_time);
        if (synthesise && !vs.pts.empty()) info.timestamps_synthesised = true;
        auto& s = info.streams[video_index];
        finish_video_stats(s, vs, vst->time_base, info.start_time);
        if (last_end != AV_NOPTS_VALUE && !vs.pts.empty()) {
            double scanned = to_seconds(last_end - vs.pts.front(), vst->time_base);
            const double scanned_all = std::max(scanned, data_end - data_start);
            // A truncated file declares a longer duration than the packets of all its streams cover.
            if (info.duration > 0 && scanned_all + 1.0 < info.duration * 0.9)
                throw Error(ErrorCode::InvalidMedia,
                            "truncated: the container declares " + std::to_string(info.duration) +
                                " s but its data ends at " + std::to_string(scanned_all) + " s (video at " +
                                std::to_string(scanned) + " s)",
                            path);
            if (s.duration <= 0 || !info.discontinuities.empty()) s.duration = scanned;
        }
    } else if (video_index >= 0) {
        auto& s = info.streams[video_index];
        auto& ks = stats[video_index].keyframes;
        std::sort(ks.begin(), ks.end());
        s.keyframes = ks;
        for (auto& k : s.keyframes) k -= info.start_time;
        s.frame_count = fmt->streams[video_index]->nb_frames;
    }
    if (info.duration <= 0) {
        for (const auto& s : info.streams) info.duration = std::max(info.duration, s.duration);
    }
    if (!(info.duration > 0)) throw Error(ErrorCode::InvalidMedia, "zero duration (no media data)", path);
    // A picture whose size FFmpeg could not read or refused (an absurd SPS in a raw stream): nothing of it
    // decodes, while its packets alone would give it a duration.
    if (const StreamInfo* v = info.video(); v && (v->width <= 0 || v->height <= 0) && info.timestamps_synthesised)
        throw Error(ErrorCode::InvalidMedia, "the video stream has no picture size (its header is unreadable)", path);
    return info;
}

double picture_end(const MediaInfo& info) {
    const StreamInfo* video = info.video();
    if (!video || !(video->duration > 0)) return info.duration;
    const double end = video->start + video->duration;
    // Muxing slack (AAC padding: the sound a few ms longer) keeps the container's duration.
    return end > 0 && end < info.duration - kSoundPastPictureTolerance ? end : info.duration;
}

double sound_past_picture(const MediaInfo& info) { return info.duration - picture_end(info); }

std::string sound_past_picture_note(const MediaInfo& info, const std::string& what) {
    const double past = sound_past_picture(info);
    if (past <= 0) return {};
    // English (JSON, logs); the console shows it translated (Messages::from_english).
    return Messages().text(Msg::WarnSoundPastPicture, {{"past", seconds_text(past)},
                                                       {"picture", seconds_text(picture_end(info))},
                                                       {"sound", seconds_text(info.duration)},
                                                       {"what", what}});
}

void require_continuous_timestamps(const MediaInfo& info) {
    if (info.discontinuities.empty()) return;
    const TimestampJump& j = info.discontinuities.front();
    throw Error(ErrorCode::InvalidMedia,
                "timestamps jump back from " + seconds_text(j.from) + " s to " + seconds_text(j.to) + " s at " +
                    seconds_text(j.at) + " s into the file (byte " + std::to_string(j.byte) + ", " +
                    (info.discontinuities.size() == 1
                         ? std::string("the only discontinuity")
                         : "the first of " + std::to_string(info.discontinuities.size()) + " discontinuities") +
                    "): parts joined end to end (e.g. MPEG-TS segments); remux it into one continuous timeline "
                    "first: ffmpeg -i INPUT -c copy OUTPUT.mp4",
                info.path);
}

void require_timestamps(const MediaInfo& info) {
    if (!info.timestamps_synthesised) return;
    throw Error(ErrorCode::Unsupported,
                "a raw " + (info.video() ? info.video()->codec : info.container) +
                    " stream without timestamps: probe places its frames by the frame rate, but seeking, cutting "
                    "and timed frames need a container; remux it first: ffmpeg -r FPS -i INPUT -c copy OUTPUT.mp4",
                info.path);
}

namespace detail {
bool is_raw_elementary_stream(const AVFormatContext* fmt) {
    static constexpr std::array<std::string_view, 15> kRaw = {"h264", "hevc", "vvc",   "mpegvideo", "m4v",
                                                              "cavsvideo", "h261", "h263", "vc1", "dirac",
                                                              "dnxhd", "mjpeg", "avs2", "avs3", "obu"};
    return std::find(kRaw.begin(), kRaw.end(), std::string_view(fmt->iformat->name)) != kRaw.end();
}

void require_one_timeline(const AVFormatContext* fmt, const std::string& path) {
    if (!(fmt->iformat->flags & AVFMT_TS_DISCONT) && !is_raw_elementary_stream(fmt)) return;
    // The verdict of a file (by path, size and mtime) is kept for the process: readers opened per boundary
    // or per worker (intro cues, read_many's workers) do not scan the file again.
    static std::mutex mutex;
    static std::map<std::string, std::optional<Error>> verdicts;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
    const std::string key = path + '\n' + std::to_string(size) + '\n' + std::to_string(mtime);
    {
        std::lock_guard lock(mutex);
        if (const auto it = verdicts.find(key); it != verdicts.end()) {
            if (it->second) throw *it->second;
            return;
        }
    }
    std::optional<MediaInfo> info;
    try {
        info = probe(path, ProbeOptions{.scan_packets = false});
    } catch (const Error& e) {
        // Damage the probe refuses (a truncated tail) is the reader's to meet as before; not its verdict.
        if (e.code() == ErrorCode::Interrupted) throw;
    }
    std::optional<Error> verdict;
    try {
        if (info) {
            require_timestamps(*info);
            require_continuous_timestamps(*info);
        }
    } catch (const Error& e) {
        verdict = e;
    }
    std::lock_guard lock(mutex);
    verdicts.emplace(key, verdict);
    if (verdict) throw *verdict;
}
}  // namespace detail

nlohmann::json to_json(const MediaInfo& info) {
    nlohmann::json streams = nlohmann::json::array();
    for (const auto& s : info.streams) {
        nlohmann::json j = {{"index", s.index},
                            {"type", stream_kind_name(s.kind)},
                            {"codec", s.codec},
                            {"profile", s.profile},
                            {"start", s.start},
                            {"duration", s.duration},
                            {"bit_rate", s.bit_rate}};
        if (s.kind == StreamKind::Video) {
            j["width"] = s.width;
            j["height"] = s.height;
            j["pixel_format"] = s.pixel_format;
            j["fps"] = s.fps;
            j["nominal_fps"] = s.nominal_fps;
            j["variable_frame_rate"] = s.variable_frame_rate;
            j["rotation"] = s.rotation;
            j["frame_count"] = s.frame_count;
            j["keyframes"] = s.keyframes;
        } else if (s.kind == StreamKind::Audio) {
            j["sample_rate"] = s.sample_rate;
            j["channels"] = s.channels;
            j["channel_layout"] = s.channel_layout;
            j["sample_format"] = s.sample_format;
        }
        streams.push_back(std::move(j));
    }
    nlohmann::json jumps = nlohmann::json::array();
    for (const auto& j : info.discontinuities)
        jumps.push_back({{"at", j.at}, {"from", j.from}, {"to", j.to}, {"byte", j.byte}});
    nlohmann::json doc = {{"path", info.path},         {"container", info.container}, {"duration", info.duration},
                          {"start_time", info.start_time}, {"size_bytes", info.size_bytes}, {"bit_rate", info.bit_rate},
                          {"streams", streams}};
    // Only when there are some: the documents of ordinary files stay as they were.
    if (!jumps.empty()) doc["discontinuities"] = std::move(jumps);
    if (info.timestamps_synthesised) doc["timestamps"] = "none (raw stream: frames placed by the frame rate)";
    return doc;
}

}  // namespace vidseg::media

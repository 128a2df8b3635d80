#include "vidseg/media/frame_reader.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <thread>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/ffmpeg_util.hpp"
#include "vidseg/media/frame_convert.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::media {

namespace {

constexpr double kEps = 1e-6;  // seconds; absorbs time-base rounding when comparing frame times

std::string fmt_seconds(double s) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3f", s);
    return buf;
}

unsigned hardware_cores() {
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

// One demuxer + one decoder positioned somewhere in the video, with the frame state needed to answer
// ascending targets without going back.
class Decoder {
public:
    Decoder(const std::string& path, const FrameReaderOptions& options, int threads)
        : path_(path), options_(options) {
        fmt_ = open_input(path);
        index_ = detail::find_video_stream(fmt_.get(), path);
        st_ = fmt_->streams[index_];
        tb_ = st_->time_base;
        start_ = container_start(fmt_.get());
        dec_ = open_decoder(st_, path, threads);
        pkt_ = make_packet();
        held_ = make_frame();
        pending_ = make_frame();
        tmp_ = make_frame();
        rotation_ = options.apply_rotation ? stream_rotation(st_) : 0;
        auto [ow, oh] = detail::display_fit(st_, rotation_, options.max_width, options.max_height, path);
        out_w_ = ow;
        out_h_ = oh;
        if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0)
            duration_ = fmt_->duration / static_cast<double>(AV_TIME_BASE);
        else if (st_->duration != AV_NOPTS_VALUE && st_->duration > 0)
            duration_ = to_seconds(st_->duration, tb_);
        picture_duration_ = duration_;
        if (st_->duration != AV_NOPTS_VALUE && st_->duration > 0) {
            const int64_t first = st_->start_time != AV_NOPTS_VALUE ? st_->start_time : 0;
            const double end = to_seconds(first + st_->duration, tb_) - start_;
            // Muxing slack (AAC padding: the sound a few ms longer) keeps the container's duration.
            if (end > 0 && (duration_ <= 0 || end < duration_ - kSoundPastPictureTolerance)) picture_duration_ = end;
        }
        AVRational r = st_->avg_frame_rate.num > 0 ? st_->avg_frame_rate : st_->r_frame_rate;
        fps_ = r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
        read_index();
    }

    double duration() const { return duration_; }
    double picture_duration() const { return picture_duration_; }
    const AVFormatContext* format() const { return fmt_.get(); }
    double fps() const { return fps_; }
    int width() const { return out_w_; }
    int height() const { return out_h_; }
    const std::vector<double>& keyframes() const { return keyframes_; }

    // Index of the keyframe group of t (number of keyframes <= t), used to split work between workers.
    size_t keyframe_group(double t) const {
        return static_cast<size_t>(std::upper_bound(keyframes_.begin(), keyframes_.end(), t + kEps) -
                                   keyframes_.begin());
    }

    // The frame on screen at t. Targets should be ascending for best speed; any order is correct.
    // may_cut: the caller will seek before asking for a later time, so decoding may stop as soon as the
    // demuxer proves that no later packet can be displayed at or before t (its dts > t, and pts >= dts).
    Image frame_at(double t, bool may_cut = false) {
        Image out;
        frame_at(t, may_cut, out);
        return out;
    }

    // Same, converting into `out` so that a caller asking for many frames reuses one pixel buffer
    // (a fresh 6 MB buffer per 1080p frame costs page faults and zeroing, ~10% of the work).
    void frame_at(double t, bool may_cut, Image& out) {
        if (!answerable_without_seek(t)) seek_to(t);
        may_cut_ = may_cut;
        advance_to(t);
        const AVFrame* f = have_held_ ? held_.get() : have_pending_ ? pending_.get() : nullptr;
        if (!f) throw Error(ErrorCode::InvalidMedia, "no decodable frame at " + fmt_seconds(t) + " s", path_);
        const double ft = have_held_ ? held_time_ : pending_time_;
        converter_.convert(f, out_w_, out_h_, options_.layout, rotation_, ft, out);
    }

    // The keyframes the container's index lists (Matroska/WebM read their cues only at the first seek).
    void read_index() {
        const int n = avformat_index_get_entries_count(st_);
        keyframe_ts_.clear();
        keyframes_.clear();
        for (int i = 0; i < n; ++i) {
            const AVIndexEntry* e = avformat_index_get_entry(st_, i);
            if (e && (e->flags & AVINDEX_KEYFRAME) && e->timestamp != AV_NOPTS_VALUE)
                keyframe_ts_.push_back(e->timestamp);
        }
        std::sort(keyframe_ts_.begin(), keyframe_ts_.end());
        for (const int64_t ts : keyframe_ts_) keyframes_.push_back(to_seconds(ts, tb_) - start_);
    }

    // Matroska / WebM list their keyframes (cues) only after a first seek: one seek towards t, once, when
    // the index looks empty, then the index is read again.
    void load_deferred_index(double t) {
        if (keyframes_.size() >= 2 || index_loaded_) return;
        index_loaded_ = true;
        check_seek(av_seek_frame(fmt_.get(), index_, from_seconds(t + start_, tb_), AVSEEK_FLAG_BACKWARD));
        positioned_ = false;
        read_index();
    }

    // Index in keyframes() of the keyframe nearest to t (keyframes() must not be empty).
    std::size_t nearest_keyframe_index(double t) const {
        const auto it = std::lower_bound(keyframes_.begin(), keyframes_.end(), t);
        if (it == keyframes_.end()) return keyframes_.size() - 1;
        const auto i = static_cast<std::size_t>(it - keyframes_.begin());
        return it != keyframes_.begin() && t - *(it - 1) <= *it - t ? i - 1 : i;
    }

    // The keyframe nearest to t (FrameReaderOptions::nearest_keyframe): one seek, then the decoder
    // discards every non-key packet, so the first picture out is the keyframe.
    void keyframe_near(double t, Image& out) {
        // A backward seek to halfway between the chosen keyframe and the next lands on it: the index
        // holds decoding times, which demuxers compare with presentation times (mov: a B-frame delay
        // later), so seeking to the keyframe's own index time would land a whole GOP early.
        load_deferred_index(t);
        int64_t ts = from_seconds(t + start_, tb_);
        if (!keyframes_.empty()) {
            const std::size_t i = nearest_keyframe_index(t);
            ts = i + 1 < keyframe_ts_.size() ? keyframe_ts_[i] + (keyframe_ts_[i + 1] - keyframe_ts_[i]) / 2
                                             : std::numeric_limits<int64_t>::max() / 2;
            if (i == 0) ts = std::numeric_limits<int64_t>::min() / 2;
        }
        int ret = av_seek_frame(fmt_.get(), index_, ts, AVSEEK_FLAG_BACKWARD);
        if (ret < 0) ret = avformat_seek_file(fmt_.get(), -1, std::numeric_limits<int64_t>::min(), 0, 0, 0);
        check_seek(ret);
        reset_state();
        keyframes_only_ = true;
        const bool found = next_frame(tmp_.get());
        keyframes_only_ = false;
        positioned_ = false;  // an exact read after this one seeks again
        if (!found) throw Error(ErrorCode::InvalidMedia, "no decodable keyframe near " + fmt_seconds(t) + " s", path_);
        converter_.convert(tmp_.get(), out_w_, out_h_, options_.layout, rotation_, time_of(tmp_.get()), out);
        av_frame_unref(tmp_.get());
    }

private:
    double time_of(const AVFrame* f) const { return to_seconds(frame_timestamp(f), tb_) - start_; }

    // A failed seek: a video track declared but never written (no packet at all) fails every seek
    // (EPERM in Matroska); that is bad media and said so, not "cannot seek".
    void check_seek(int ret) {
        if (ret >= 0) return;
        if (!stream_has_packets())
            throw Error(ErrorCode::InvalidMedia, "its video stream holds no frames", path_);
        check_av(ret, "cannot seek", path_);
    }

    // Reads from the first byte until a packet of the video stream appears (a stream without packets is
    // read to the end once: then the command stops anyway).
    bool stream_has_packets() {
        if (av_seek_frame(fmt_.get(), -1, 0, AVSEEK_FLAG_BYTE) < 0 && fmt_->pb) avio_seek(fmt_->pb, 0, SEEK_SET);
        positioned_ = false;
        for (;;) {
            if (av_read_frame(fmt_.get(), pkt_.get()) < 0) return false;
            const bool ours = pkt_->stream_index == index_;
            av_packet_unref(pkt_.get());
            if (ours) return true;
        }
    }

    bool answerable_without_seek(double t) const {
        if (!positioned_ || !have_held_ || held_time_ > t + kEps) return false;
        const double pos = have_pending_ ? pending_time_ : held_time_;
        if (have_pending_ && pending_time_ > t + kEps) return true;  // held is the answer already
        if (cut_) return false;                                      // decoding stopped early: reseek
        if (eof_) return true;                                       // nothing after held
        if (keyframes_.empty()) return t - pos < 1.0;                // no index: decode through short gaps
        // Continue forward when seeking would land on a keyframe that is not after the current position.
        auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), t + kEps);
        if (it == keyframes_.begin()) return true;
        return *(it - 1) <= pos + kEps;
    }

    void reset_state() {
        avcodec_flush_buffers(dec_.get());
        av_frame_unref(held_.get());
        av_frame_unref(pending_.get());
        have_held_ = have_pending_ = false;
        draining_ = eof_ = cut_ = false;
        may_cut_ = false;
        best_seen_ = std::numeric_limits<int64_t>::min();
        positioned_ = true;
    }

    // Seeks to the keyframe at or before t. Containers index keyframes by dts, so the landing keyframe
    // may still be displayed after t (B-frame delay): then it seeks further back.
    void seek_to(double t) {
        double back = 0;
        for (;;) {
            throw_if_cancelled();
            const double seek_t = std::max(0.0, t - back);
            int64_t ts = from_seconds(seek_t + start_, tb_);
            if (seek_t <= 0) ts = std::numeric_limits<int64_t>::min() / 2;
            int ret = av_seek_frame(fmt_.get(), index_, ts, AVSEEK_FLAG_BACKWARD);
            if (ret < 0 && seek_t <= 0)
                ret = avformat_seek_file(fmt_.get(), -1, std::numeric_limits<int64_t>::min(), 0, 0, 0);
            if (ret < 0 && seek_t <= 0)
                ret = av_seek_frame(fmt_.get(), index_, 0, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_BYTE);
            check_seek(ret);
            reset_state();
            target_ts_ = target_ts(t);
            if (!next_frame(tmp_.get())) {
                eof_ = true;
                if (seek_t <= 0) return;
            } else {
                const double ft = time_of(tmp_.get());
                if (ft <= t + kEps || seek_t <= 0) {
                    store(ft, t);
                    return;
                }
            }
            back = back == 0 ? 0.5 : back * 2;
        }
    }

    int64_t target_ts(double t) const {
        return static_cast<int64_t>(std::floor((t + start_ + kEps) / av_q2d(tb_)));
    }

    void store(double ft, double t) {
        if (ft <= t + kEps) {
            av_frame_unref(held_.get());
            av_frame_move_ref(held_.get(), tmp_.get());
            held_time_ = ft;
            have_held_ = true;
        } else {
            av_frame_move_ref(pending_.get(), tmp_.get());
            pending_time_ = ft;
            have_pending_ = true;
        }
    }

    // Decodes until the first frame after t is known (or the end): held = last frame with time <= t.
    void advance_to(double t) {
        target_ts_ = std::max(target_ts_, target_ts(t));
        if (have_pending_ && pending_time_ <= t + kEps) {
            av_frame_unref(held_.get());
            av_frame_move_ref(held_.get(), pending_.get());
            held_time_ = pending_time_;
            have_held_ = true;
            have_pending_ = false;
        }
        while (!have_pending_ && !eof_) {
            if (!next_frame(tmp_.get())) {
                eof_ = true;
                break;
            }
            store(time_of(tmp_.get()), t);
        }
    }

    // Next decoded frame in presentation order; false at the end of the stream.
    bool next_frame(AVFrame* out) {
        for (;;) {
            int ret = avcodec_receive_frame(dec_.get(), out);
            if (ret == 0) return true;
            if (ret == AVERROR_EOF) return false;
            if (draining_) return false;  // drained (or a broken tail while draining)
            if (++packets_since_check_ >= 16) {
                packets_since_check_ = 0;
                throw_if_cancelled();
            }
            // Feed the next packet of our stream.
            for (;;) {
                ret = av_read_frame(fmt_.get(), pkt_.get());
                if (ret < 0) {
                    avcodec_send_packet(dec_.get(), nullptr);
                    draining_ = true;
                    break;
                }
                if (pkt_->stream_index != index_) {
                    av_packet_unref(pkt_.get());
                    continue;
                }
                if (may_cut_ && pkt_->dts != AV_NOPTS_VALUE && pkt_->dts > target_ts_ && have_held_) {
                    // Nothing from here on can be shown at or before the target: drain instead of decoding on.
                    av_packet_unref(pkt_.get());
                    avcodec_send_packet(dec_.get(), nullptr);
                    draining_ = cut_ = true;
                    break;
                }
                const int64_t pts = pkt_->pts;
                // A packet whose pts is below an already sent candidate (pts <= target) can never be the
                // answer for this or any later target: the decoder may drop it if nothing refers to it.
                const bool skippable =
                    options_.skip_nonref && pts != AV_NOPTS_VALUE && best_seen_ != std::numeric_limits<int64_t>::min() &&
                    pts < best_seen_;
                dec_->skip_frame = keyframes_only_ ? AVDISCARD_NONKEY : skippable ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
                if (pts != AV_NOPTS_VALUE && pts <= target_ts_) best_seen_ = std::max(best_seen_, pts);
                ret = avcodec_send_packet(dec_.get(), pkt_.get());
                av_packet_unref(pkt_.get());
                (void)ret;  // corrupt packets are dropped; the decoder resynchronises on its own
                break;
            }
        }
    }

    std::string path_;
    FrameReaderOptions options_;
    InputFormatPtr fmt_;
    int index_ = -1;
    AVStream* st_ = nullptr;
    AVRational tb_{1, 1};
    double start_ = 0;
    CodecContextPtr dec_;
    PacketPtr pkt_;
    FramePtr held_, pending_, tmp_;
    bool have_held_ = false, have_pending_ = false;
    double held_time_ = 0, pending_time_ = 0;
    bool positioned_ = false, draining_ = false, eof_ = false;
    bool may_cut_ = false, cut_ = false;
    bool keyframes_only_ = false;
    int64_t best_seen_ = std::numeric_limits<int64_t>::min();
    int64_t target_ts_ = std::numeric_limits<int64_t>::min();
    int packets_since_check_ = 0;
    int rotation_ = 0;
    int out_w_ = 0, out_h_ = 0;
    double duration_ = 0, picture_duration_ = 0, fps_ = 0;
    std::vector<double> keyframes_;    // seconds from the start, sorted
    std::vector<int64_t> keyframe_ts_;  // the same, as the index's timestamps
    bool index_loaded_ = false;
    detail::FrameConverter converter_;
};

}  // namespace

struct FrameReader::Impl {
    std::string path;
    FrameReaderOptions options;
    std::unique_ptr<Decoder> decoder;

    void validate(double t) const {
        const double d = decoder->duration();
        if (!std::isfinite(t) || t < 0 || (d > 0 && t > d + kEps))
            throw Error(ErrorCode::InvalidArgument,
                        "time " + fmt_seconds(t) + " s is outside the video (duration " + fmt_seconds(d) + " s)",
                        path);
    }
};

FrameReader::FrameReader(const std::string& path, FrameReaderOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->options = options;
    // One decoding thread: targets are reached by seeking and decoding a part of a GOP, where frame
    // threading adds latency and memory; read_many parallelises across targets instead.
    impl_->decoder = std::make_unique<Decoder>(path, options, 1);
    detail::require_one_timeline(impl_->decoder->format(), path);
}

FrameReader::~FrameReader() = default;

double FrameReader::duration() const { return impl_->decoder->duration(); }
double FrameReader::picture_duration() const { return impl_->decoder->picture_duration(); }
double FrameReader::fps() const { return impl_->decoder->fps(); }
int FrameReader::width() const { return impl_->decoder->width(); }
int FrameReader::height() const { return impl_->decoder->height(); }

Image FrameReader::read_at(double t) {
    impl_->validate(t);
    if (impl_->options.nearest_keyframe) {
        Image out;
        impl_->decoder->keyframe_near(t, out);
        return out;
    }
    return impl_->decoder->frame_at(t);
}

std::vector<Image> FrameReader::read_span(double from, double to) {
    const double period = 1.0 / (fps() > 0 ? fps() : 25);
    std::vector<double> times;
    for (double t = from; t < to; t += period) times.push_back(t);
    std::vector<Image> images(times.size());
    read_many(times, [&](std::size_t i, const Image& image) { images[i] = image; });
    std::sort(images.begin(), images.end(), [](const Image& x, const Image& y) { return x.time < y.time; });
    images.erase(std::unique(images.begin(), images.end(), [](const Image& x, const Image& y) { return x.time == y.time; }),
                 images.end());
    return images;
}

void FrameReader::read_many(const std::vector<double>& requested,
                            const std::function<void(size_t, const Image&)>& sink, Progress* progress) {
    for (double t : requested) impl_->validate(t);
    if (requested.empty()) return;
    // Nearest-keyframe mode: targets that pick the same keyframe become one target, decoded once.
    std::vector<double> snapped;
    if (impl_->options.nearest_keyframe) impl_->decoder->load_deferred_index(requested.front());
    if (impl_->options.nearest_keyframe && !impl_->decoder->keyframes().empty()) {
        const auto& keys = impl_->decoder->keyframes();
        snapped.reserve(requested.size());
        for (double t : requested) snapped.push_back(keys[impl_->decoder->nearest_keyframe_index(t)]);
    }
    const std::vector<double>& times = snapped.empty() ? requested : snapped;
    std::vector<size_t> order(times.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return times[a] < times[b]; });

    // Work units: runs of sorted targets in the same keyframe group (never split across workers).
    const Decoder& main = *impl_->decoder;
    std::vector<size_t> unit_begin;  // positions in order
    for (size_t i = 0; i < order.size(); ++i)
        if (i == 0 || main.keyframe_group(times[order[i]]) != main.keyframe_group(times[order[i - 1]]))
            unit_begin.push_back(i);
    const unsigned cores = hardware_cores();
    size_t workers = impl_->options.workers > 0 ? static_cast<size_t>(impl_->options.workers) : cores;
    workers = std::max<size_t>(1, std::min(workers, unit_begin.size()));

    // Contiguous shares balanced by target count, cut at unit boundaries.
    std::vector<std::pair<size_t, size_t>> shares;  // [begin, end) in order
    {
        const size_t units = unit_begin.size();
        size_t u = 0;
        for (size_t w = 0; w < workers && u < units; ++w) {
            const size_t begin = unit_begin[u];
            const size_t goal = (order.size() * (w + 1)) / workers;
            const size_t workers_left = workers - w - 1;
            ++u;  // at least one unit each
            while (u < units && unit_begin[u] < goal && units - u > workers_left) ++u;
            if (w + 1 == workers) u = units;
            shares.emplace_back(begin, u < units ? unit_begin[u] : order.size());
        }
    }

    std::mutex sink_mutex, progress_mutex;
    std::atomic<bool> stop{false};
    size_t done = 0;
    if (progress) progress->begin("frames", static_cast<double>(times.size()));

    auto run_share = [&](Decoder& decoder, size_t begin, size_t end) {
        size_t i = begin;
        Image image;
        while (i < end) {
            if (stop.load()) return;
            throw_if_cancelled();
            const double t = times[order[i]];
            size_t j = i;
            while (j < end && times[order[j]] == t) ++j;
            // Stop decoding early when the next target of this share will need a seek anyway.
            bool may_cut = j == end;
            if (!may_cut) {
                const double next = times[order[j]];
                may_cut = decoder.keyframes().empty() ? next - t >= 1.0
                                                      : decoder.keyframe_group(next) != decoder.keyframe_group(t);
            }
            if (impl_->options.nearest_keyframe)
                decoder.keyframe_near(t, image);
            else
                decoder.frame_at(t, may_cut, image);
            j = i;
            for (; j < end && times[order[j]] == t; ++j) {
                if (impl_->options.serialize_sink || shares.size() == 1) {
                    std::lock_guard lock(sink_mutex);
                    sink(order[j], image);
                } else {
                    sink(order[j], image);
                }
            }
            if (progress) {
                std::lock_guard lock(progress_mutex);
                done += j - i;
                progress->update(static_cast<double>(done));
            }
            i = j;
        }
    };

    if (shares.size() == 1) {
        run_share(*impl_->decoder, shares[0].first, shares[0].second);
    } else {
        const int threads_each = static_cast<int>(std::max<unsigned>(1, cores / static_cast<unsigned>(shares.size())));
        std::exception_ptr error;
        std::mutex error_mutex;
        std::vector<std::thread> threads;
        for (size_t w = 0; w < shares.size(); ++w) {
            threads.emplace_back([&, w] {
                try {
                    // The reader's own decoder serves the first share; keeping it idle beside the
                    // workers would hold a full set of decoder buffers for nothing.
                    if (w == 0) {
                        run_share(*impl_->decoder, shares[w].first, shares[w].second);
                        return;
                    }
                    Decoder own(impl_->path, impl_->options, threads_each);
                    run_share(own, shares[w].first, shares[w].second);
                } catch (...) {
                    std::lock_guard lock(error_mutex);
                    if (!error) error = std::current_exception();
                    stop = true;
                }
            });
        }
        for (auto& th : threads) th.join();
        if (error) std::rethrow_exception(error);
    }
    if (progress) progress->end();
}

}  // namespace vidseg::media

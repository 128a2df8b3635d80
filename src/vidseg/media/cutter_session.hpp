// Private to src/vidseg/media: the state of one cut_clips() call, shared by cutter.cpp (planning and
// GOP routing), cutter_output.cpp (muxing, video re-encoding, finishing clips) and cutter_audio.cpp.
#pragma once

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

namespace vidseg::media::detail {

// Cut points closer than this to a frame or keyframe count as on it (well below any frame interval,
// above container timestamp rounding such as Matroska's 1 ms).
constexpr double kEps = 5e-4;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Clips whose gap is smaller than this are cut in the same pass instead of seeking.
constexpr double kSeekGap = 10.0;

inline std::string muxer_name(const std::string& path) {
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
    void feed_gop(const Gop& g, bool next_leading, const Span& span, std::vector<Clip*>& clips);
    bool disposable(const AVPacket* pkt) const;
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

}  // namespace vidseg::media::detail

// Cutting clips out of a video: stream copy at keyframes ("copy") or frame-exact ("exact") with a
// smart cut that re-encodes only the partial GOPs at the cut points and stream-copies the rest.
// Plain data in, plain data out: no FFmpeg types here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg {
class Progress;
}

namespace vidseg::media {

enum class CutMode { Copy, Exact };
const char* cut_mode_name(CutMode mode) noexcept;

// One clip to cut: source seconds (relative to the container start), [start, end).
struct ClipSpec {
    double start = 0;
    double end = 0;
    std::string output_path;  // the muxer is chosen from its extension (see clip_extension)
};

// x264 preset of re-encoded partial GOPs. "ultrafast" at CRF 18 keeps them visually clean (they are
// bigger, but only ~1 s of each clip) and makes exact cutting ~1.6x faster than "veryfast".
inline constexpr const char* kDefaultPreset = "ultrafast";

struct CutOptions {
    CutMode mode = CutMode::Exact;
    int crf = 18;                     // quality of re-encoded video parts (x264 crf / vpx crf)
    std::string preset = kDefaultPreset;  // x264 preset for re-encoded parts
    bool audio = true;                // include the first audio stream
    Progress* progress = nullptr;
};

struct ClipResult {
    std::string output_path;
    double requested_start = 0, requested_end = 0;
    // Source time of the first frame / end of the last frame actually in the clip (the pts of the
    // next source frame, or the end of the video).
    double actual_start = 0, actual_end = 0;
    long long frames = 0;           // video frames in the clip
    double reencoded_seconds = 0;   // how much video was re-encoded
    // "copy" (only copied packets), "smart" (partial re-encode + stream copy) or "reencode" (full).
    std::string method;
};

// Cuts all clips from one input. Clips may be unsorted and may overlap; clips close to each other
// (contiguous segments in particular) are cut in ONE demux pass, distant ones after a seek.
// Results are in the order of `clips`.
// Copy: each clip starts at the first keyframe >= start and ends at the first keyframe >= end (if
// no keyframe lies in [start, end), it starts at the keyframe before start instead).
// Exact: the clip holds exactly the source frames with pts in [start, end); audio is re-encoded
// over the same span. Throws Error: InvalidArgument (bad interval), InvalidMedia (no video stream),
// OutputError (cannot write an output), Unsupported (no encoder), Interrupted.
std::vector<ClipResult> cut_clips(const std::string& input, const std::vector<ClipSpec>& clips,
                                  const CutOptions& options);

namespace detail {
class Cutter;
}

// cut_clips() call after call on one input, which stays open (its index parsed once, its decoders
// allocated once): for callers that cut many batches of one lesson, one ClipCutter per thread.
// Same results and errors as cut_clips; the input is opened (and errors about it thrown) by the
// first cut().
class ClipCutter {
public:
    ClipCutter(const std::string& input, const CutOptions& options);
    ~ClipCutter();
    ClipCutter(const ClipCutter&) = delete;
    ClipCutter& operator=(const ClipCutter&) = delete;

    std::vector<ClipResult> cut(const std::vector<ClipSpec>& clips);

private:
    std::unique_ptr<detail::Cutter> impl_;
};

// File extension (".mp4", ".mkv", ".webm") to use for clips of this input in this mode.
// input_container is the demuxer name from probe (e.g. "mov,mp4,m4a,3gp,3g2,mj2").
std::string clip_extension(const std::string& input_container, const std::string& video_codec, CutMode mode);

// Consecutive [k*length, (k+1)*length) clips covering [0, duration); the last one is shorter and a
// remainder shorter than min_remainder (e.g. one frame) is dropped. Output paths are left empty.
std::vector<ClipSpec> fixed_segments(double duration, double length, double min_remainder = 0.04);

nlohmann::json to_json(const ClipResult& result);

}  // namespace vidseg::media

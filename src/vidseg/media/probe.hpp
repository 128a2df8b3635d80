// What a media file holds: container, duration, streams, codecs, frame rate (and whether it is
// variable), rotation, keyframe positions. Plain data, no FFmpeg types.
#pragma once

#include <optional>

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace vidseg::media {

enum class StreamKind { Video, Audio, Subtitle, Data, Other };
const char* stream_kind_name(StreamKind kind) noexcept;

struct StreamInfo {
    int index = -1;
    StreamKind kind = StreamKind::Other;
    std::string codec;    // e.g. "h264"
    std::string profile;  // e.g. "High", may be empty
    double start = 0;     // seconds, relative to the container start
    double duration = 0;  // seconds (0 when unknown)
    long long bit_rate = 0;
    // Video.
    int width = 0, height = 0;
    std::string pixel_format;
    double fps = 0;            // average frame rate (frames / duration)
    double nominal_fps = 0;    // the stream's declared (r_frame_rate) rate
    bool variable_frame_rate = false;
    int rotation = 0;          // degrees clockwise to rotate for display: 0, 90, 180, 270
    long long frame_count = 0; // from the index or a packet scan; 0 when unknown
    std::vector<double> keyframes;  // seconds, relative to the container start, ascending
    // Audio.
    int sample_rate = 0;
    int channels = 0;
    std::string channel_layout;
    std::string sample_format;
};

struct MediaInfo {
    std::string path;
    std::string container;  // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    double duration = 0;    // seconds
    double start_time = 0;  // container start time in seconds (timestamps here are relative to it)
    long long size_bytes = 0;
    long long bit_rate = 0;
    std::vector<StreamInfo> streams;

    // First video / audio stream (the ones vidseg works with), or nullptr.
    const StreamInfo* video() const;
    const StreamInfo* audio() const;
};

struct ProbeOptions {
    // Read every video packet to get exact keyframes, frame count and VFR detection when the
    // container index does not give them. Reading packets does not decode and is fast.
    bool scan_packets = true;
};

// Throws Error: InputNotFound, InvalidMedia (not media, no streams, zero duration, truncated).
MediaInfo probe(const std::string& path, const ProbeOptions& options = {});

// Convenience: index of the keyframe at or before t (or 0).
double keyframe_at_or_before(const StreamInfo& video, double t);

// Machine-readable form (used by --json and the server).
nlohmann::json to_json(const MediaInfo& info);

}  // namespace vidseg::media

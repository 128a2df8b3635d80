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

// A video timestamp jumping back (parts joined end to end, e.g. MPEG-TS segments): probe unwraps it into
// one continuous timeline (the later part continues where the earlier ended, as ffmpeg does for MPEG-TS).
struct TimestampJump {
    double at = 0;    // seconds on the continuous timeline (relative to start_time) where the later part begins
    double from = 0;  // the stream's own timestamp (s) before the jump
    double to = 0;    // and after it
    long long byte = -1;  // file offset of the first packet after it (-1 unknown)
};

struct MediaInfo {
    std::string path;
    std::string container;  // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    double duration = 0;    // seconds
    double start_time = 0;  // container start time in seconds (timestamps here are relative to it)
    long long size_bytes = 0;
    long long bit_rate = 0;
    std::vector<StreamInfo> streams;
    // Backward jumps of the video timestamps (scan_packets, or containers without a complete index);
    // durations, keyframes and frame counts above are on the unwrapped timeline.
    std::vector<TimestampJump> discontinuities;
    // A raw elementary stream (.h264, .hevc): no timestamps, frames placed by their durations.
    bool timestamps_synthesised = false;

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

// Where the picture ends: the video stream's end when the sound outlasts it by more than
// kSoundPastPictureTolerance (AAC padding and muxing slack are not "sound without picture"), else the
// duration. Segments are planned over it.
constexpr double kSoundPastPictureTolerance = 0.5;
double picture_end(const MediaInfo& info);
// Seconds of sound after picture_end (0 unless the sound outlasts the picture as above).
double sound_past_picture(const MediaInfo& info);
// A warning saying so ("... WHAT cover the picture only ..."), empty when the sound does not outlast it.
std::string sound_past_picture_note(const MediaInfo& info, const std::string& what);

// Commands that seek, cut or place frames in time need one continuous timeline with timestamps:
// InvalidMedia naming the first discontinuity (and how to remux) / Unsupported for a raw stream.
void require_continuous_timestamps(const MediaInfo& info);
void require_timestamps(const MediaInfo& info);

// Convenience: index of the keyframe at or before t (or 0).
double keyframe_at_or_before(const StreamInfo& video, double t);

// Machine-readable form (used by --json and the server).
nlohmann::json to_json(const MediaInfo& info);

}  // namespace vidseg::media

// Label Studio `videorectangle` tracks (SPEC §3): a region whose `sequence` holds keyframes only,
// with x / y / width / height in percent of the frame. Between two keyframes the box is
// interpolated linearly when the earlier keyframe is enabled; a keyframe with `enabled: false`
// ends the track (the box is shown on that frame only) until the next keyframe starts it again.
// After the last keyframe an enabled track lasts to the end of the video (`duration`, when known).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vidseg::annotations {

struct Box {
    double x = 0, y = 0, width = 0, height = 0;  // percent of the frame (0..100)
    double rotation = 0;                        // degrees
    bool operator==(const Box&) const = default;
};

struct TrackKeyframe {
    int frame = 0;    // Label Studio frame number (1-based)
    double time = 0;  // seconds
    Box box;
    bool enabled = true;
};

struct VideoTrack {
    std::vector<TrackKeyframe> keyframes;  // sorted by time
    int frames_count = 0;                  // 0 = unknown
    double duration = 0;                   // seconds, 0 = unknown
    std::vector<std::string> labels;

    // The box at time t (seconds), or nullopt where the track is not active: before the first
    // keyframe, inside a gap after a disabled keyframe, after `duration` (when known).
    std::optional<Box> box_at(double t) const;
    // Time of the first keyframe (0 for an empty track).
    double first_time() const { return keyframes.empty() ? 0 : keyframes.front().time; }
};

// Parses a videorectangle `value`. A keyframe's time is (frame - 1) / fps when it has a frame
// number and fps is given: Label Studio numbers frames from 1 and shows frame f at (f - 1) / fps,
// but its editor (1.23) writes `time` = frame / frameRate, one frame late. Without fps an editor
// `time` is corrected to time · (frame - 1) / frame (the same instant); a keyframe without frame
// number keeps its `time`. Throws InvalidData naming `where` (e.g. "task 3, result 'a1b2'") for a missing or
// non-array `sequence`, a keyframe without a number field, or no usable time.
VideoTrack parse_video_track(const nlohmann::json& value, const std::string& where,
                             std::optional<double> fps = std::nullopt);

}  // namespace vidseg::annotations

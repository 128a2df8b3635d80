// What `vidseg prepare` hands to Label Studio: the labeling config (label_config.xml) for
// labeling 5-second segment tasks, and the task import list (tasks.json).
//
// Label Studio facts relied on (labelstud.io/tags): <Video frameRate> accepts a task variable
// ("$fps"; default 24, which would turn frame numbers into wrong times for other rates);
// <Choices choice="multiple"> gives checkboxes; <Choice hint> / <Label hint> show on hover;
// <Labels toName="audio"> marks time intervals (seconds) on an <Audio> object; media served by
// Label Studio's local-files storage is addressed as /data/local-files/?d=<path relative to
// LOCAL_FILES_DOCUMENT_ROOT>.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vidseg/annotations/pattern_list.hpp"

namespace vidseg::annotations {

// Control and object names in the config; exported results refer to them as from_name / to_name.
inline constexpr const char* kVideoObject = "video";
inline constexpr const char* kAudioObject = "audio";
inline constexpr const char* kPatternChoices = "patterns";
inline constexpr const char* kPatternIntervals = "pattern_intervals";
inline constexpr const char* kVideoIntervals = "video_intervals";
inline constexpr const char* kTrackedLabels = "tracked";
inline constexpr const char* kTrackBox = "box";
// Who a tracked box follows (SPEC §1 step 3: the teacher / an active student).
inline constexpr const char* kTrackedRoles[] = {"Учитель", "Ученик"};

// <View> with <Video name="video" value="$video" frameRate="$fps"/>, <Audio name="audio"
// value="$audio"/>, <Choices name="patterns" toName="video" choice="multiple"> (one <Choice> per
// pattern, hint = description) and <Labels name="pattern_intervals" toName="audio"> (one <Label>
// per pattern), then the video controls: <TimelineLabels name="video_intervals" toName="video"> (one
// <Label> per pattern), <Labels name="tracked" toName="video"> (kTrackedRoles) and <VideoRectangle
// name="box" toName="video"/>. Values are XML-escaped. Throws InvalidArgument for an empty pattern list.
std::string segment_label_config(const std::vector<Pattern>& patterns);

struct SegmentTask {
    int index = 0;         // 0-based segment number
    double start = 0;      // seconds in the source video
    double end = 0;
    std::string video_url;     // clip of the segment
    std::string audio_url;     // audio of the segment
    std::string keyframe_url;  // keyframe image
    double fps = 0;            // the clip's real frame rate (written into every task, see above)
    nlohmann::json features = nlohmann::json::object();  // per-segment features (loudness, ...)
};

// [{"data": {"video", "audio", "image", "segment", "start", "end", "fps", "lesson", "features"}}, ...]
// in the given order. The keys match the $variables of segment_label_config().
// Throws InvalidArgument for a task with end <= start or fps <= 0 (Label Studio would silently
// fall back to 24 fps and every exported frame number would be wrong).
nlohmann::json make_tasks(const std::vector<SegmentTask>& tasks, const std::string& lesson_name);

// Joins base_url and a relative path ("part_films/segment 1.mp4"), percent-encoding each path
// segment as UTF-8 (spaces, Cyrillic, '#', '?', ...) and keeping '/' separators. Backslashes in the
// path are taken as separators. With an empty base_url returns Label Studio's local-files form
// "/data/local-files/?d=<encoded path>". Throws InvalidArgument for an empty, absolute or
// ".."-containing relative path (it must stay inside the served folder).
std::string media_url(const std::string& base_url, const std::string& relative_path);

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percent_encode(const std::string& text);

}  // namespace vidseg::annotations

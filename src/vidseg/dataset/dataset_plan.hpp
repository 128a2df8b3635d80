// Planning of `vidseg dataset build` (SPEC §1 step 4): which labeled intervals of a Label Studio
// export become dataset fragments, from which video, with which patterns and crop box, in which
// split — and which items are bad (each named, never dropped silently). No media I/O here.
//
// Task ↔ video matching is by FILE NAME: the basename of the task's data.video URL (or data.audio
// when there is no video), with any ?query / #fragment removed and %XX decoded, must equal the
// basename of one of the given videos, or end with "-" + that basename (Label Studio prefixes
// uploaded files with a hash: "/data/upload/1/3f2a1b-lesson.mp4"). Directories are ignored. For
// Label Studio local-files URLs ("/data/local-files/?d=lessons/lesson.mp4", what `vidseg prepare`
// writes without --base-url) the file is the `d` parameter. Two --video files with one name are refused.
//
// Videos with an identity (SourceVideo::id: the platform's video id, given by a `dataset build` job of
// `vidseg serve`) are matched FIRST by it: a task whose data.vidseg_video_id (what the server's Label
// Studio tasks carry) equals a video's id belongs to that video, whatever the file names. By file name
// a task never goes to a video whose id differs from the id the task names, and only when ONE video
// has the name: two uploads of "lesson.mp4" (two users', or two days') in one job are told apart by
// their ids, and a task that names neither is an item error naming both videos, never a guess.
//
// Lesson time vs segment time: a task made by `vidseg prepare` plays a segment clip (data.video) and
// the segment's WAV (data.audio), so its results are in SEGMENT time; data.start (seconds),
// data.lesson (the lesson video's stem) and data.segment say where the segment lies. When such a task's
// file matches none of the given videos (the clips are not given, the lesson is), it goes to the given
// video whose file stem equals data.lesson (prepare's clip names, part_films/segment_<i>.<ext>, do not
// carry the lesson), and every interval and videorectangle time of it is shifted by +data.start
// before the checks against that video's duration. A task whose file matches a given video directly
// keeps its times unshifted (building from the clips works as before). Exception for exports made
// before prepare wrote per-segment WAVs: when data.audio is the lesson's own "<lesson>.wav", audio
// `labels` of the task are already in lesson time and are not shifted (its video results still are).
//
// Frame rate: results in frame numbers (video `timelinelabels`, track keyframes) of a task without
// data.fps (and without --fps, see ReadOptions) are read at the frame rate of the video the task is
// placed on (probed); plan warnings say which tasks. A task that cannot be placed keeps them as
// item errors, never as the end of the build.
//
// Lessons: an item's lesson (the `lesson` column and the unit of the train/test split) is the task's
// data.lesson when it has one (clips made by `vidseg prepare` name the lesson they came from),
// else the stem of its video.
//
// Intervals are numbered per annotation in time order (annotations::segments order), from 0; the
// number is the <i> of the fragment name and of error messages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/dataset/item_error.hpp"
#include "vidseg/vision/keyframe_scorer.hpp"

namespace vidseg::dataset {

struct SourceVideo {
    std::string path;      // as given
    long long id = 0;      // the platform's video id (0 = none): tasks with data.vidseg_video_id match it
    std::string lesson;    // file stem, used in fragment names and for the split
    double duration = 0;   // seconds (from probe)
    double fps = 0;        // frames per second (from probe), 0 = unknown
    int width = 0, height = 0;
    std::string clip_extension = ".mp4";  // of the clips cut from it
};

// One fragment of the dataset: an annotated interval of one annotation.
struct DatasetItem {
    std::string name;  // "<lesson>_<task>_<ann>_<i>" (no extension; each part a core/safe_path.hpp safe name)
    size_t video = 0;  // index into the plan's videos
    std::string task_id, annotation_id;
    std::string annotator;
    std::string lesson;  // data.lesson, else the video's stem (see above)
    double start = 0, end = 0;
    double mid = 0;  // start + (end - start) / 2
    double keyframe_time = 0;  // time of the keyframe: `mid`, or the best frame (dataset/keyframe_choice.hpp)
    std::optional<vision::KeyframeScore> keyframe_score;  // set by --keyframe best
    std::vector<std::string> labels;
    std::vector<std::string> patterns;      // matched pattern names (distinct, label order)
    std::vector<std::string> descriptions;  // descriptions of those patterns
    std::vector<std::string> unmatched;     // labels without a pattern
    std::map<std::string, std::vector<std::string>> choices;  // from_name → values (region + task level)
    std::map<std::string, std::vector<std::string>> texts;
    std::optional<annotations::Box> box;  // the annotation's videorectangle box at `keyframe_time` (percent)
    std::optional<annotations::VideoTrack> track;  // that videorectangle track (to move the box with the keyframe)
    std::string split = "train";          // "train" or "test"
};

struct DatasetPlan {
    std::vector<SourceVideo> videos;
    std::vector<DatasetItem> items;
    std::vector<ItemError> errors;
    annotations::MatchReport matches;        // every distinct label of the kept items
    std::vector<std::string> choice_columns;  // from_names of choices over all items (sorted)
    std::vector<std::string> text_columns;
    std::vector<std::string> test_lessons;    // lessons in the test split (empty without a split)
    std::vector<std::string> warnings;
    bool keyframes_scored = false;  // keyframes chosen by score: metadata gets the keyframe_score columns
};

// Basename of a task URL / path per the rule above (query and fragment removed, %XX decoded).
std::string url_basename(const std::string& url);
// True when a task file name refers to the video file name (equal, or "<hash>-<name>").
bool same_video_name(const std::string& task_name, const std::string& video_name);

// Builds the plan. `videos` carry probed durations. Bad items (interval beyond the video,
// end <= start, task whose video is not among `videos`) become `errors`. With test_fraction > 0
// whole lessons go to the test split: round(F * lessons) of them, at least 1 and at most
// lessons - 1, taken from the end of the lessons sorted by name (deterministic); with a single
// lesson everything stays in train and a warning says so.
DatasetPlan plan_dataset(const annotations::Project& project, std::vector<SourceVideo> videos,
                         const annotations::LabelMatcher& matcher, double test_fraction = 0);

// Box in percent → pixel rectangle of a width x height frame, clamped to the frame; nullopt when
// nothing of it is inside.
struct PixelBox {
    int x = 0, y = 0, width = 0, height = 0;
};
std::optional<PixelBox> box_to_pixels(const annotations::Box& box, int width, int height);

}  // namespace vidseg::dataset

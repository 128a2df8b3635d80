// dataset_plan: tasks written by `vidseg prepare` are in segment time; given the lesson video they
// are shifted by data.start, given the clip they are not (rule in dataset/dataset_plan.hpp).
#include <gtest/gtest.h>

#include <string>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

using namespace vidseg;

namespace {

// A full-JSON export of prepare's task for segment 2 (data.start = 20) of lesson "lesson", with an
// audio interval 1.0-3.0 s, a video timeline interval (frames 26..75 at 25 fps = 1.0-3.0 s) and a
// teacher box track from 0 s to the end of the clip — all in segment time.
std::string segment2_export(const std::string& audio_file) {
    return R"([{"id": 7, "data": {
        "video": "/data/local-files/?d=lesson_prepared/part_films/segment_2.mp4",
        "audio": "/data/local-files/?d=lesson_prepared/)" + audio_file + R"(",
        "segment": 2, "start": 20.0, "end": 30.0, "fps": 25.0, "lesson": "lesson"},
      "annotations": [{"id": 11, "completed_by": 1, "result": [
        {"id": "a", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels",
         "value": {"start": 1.0, "end": 3.0, "labels": ["Работа в команде У"]}},
        {"id": "t", "from_name": "video_intervals", "to_name": "video", "type": "timelinelabels",
         "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["Эмоциональный отклик У"]}},
        {"id": "b", "from_name": "box", "to_name": "video", "type": "videorectangle",
         "value": {"framesCount": 250, "duration": 10.0, "labels": ["Учитель"], "sequence": [
           {"frame": 1, "time": 0.0, "x": 10, "y": 20, "width": 25, "height": 50, "enabled": true}]}}
      ]}]}])";
}

dataset::SourceVideo video(const std::string& path, const std::string& lesson, double duration) {
    dataset::SourceVideo v;
    v.path = path;
    v.lesson = lesson;
    v.duration = duration;
    v.width = 640;
    v.height = 360;
    return v;
}

dataset::DatasetPlan plan_for(const std::string& export_text, std::vector<dataset::SourceVideo> videos) {
    const auto project = annotations::parse_export(export_text, {}, "export.json");
    const annotations::LabelMatcher matcher(annotations::default_patterns());
    return dataset::plan_dataset(project, std::move(videos), matcher);
}

}  // namespace

TEST(DatasetPlanLessonTime, SegmentTaskOnTheLessonIsShiftedByItsStart) {
    const auto plan = plan_for(segment2_export("audio/segment_2.wav"), {video("/in/lesson.mp4", "lesson", 30.0)});
    ASSERT_TRUE(plan.errors.empty()) << plan.errors.front().item << ": " << plan.errors.front().message;
    ASSERT_EQ(plan.items.size(), 2u);
    for (const auto& item : plan.items) {
        EXPECT_EQ(item.video, 0u);
        EXPECT_NEAR(item.start, 21.0, 1e-9);
        EXPECT_NEAR(item.end, 23.0, 1e-9);
        EXPECT_NEAR(item.mid, 22.0, 1e-9);
        // The box track moved with the task: active at the lesson-time midpoint, still 10 % / 20 %.
        ASSERT_TRUE(item.box.has_value());
        EXPECT_NEAR(item.box->x, 10.0, 1e-9);
        ASSERT_TRUE(item.track.has_value());
        EXPECT_NEAR(item.track->first_time(), 20.0, 1e-9);
        EXPECT_FALSE(item.track->box_at(19.9).has_value());  // before the segment: no box
    }
}

TEST(DatasetPlanLessonTime, DirectClipMatchKeepsClipTime) {
    const auto plan = plan_for(segment2_export("audio/segment_2.wav"),
                               {video("/in/lesson.mp4", "lesson", 30.0), video("/p/segment_2.mp4", "segment_2", 10.0)});
    ASSERT_TRUE(plan.errors.empty());
    ASSERT_EQ(plan.items.size(), 2u);
    for (const auto& item : plan.items) {
        EXPECT_EQ(item.video, 1u);
        EXPECT_NEAR(item.start, 1.0, 1e-9);
        EXPECT_NEAR(item.end, 3.0, 1e-9);
        ASSERT_TRUE(item.box.has_value());
    }
}

TEST(DatasetPlanLessonTime, ShiftedIntervalsAreCheckedAgainstTheLessonDuration) {
    // A 22 s lesson: 21-23 s ends after it, so both intervals are named errors, not silently clipped.
    const auto plan = plan_for(segment2_export("audio/segment_2.wav"), {video("/in/lesson.mp4", "lesson", 22.0)});
    EXPECT_TRUE(plan.items.empty());
    ASSERT_EQ(plan.errors.size(), 2u);
    EXPECT_NE(plan.errors[0].item.find("[21.00, 23.00)"), std::string::npos) << plan.errors[0].item;
    EXPECT_NE(plan.errors[0].message.find("ends after the end of the video"), std::string::npos);
}

TEST(DatasetPlanLessonTime, UnknownLessonIsAnErrorNamingTheClip) {
    const auto plan = plan_for(segment2_export("audio/segment_2.wav"), {video("/in/other.mp4", "other", 30.0)});
    EXPECT_TRUE(plan.items.empty());
    ASSERT_EQ(plan.errors.size(), 1u);
    EXPECT_NE(plan.errors[0].message.find("segment_2.mp4"), std::string::npos) << plan.errors[0].message;
    EXPECT_NE(plan.errors[0].message.find("nor is its lesson 'lesson'"), std::string::npos) << plan.errors[0].message;
}

TEST(DatasetPlanLessonTime, OldExportsWithTheLessonWavKeepAudioLabelsInLessonTime) {
    // Before per-segment WAVs, data.audio was the whole lesson: its `labels` are lesson seconds already.
    const auto plan = plan_for(segment2_export("lesson.wav"), {video("/in/lesson.mp4", "lesson", 30.0)});
    ASSERT_TRUE(plan.errors.empty());
    ASSERT_EQ(plan.items.size(), 2u);
    bool audio_seen = false, video_seen = false;
    for (const auto& item : plan.items) {
        if (item.labels == std::vector<std::string>{"Работа в команде У"}) {
            audio_seen = true;
            EXPECT_NEAR(item.start, 1.0, 1e-9);  // unshifted
        } else {
            video_seen = true;
            EXPECT_NEAR(item.start, 21.0, 1e-9);  // the clip's timeline still is
        }
    }
    EXPECT_TRUE(audio_seen && video_seen);
}

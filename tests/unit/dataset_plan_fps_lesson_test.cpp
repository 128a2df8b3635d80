// dataset_plan (issue 17): frame numbers of tasks without fps are read at the placed video's probed rate
// (and the plan says so); the lesson of an item and the split come from the task's data.lesson.
#include <gtest/gtest.h>

#include <string>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

using namespace vidseg;

namespace {

dataset::SourceVideo video(const std::string& path, const std::string& lesson, double duration, double fps) {
    dataset::SourceVideo v;
    v.path = path;
    v.lesson = lesson;
    v.duration = duration;
    v.fps = fps;
    v.width = 640;
    v.height = 360;
    return v;
}

dataset::DatasetPlan plan_for(const std::string& export_text, std::vector<dataset::SourceVideo> videos,
                              double test_fraction = 0) {
    const auto project = annotations::parse_export(export_text, {}, "export.json");
    const annotations::LabelMatcher matcher(annotations::default_patterns());
    return dataset::plan_dataset(project, std::move(videos), matcher, test_fraction);
}

std::string clip_task(int id, const std::string& clip, const std::string& lesson, bool with_fps) {
    return R"({"id": )" + std::to_string(id) + R"(, "data": {"video": "/data/local-files/?d=p/)" + clip +
           R"(", )" + (with_fps ? R"("fps": 25, )" : "") + R"("lesson": ")" + lesson +
           R"("}, "annotations": [{"id": )" + std::to_string(id) + R"(, "completed_by": 1, "result": [
             {"id": "t", "from_name": "timeline", "to_name": "video", "type": "timelinelabels",
              "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["x"]}}]}]})";
}

}  // namespace

TEST(DatasetPlanFps, TaskWithoutFpsReadsFramesAtTheProbedRate) {
    const auto plan =
        plan_for("[" + clip_task(1, "a.mp4", "L", false) + "]", {video("/v/a.mp4", "a", 10, 50)});
    ASSERT_TRUE(plan.errors.empty()) << plan.errors.front().message;
    ASSERT_EQ(plan.items.size(), 1u);
    EXPECT_DOUBLE_EQ(plan.items[0].start, 0.5);  // frames 26..75 at 50 fps
    EXPECT_DOUBLE_EQ(plan.items[0].end, 1.5);
    ASSERT_EQ(plan.warnings.size(), 1u);
    EXPECT_NE(
        plan.warnings[0].find("1 task(s) without fps (task 1 (id 1)): frame numbers read at 50.000 fps, "
                              "probed from /v/a.mp4"),
        std::string::npos)
        << plan.warnings[0];
}

TEST(DatasetPlanFps, NoRateAnywhereIsAnItemError) {
    const auto plan =
        plan_for("[" + clip_task(1, "a.mp4", "L", false) + "]", {video("/v/a.mp4", "a", 10, 0)});
    EXPECT_TRUE(plan.items.empty());
    ASSERT_EQ(plan.errors.size(), 1u);
    EXPECT_EQ(plan.errors[0].item, "task 1 (id 1), annotation 1");
    EXPECT_NE(plan.errors[0].message.find("1 video interval(s) in frame numbers and no frame rate"),
              std::string::npos)
        << plan.errors[0].message;
}

TEST(DatasetPlanLesson, ClipsAreGroupedByTheirTasksLesson) {
    const std::string text = "[" + clip_task(1, "segment_0.mp4", "L1", true) + "," +
                             clip_task(2, "segment_1.mp4", "L1", true) + "," +
                             clip_task(3, "segment_2.mp4", "L2", true) + "]";
    const auto plan = plan_for(
        text,
        {video("/p/segment_0.mp4", "segment_0", 10, 25), video("/p/segment_1.mp4", "segment_1", 10, 25),
         video("/p/segment_2.mp4", "segment_2", 10, 25)},
        0.5);
    ASSERT_EQ(plan.items.size(), 3u);
    EXPECT_EQ(plan.test_lessons, std::vector<std::string>{"L2"});
    for (const auto& item : plan.items) {
        EXPECT_EQ(item.split, item.lesson == "L2" ? "test" : "train") << item.name;
        EXPECT_EQ(item.lesson, item.task_id == "3" ? "L2" : "L1");
        EXPECT_TRUE(item.name.starts_with("segment_")) << item.name;  // file names keep the clip's stem
    }
}

// dataset_plan: videos with the platform's ids (a `dataset build` job of `vidseg serve`) are matched by
// the task's data.vidseg_video_id first; two videos of one file name are told apart by it, and a task
// that fits both by name without naming either is an item error naming both, never a guess.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

using namespace vidseg;

namespace {

// A task on ".../lesson.mp4" with one interval [start, start + 1); `video_id` goes to data.vidseg_video_id
// (null: absent).
nlohmann::json task(int id, const nlohmann::json& video_id, double start) {
    nlohmann::json data = {{"video", "http://store/anna/task_20261207/lesson.mp4?X-Amz-Signature=x"},
                           {"lesson", "lesson"}};
    if (!video_id.is_null()) data["vidseg_video_id"] = video_id;
    return {{"id", id},
            {"data", data},
            {"annotations",
             {{{"id", 1},
               {"result",
                {{{"id", "r"},
                  {"from_name", "pattern_intervals"},
                  {"to_name", "audio"},
                  {"type", "labels"},
                  {"value", {{"start", start}, {"end", start + 1}, {"labels", {"Работа в команде У"}}}}}}}}}}};
}

dataset::SourceVideo video(const std::string& path, const std::string& lesson, long long id) {
    dataset::SourceVideo v;
    v.path = path;
    v.lesson = lesson;
    v.id = id;
    v.duration = 30;
    return v;
}

dataset::DatasetPlan plan(const nlohmann::json& tasks, std::vector<dataset::SourceVideo> videos) {
    const auto project = annotations::parse_export(tasks.dump(), {}, "export.json");
    const annotations::LabelMatcher matcher(annotations::default_patterns());
    return dataset::plan_dataset(project, std::move(videos), matcher);
}

const std::vector<dataset::SourceVideo> kTwoLessons = {video("/in/17/lesson.mp4", "lesson", 17),
                                                       video("/in/18/lesson.mp4", "lesson_v18", 18)};

}  // namespace

TEST(DatasetPlanVideoIds, TasksNamingTheirVideoGoToItWhateverTheName) {
    const auto p = plan(nlohmann::json::array({task(11, 18, 2), task(12, 17, 5), task(13, "17", 8)}), kTwoLessons);
    ASSERT_TRUE(p.errors.empty()) << p.errors.front().message;
    ASSERT_EQ(p.items.size(), 3u);
    EXPECT_EQ(p.items[0].video, 1u);
    EXPECT_EQ(p.items[0].name, "lesson_v18_11_1_0");
    EXPECT_EQ(p.items[0].lesson, "lesson_v18");  // its video's lesson, not the shared data.lesson
    EXPECT_EQ(p.items[1].video, 0u);
    EXPECT_EQ(p.items[1].lesson, "lesson");
    EXPECT_EQ(p.items[2].video, 0u);  // a numeric string is an id too
}

TEST(DatasetPlanVideoIds, ATaskFittingTwoVideosByNameIsAnErrorNamingBoth) {
    const auto p = plan(nlohmann::json::array({task(11, nullptr, 2), task(12, 17, 5)}), kTwoLessons);
    ASSERT_EQ(p.items.size(), 1u);
    EXPECT_EQ(p.items[0].video, 0u);
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].message,
              "its video 'lesson.mp4' fits 2 videos: /in/17/lesson.mp4 (video 17) and /in/18/lesson.mp4 (video 18) "
              "by file name, and the task names none of them by data.vidseg_video_id; 1 interval(s) skipped");
}

TEST(DatasetPlanVideoIds, ByNameOnlyWhenOneVideoFitsAndNoOtherIdIsNamed) {
    // One video of the name: a task without an id goes to it by name (exports made elsewhere).
    auto p = plan(nlohmann::json::array({task(11, nullptr, 2)}), {kTwoLessons[0]});
    ASSERT_TRUE(p.errors.empty());
    EXPECT_EQ(p.items.size(), 1u);
    // A task naming video 99 is not put on video 17 because the names agree.
    p = plan(nlohmann::json::array({task(11, 99, 2)}), {kTwoLessons[0]});
    EXPECT_TRUE(p.items.empty());
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_NE(p.errors[0].message.find("is not among the --video files"), std::string::npos) << p.errors[0].message;
    // Videos without ids (the CLI): the id of the task does not matter, the name does.
    p = plan(nlohmann::json::array({task(11, 99, 2)}), {video("/in/lesson.mp4", "lesson", 0)});
    ASSERT_TRUE(p.errors.empty());
    EXPECT_EQ(p.items.size(), 1u);
}

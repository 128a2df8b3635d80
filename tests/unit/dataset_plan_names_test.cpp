// dataset_plan: fragment names are built from ids taken verbatim from the export; they must be safe
// file names (core/safe_path.hpp), unchanged for ordinary ids, and never shared by two fragments.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

using namespace vidseg;

namespace {

// One task per (task id, annotation id) on lesson.mp4, one interval [1, 2) each.
dataset::DatasetPlan plan_for(const std::vector<std::pair<nlohmann::json, nlohmann::json>>& ids) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& [task, annotation] : ids)
        tasks.push_back(
            {{"id", task},
             {"data", {{"video", "/data/upload/1/lesson.mp4"}}},
             {"annotations",
              {{{"id", annotation},
                {"result",
                 {{{"id", "r"},
                   {"from_name", "pattern_intervals"},
                   {"to_name", "audio"},
                   {"type", "labels"},
                   {"value", {{"start", 1.0}, {"end", 2.0}, {"labels", {"Работа в команде У"}}}}}}}}}}});
    dataset::SourceVideo video;
    video.path = "/in/lesson.mp4";
    video.lesson = "lesson";
    video.duration = 30;
    const auto project = annotations::parse_export(tasks.dump(), {}, "export.json");
    const annotations::LabelMatcher matcher(annotations::default_patterns());
    return dataset::plan_dataset(project, {video}, matcher);
}

}  // namespace

TEST(DatasetPlanNames, OrdinaryIdsKeepTheirNames) {
    const auto plan = plan_for({{11, 1}, {"task-a", "ann.b"}});
    ASSERT_EQ(plan.items.size(), 2u);
    EXPECT_EQ(plan.items[0].name, "lesson_11_1_0");
    EXPECT_EQ(plan.items[1].name, "lesson_task-a_ann.b_0");
}

TEST(DatasetPlanNames, HostileIdsBecomeSafeNamesAndKeepTheirValues) {
    const std::string up = "../../../../x", abs = "/abs/path", big(10000, 'n');
    const auto plan = plan_for({{up, 1}, {abs, "a\\b"}, {big, "line\nbreak"}});
    ASSERT_TRUE(plan.errors.empty()) << plan.errors.front().message;
    ASSERT_EQ(plan.items.size(), 3u);
    EXPECT_EQ(plan.items[0].name, "lesson_" + safe_file_name(up) + "_1_0");
    EXPECT_EQ(plan.items[1].name, "lesson_" + safe_file_name(abs) + "_" + safe_file_name("a\\b") + "_0");
    for (const auto& item : plan.items) {
        EXPECT_TRUE(is_safe_file_name(item.name)) << item.name;
        EXPECT_LE(item.name.size(), 200u);
    }
    EXPECT_EQ(plan.items[0].task_id, up);  // the metadata keeps the ids as they were
    EXPECT_EQ(plan.items[2].task_id, big);
    EXPECT_EQ(plan.items[2].annotation_id, "line\nbreak");
}

TEST(DatasetPlanNames, TwoFragmentsNeverShareAName) {
    // "a/b" and "a\\b" clean alike but keep distinct names; a repeated id (or a crafted collision) is an
    // error.
    const auto plan = plan_for({{"a/b", 1}, {"a\\b", 1}, {"a_b", 1}, {"a_b", 1}});
    ASSERT_EQ(plan.items.size(), 3u);
    EXPECT_NE(plan.items[0].name, plan.items[1].name);
    EXPECT_EQ(plan.items[2].name, "lesson_a_b_1_0");
    ASSERT_EQ(plan.errors.size(), 1u);
    EXPECT_NE(plan.errors[0].message.find("is already used by an earlier interval"), std::string::npos)
        << plan.errors[0].message;
}

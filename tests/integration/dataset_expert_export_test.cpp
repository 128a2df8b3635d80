// `vidseg dataset build` on exports as experts' own Label Studio projects make them (issue 17): whole-lesson
// tasks without `fps`, keyframes as the 1.23 editor writes them, JSON_MIN single choices, clips given after
// one
// --video (a shell glob) or as a folder, clips grouped by their task's data.lesson. The generated lesson is
// 640x360, 25 fps, 30 s.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/jsonl_support.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_jsonl;
using vidseg::test::media;
using vidseg::test::read_text;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The expert's whole-lesson task: video uploaded to Label Studio, audio beside it, no fps. Annotation 1:
// audio [2, 6) with a single choice; video timeline frames 26..75; a teacher track as the editor writes it
// (time = frame / 25: frame 1 at 0.04 s, frame 101 at 4.04 s).
const char* kExpertExport = R"([{"id": 31, "data": {"video": "/data/upload/4/9f1c2a-lesson.mp4",
    "audio": "/data/upload/4/77aa01-lesson.wav", "lesson": "lesson"},
  "annotations": [{"id": 8, "completed_by": 2, "result": [
    {"id": "a1", "from_name": "speech", "to_name": "audio", "type": "labels", "original_length": 30,
     "value": {"start": 2, "end": 6, "channel": 0, "labels": ["🎯 П: Включение в обучающий процесс"]}},
    {"id": "a1", "from_name": "initiator", "to_name": "audio", "type": "choices",
     "value": {"start": 2, "end": 6, "channel": 0, "choices": ["Teacher"]}},
    {"id": "t1", "from_name": "timeline", "to_name": "video", "type": "timelinelabels",
     "value": {"ranges": [{"start": 26, "end": 75}], "timelinelabels": ["😊 У: Эмоциональный отклик"]}},
    {"id": "v1", "from_name": "box", "to_name": "video", "type": "videorectangle",
     "value": {"framesCount": 750, "duration": 30, "labels": ["Учитель"], "sequence": [
       {"frame": 1, "time": 0.04, "x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": true},
       {"frame": 101, "time": 4.04, "x": 30, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": true}]}}
  ]}]}])";

std::string build_args(const fs::path& export_file, const fs::path& out) {
    return "dataset build --video " + shell_quote(media("lesson.mp4")) + " --annotations " +
           shell_quote(export_file) + " --out " + shell_quote(out) + " --yes";
}

const json* row_starting(const std::vector<json>& rows, double start) {
    for (const auto& r : rows)
        if (std::abs(r["start"].get<double>() - start) < 1e-9) return &r;
    return nullptr;
}

}  // namespace

TEST(DatasetExpertExport, TaskWithoutFpsTakesTheProbedRate) {
    TempDir tmp;
    write(tmp / "export.json", kExpertExport);
    auto r = run_vidseg(build_args(tmp / "export.json", tmp / "ds"));
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    // The report says where the frame rate came from.
    EXPECT_NE(
        r.err.find("1 task(s) without fps (task 1 (id 31)): frame numbers read at 25.000 fps, probed from"),
        std::string::npos)
        << r.err;
    const auto rows = read_jsonl(tmp / "ds" / "metadata.jsonl");
    ASSERT_EQ(rows.size(), 2u);
    const json* audio = row_starting(rows, 2.0);
    ASSERT_NE(audio, nullptr);
    EXPECT_DOUBLE_EQ((*audio)["end"].get<double>(), 6.0);
    EXPECT_EQ((*audio)["choice_initiator"], json::array({"Teacher"}));
    const json* video = row_starting(rows, 1.0);  // frames 26..75 at 25 fps
    ASSERT_NE(video, nullptr);
    EXPECT_DOUBLE_EQ((*video)["end"].get<double>(), 3.0);
    // The track covers the keyframe (4 s) of [2, 6): a crop (the exact keyframe times are unit-tested).
    ASSERT_FALSE((*audio)["crop_path"].is_null());

    // --fps overrides the probe (as in `dataset agreement`): frames 26..75 at 50 fps = [0.5, 1.5).
    r = run_vidseg(build_args(tmp / "export.json", tmp / "ds50") + " --fps 50");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("without fps"), std::string::npos) << r.err;
    const auto rows50 = read_jsonl(tmp / "ds50" / "metadata.jsonl");
    const json* video50 = row_starting(rows50, 0.5);
    ASSERT_NE(video50, nullptr) << rows50.size();
    EXPECT_DOUBLE_EQ((*video50)["end"].get<double>(), 1.5);

    // A label config without frameRate: Label Studio's editor numbered the frames at its default 24 fps.
    write(tmp / "config.xml",
          R"(<View><Video name="video" value="$video"/><Audio name="audio" value="$audio"/>
             <TimelineLabels name="timeline" toName="video"><Label value="x"/></TimelineLabels></View>)");
    r = run_vidseg(build_args(tmp / "export.json", tmp / "ds24") + " --label-config " +
                   shell_quote(tmp / "config.xml"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows24 = read_jsonl(tmp / "ds24" / "metadata.jsonl");
    const json* video24 = row_starting(rows24, 25.0 / 24);
    ASSERT_NE(video24, nullptr);
    EXPECT_DOUBLE_EQ((*video24)["end"].get<double>(), 75.0 / 24);
}

TEST(DatasetExpertExport, JsonMinSingleChoiceKeepsItsColumn) {
    TempDir tmp;
    // The same labeling as JSON_MIN: Label Studio flattens the single task-level choice to a string;
    // another task's multi choice shows the key is a control.
    write(tmp / "min.json", R"([
      {"id": 31, "video": "/data/upload/4/9f1c2a-lesson.mp4", "lesson": "lesson", "annotator": 2, "annotation_id": 8,
       "speech": [{"start": 2, "end": 6, "channel": 0, "labels": ["🎯 П: Включение в обучающий процесс"]}],
       "initiator": "Teacher"},
      {"id": 32, "video": "/data/upload/4/9f1c2a-lesson.mp4", "lesson": "lesson", "annotator": 2, "annotation_id": 9,
       "speech": [{"start": 10, "end": 12, "channel": 0, "labels": ["😊 У: Эмоциональный отклик"]}],
       "initiator": {"choices": ["Teacher", "Student"]}, "mood": [{"rating": 4}]}])");
    auto r = run_vidseg(build_args(tmp / "min.json", tmp / "ds"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = read_jsonl(tmp / "ds" / "metadata.jsonl");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ((*row_starting(rows, 2.0))["choice_initiator"], json::array({"Teacher"}));
    EXPECT_EQ((*row_starting(rows, 10.0))["choice_initiator"], json::array({"Teacher", "Student"}));
    // What vidseg does not use is named, not dropped silently.
    EXPECT_NE(r.err.find("warning: export field 'mood' holds a result vidseg does not use"),
              std::string::npos)
        << r.err;
}

TEST(DatasetExpertExport, ClipsAfterOneVideoOptionOrAsAFolderGroupedByLesson) {
    TempDir tmp;
    const fs::path clips = tmp / "clips";
    auto r =
        run_vidseg("cut " + shell_quote(media("lesson.mp4")) + " --segment 10 --out " + shell_quote(clips));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Clips 0 and 1 come from lesson "A", clip 2 from lesson "B" (as data.lesson says).
    std::string tasks = "[";
    const char* lessons[] = {"A", "A", "B"};
    for (int i = 0; i < 3; ++i) {
        tasks += std::string(i ? "," : "") + R"({"id": )" + std::to_string(i + 1) +
                 R"(, "data": {"video": "/data/local-files/?d=p/segment_0000)" + std::to_string(i) +
                 R"(.mp4", "fps": 25, "lesson": ")" + lessons[i] + R"("}, "annotations": [{"id": )" +
                 std::to_string(i + 1) + R"(, "completed_by": 1, "result": [{"id": "a", "from_name": "speech",
                 "to_name": "audio", "type": "labels", "value": {"start": 1, "end": 3, "labels": ["x"]}}]}]})";
    }
    write(tmp / "export.json", tasks + "]");
    const std::string common =
        " --annotations " + shell_quote(tmp / "export.json") + " --yes --test-fraction 0.5";
    // What a shell makes of --video clips/segment_*.mp4: several paths after one --video.
    r = run_vidseg("dataset build --video " + shell_quote(clips / "segment_00000.mp4") + " " +
                   shell_quote(clips / "segment_00001.mp4") + " " + shell_quote(clips / "segment_00002.mp4") +
                   " --out " + shell_quote(tmp / "ds") + common);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    for (const char* split : {"train", "test"}) {
        for (const auto& row : read_jsonl(tmp / "ds" / split / "metadata.jsonl")) {
            // The lesson is the task's, not the clip's; a lesson is never in both splits.
            const std::string lesson = row["lesson"];
            EXPECT_EQ(lesson, std::string(split) == "test" ? "B" : "A") << row.dump();
            EXPECT_TRUE(row["source_video"].get<std::string>().starts_with("segment_"));
        }
    }
    EXPECT_EQ(read_jsonl(tmp / "ds" / "train" / "metadata.jsonl").size(), 2u);
    EXPECT_EQ(read_jsonl(tmp / "ds" / "test" / "metadata.jsonl").size(), 1u);

    // A folder stands for its videos (the manifest.json beside them is not one).
    r = run_vidseg("dataset build --video " + shell_quote(clips) + " --out " + shell_quote(tmp / "ds2") +
                   common);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(read_jsonl(tmp / "ds2" / "train" / "metadata.jsonl").size(), 2u);
    // A folder without videos is a missing input.
    fs::create_directories(tmp / "empty");
    r = run_vidseg("dataset build --video " + shell_quote(tmp / "empty") + " --out " +
                   shell_quote(tmp / "ds3") + common);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("folder given as --video holds no video file"), std::string::npos) << r.err;
}

TEST(DatasetExpertExport, TaskWithoutFpsAndWithoutItsVideoIsAnItemError) {
    TempDir tmp;
    std::string text = kExpertExport;
    text.replace(text.find("9f1c2a-lesson.mp4"), 17, "9f1c2a-other.mp4");
    text.replace(text.find("77aa01-lesson.wav"), 17, "77aa01-other.wav");
    text.replace(text.find("\"lesson\": \"lesson\""), 18, "\"lesson\": \"other\"");
    write(tmp / "export.json", text);
    auto r = run_vidseg(build_args(tmp / "export.json", tmp / "ds"));
    EXPECT_EQ(r.exit_code, 1) << r.err;  // an item error, not a malformed file (7)
    EXPECT_NE(r.err.find("task 1 (id 31), annotation 8"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("2 interval(s) skipped"), std::string::npos) << r.err;
}

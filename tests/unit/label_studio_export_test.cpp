#include <gtest/gtest.h>

#include "support/test_support.hpp"

#include <map>
#include <optional>
#include <string>

#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/video_track.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using namespace vidseg::annotations;

namespace {

std::string fixture(const std::string& name) {
    return test::source_path("tests/data/label_studio/" + name).string();
}

const std::string kInc = "🎯 П: Включение в процесс";
const std::string kEmo = "😊 У: Эмоциональный отклик";
const std::string kSup = "💖 П: Эмоциональная поддержка";

Error error_of(const std::function<void()>& f) { return test::thrown_error(f); }

// Checks the content both exports of the same labeling must yield.
void expect_two_annotators(const Project& p) {
    ASSERT_EQ(p.tasks.size(), 1u);
    const Task& t = p.tasks[0];
    EXPECT_EQ(t.id, "101");
    ASSERT_TRUE(t.fps.has_value());
    EXPECT_DOUBLE_EQ(*t.fps, 25.0);
    EXPECT_NE(t.audio.find("video.wav"), std::string::npos);
    EXPECT_NE(t.video.find("video.mp4"), std::string::npos);
    EXPECT_DOUBLE_EQ(t.duration, 20.0);
    ASSERT_EQ(t.annotations.size(), 2u);  // the cancelled one is dropped
    EXPECT_EQ(t.annotations[0].annotator(), "anna@school.ru");
    EXPECT_EQ(t.annotations[1].annotator(), "user 7");
    EXPECT_EQ(p.annotators(), (std::vector<std::string>{"anna@school.ru", "user 7"}));

    auto a = segments(t.annotations[0]);
    ASSERT_EQ(a.size(), 3u);
    // timelinelabels frames 26..75 at 25 fps → [1.0, 3.0)
    EXPECT_DOUBLE_EQ(a[0].start, 1.0);
    EXPECT_DOUBLE_EQ(a[0].end, 3.0);
    EXPECT_EQ(a[0].type, "timelinelabels");
    EXPECT_EQ(a[0].labels, std::vector<std::string>{kSup});
    EXPECT_DOUBLE_EQ(a[1].start, 2.0);
    EXPECT_DOUBLE_EQ(a[1].end, 7.0);
    EXPECT_EQ(a[1].labels, std::vector<std::string>{kInc});
    EXPECT_EQ(a[1].choices.at("initiator"), std::vector<std::string>{"Teacher"});
    EXPECT_EQ(a[1].texts.at("action"), std::vector<std::string>{"Учитель задаёт вопрос классу"});
    EXPECT_EQ(a[2].labels, std::vector<std::string>{kEmo});
    EXPECT_EQ(a[2].choices.at("initiator"), std::vector<std::string>{"Group of students"});
    EXPECT_TRUE(a[2].texts.empty());

    auto b = segments(t.annotations[1]);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_DOUBLE_EQ(b[0].start, 2.5);
    EXPECT_EQ(b[0].choices.at("initiator"), std::vector<std::string>{"Teacher"});
    EXPECT_DOUBLE_EQ(b[2].start, 16.0);
    EXPECT_DOUBLE_EQ(b[2].end, 19.0);
    EXPECT_EQ(b[2].labels, std::vector<std::string>{kSup});

    // The tracked rectangle.
    const ResultItem* track = nullptr;
    for (const auto& r : t.annotations[0].results)
        if (r.type == "videorectangle") track = &r;
    ASSERT_NE(track, nullptr);
    ASSERT_TRUE(track->track.has_value());
    EXPECT_EQ(track->labels, std::vector<std::string>{"Teacher"});
    EXPECT_EQ(track->track->keyframes.size(), 4u);
}

}  // namespace

TEST(LabelStudioExport, FullJsonWithLinkedRegions) {
    auto p = read_export(fixture("two_annotators_full.json"));
    EXPECT_EQ(p.format, ExportFormat::Json);
    expect_two_annotators(p);
    // Task-level choices stay apart from regions.
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("lesson_quality"), std::vector<std::string>{"good"});
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).count("initiator"), 0u);
    EXPECT_EQ(p.tasks[0].annotations[0].annotator_id, 3);
}

TEST(LabelStudioExport, CancelledAnnotationsOnRequest) {
    ReadOptions o;
    o.include_cancelled = true;
    auto p = read_export(fixture("two_annotators_full.json"), o);
    ASSERT_EQ(p.tasks[0].annotations.size(), 3u);
    EXPECT_TRUE(p.tasks[0].annotations[2].cancelled);
}

TEST(LabelStudioExport, JsonMinLinksRegionsByTime) {
    auto p = read_export(fixture("two_annotators_min.json"));
    EXPECT_EQ(p.format, ExportFormat::JsonMin);
    expect_two_annotators(p);
    // A single choice in JSON_MIN is a plain string; one annotator has it and the other not, so it is an
    // answer, not a data field (data fields are the same in every record of a task).
    EXPECT_FALSE(p.tasks[0].data.contains("lesson_quality"));
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("lesson_quality"), std::vector<std::string>{"good"});
    EXPECT_TRUE(p.warnings.empty()) << p.warnings.front();
}

TEST(LabelStudioExport, CsvWithJsonCells) {
    auto p = read_export(fixture("two_annotators.csv"));
    EXPECT_EQ(p.format, ExportFormat::Csv);
    expect_two_annotators(p);
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("lesson_quality"), std::vector<std::string>{"good"});
}

TEST(LabelStudioExport, RoundTripThroughFullJson) {
    auto p = read_export(fixture("two_annotators_full.json"));
    auto again = parse_export(to_full_json(p).dump(), {}, "round trip");
    expect_two_annotators(again);
}

TEST(LabelStudioExport, FramesWaitForAFrameRate) {
    // No fps anywhere: the export still reads; the timeline ranges wait, in frame numbers.
    auto p = read_export(fixture("no_fps.json"));
    ASSERT_EQ(p.tasks.size(), 1u);
    EXPECT_FALSE(p.tasks[0].fps.has_value());
    EXPECT_TRUE(p.tasks[0].needs_fps());
    EXPECT_TRUE(segments(p.tasks[0].annotations[0]).empty());
    apply_frame_rate(p.tasks[0], 25.0, "video lesson.mp4");
    EXPECT_FALSE(p.tasks[0].needs_fps());
    EXPECT_EQ(p.tasks[0].fps_source, "video lesson.mp4");
    auto s = segments(p.tasks[0].annotations[0]);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_DOUBLE_EQ(s[0].start, 1.0);  // frames 26..75 at 25 fps
    EXPECT_DOUBLE_EQ(s[0].end, 3.0);

    ReadOptions o;
    o.fps = video_frame_rate(R"(<View><Video name="video" value="$video" frameRate="25"/></View>)");
    ASSERT_TRUE(o.fps.has_value());
    p = read_export(fixture("no_fps.json"), o);
    s = segments(p.tasks[0].annotations[0]);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_DOUBLE_EQ(s[0].start, 1.0);
    EXPECT_DOUBLE_EQ(s[0].end, 3.0);
    EXPECT_EQ(p.tasks[0].fps_source, "option");
    EXPECT_FALSE(video_frame_rate(R"(<View><Video name="v" value="$video" frameRate="$fps"/></View>)").has_value());
    EXPECT_FALSE(video_frame_rate("<View/>").has_value());
    // Without frameRate the editor numbers frames at its default, 24 fps.
    EXPECT_EQ(video_frame_rate(R"(<View><Video name="v" value="$video"/></View>)"), 24.0);
}

TEST(LabelStudioExport, LabelConfigNamesControls) {
    const auto info = parse_label_config(R"(<View>
      <Video name="video" value="$video" frameRate="29.97"/>
      <Audio name="audio" value="$audio"/>
      <Labels name="speech" toName="audio"><Label value="🎯 П: Включение в процесс"/></Labels>
      <Choices name="initiator" toName="video"><Choice value="Teacher"/><Choice value="Student"/></Choices>
      <TextArea name="action" toName="audio"/>
    </View>)");
    ASSERT_TRUE(info.frame_rate.has_value());
    EXPECT_DOUBLE_EQ(*info.frame_rate, 29.97);
    EXPECT_EQ(info.controls, (std::map<std::string, std::string>{
                                 {"action", "TextArea"}, {"initiator", "Choices"}, {"speech", "Labels"}}));
    EXPECT_EQ(error_of([] { parse_label_config("<View><Video frameRate=\"x\"/></View>", "c.xml"); }).code(),
              ErrorCode::InvalidData);
}

// Label Studio's JSON_MIN / CSV flatten a single choice to a plain string; a multi choice stays {choices: [...]}.
TEST(LabelStudioExport, FlattenedSingleChoiceIsAnAnswerInJsonMinAndCsv) {
    const std::string min = R"([
      {"id": 1, "video": "/v/lesson.mp4", "school": "No 5", "annotator": 3, "annotation_id": 10,
       "speech": [{"start": 1, "end": 4, "channel": 0, "labels": ["A"]}], "initiator": "Teacher"},
      {"id": 2, "video": "/v/lesson2.mp4", "school": "No 5", "annotator": 3, "annotation_id": 11,
       "speech": [{"start": 2, "end": 5, "channel": 0, "labels": ["A"]}],
       "initiator": {"choices": ["Teacher", "Student"]}}
    ])";
    auto p = parse_export(min, {}, "min.json");
    ASSERT_EQ(p.tasks.size(), 2u);
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("initiator"), std::vector<std::string>{"Teacher"});
    EXPECT_EQ(task_choices(p.tasks[1].annotations[0]).at("initiator"),
              (std::vector<std::string>{"Teacher", "Student"}));
    EXPECT_FALSE(p.tasks[0].data.contains("initiator"));
    // A field that could be either is kept as data and named.
    EXPECT_EQ(p.tasks[0].data.at("school"), "No 5");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("JSON_MIN text fields read as task data: 'school'"), std::string::npos)
        << p.warnings[0];

    // The same as CSV (Label Studio writes the flattened answer as a bare cell).
    const std::string csv =
        "id,video,school,annotator,annotation_id,speech,initiator\n"
        "1,/v/lesson.mp4,No 5,3,10,\"[{\"\"start\"\": 1, \"\"end\"\": 4, \"\"labels\"\": [\"\"A\"\"]}]\",Teacher\n"
        "2,/v/lesson2.mp4,No 5,3,11,\"[{\"\"start\"\": 2, \"\"end\"\": 5, \"\"labels\"\": [\"\"A\"\"]}]\","
        "\"{\"\"choices\"\": [\"\"Teacher\"\", \"\"Student\"\"]}\"\n";
    p = parse_export(csv, {ExportFormat::Csv}, "e.csv");
    ASSERT_EQ(p.tasks.size(), 2u);
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("initiator"), std::vector<std::string>{"Teacher"});

    // Only single choices in the export: two annotators of one task differ → a control.
    const std::string two = R"([
      {"id": 1, "video": "/v/l.mp4", "annotator": 3, "initiator": "Teacher",
       "speech": [{"start": 1, "end": 4, "labels": ["A"]}]},
      {"id": 1, "video": "/v/l.mp4", "annotator": 4, "initiator": "Student",
       "speech": [{"start": 1, "end": 4, "labels": ["A"]}]}])";
    p = parse_export(two, {}, "two.json");
    EXPECT_EQ(task_choices(p.tasks[0].annotations[1]).at("initiator"), std::vector<std::string>{"Student"});

    // One annotator, one single choice: only the label config can tell; with it, a TextArea too.
    const std::string one = R"([{"id": 1, "video": "/v/l.mp4", "annotator": 3, "initiator": "Teacher",
      "note": "asks the class", "speech": [{"start": 1, "end": 4, "labels": ["A"]}]}])";
    p = parse_export(one, {}, "one.json");
    EXPECT_EQ(p.tasks[0].data.at("initiator"), "Teacher");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("'initiator', 'note'"), std::string::npos) << p.warnings[0];
    ReadOptions o;
    o.controls = {{"initiator", "Choices"}, {"note", "TextArea"}, {"speech", "Labels"}};
    p = parse_export(one, o, "one.json");
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(task_choices(p.tasks[0].annotations[0]).at("initiator"), std::vector<std::string>{"Teacher"});
    EXPECT_EQ(task_texts(p.tasks[0].annotations[0]).at("note"), std::vector<std::string>{"asks the class"});
}

TEST(LabelStudioExport, UnusedResultsAreReportedNotDropped) {
    auto p = parse_export(R"([{"id": 1, "data": {"video": "v.mp4"}, "annotations": [{"id": 1, "result": [
        {"id": "r", "from_name": "quality", "to_name": "video", "type": "rating", "value": {"rating": 4}},
        {"id": "q", "from_name": "quality", "to_name": "video", "type": "rating", "value": {"rating": 5}}]}]}])");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_EQ(p.warnings[0], "result type 'rating' of control 'quality' (2 result(s)) is not used by vidseg; ignored");
    p = parse_export(R"([{"id": 1, "video": "v.mp4", "annotator": 1, "quality": [{"rating": 4}]}])", {}, "m.json");
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_NE(p.warnings[0].find("export field 'quality' holds a result vidseg does not use"), std::string::npos)
        << p.warnings[0];
}

TEST(LabelStudioExport, DurationFromTheTaskData) {
    auto p = parse_export(R"([{"id": 1, "data": {"video": "v.mp4", "start": 10, "end": 15}, "annotations": [
        {"id": 1, "result": [{"id": "a", "type": "labels", "value": {"start": 0.5, "end": 3.5, "labels": ["x"]}}]}]}])");
    EXPECT_DOUBLE_EQ(p.tasks[0].duration, 5.0);  // the segment, not the last label
}

TEST(LabelStudioExport, MalformedInputsNameTheirPlace) {
    auto e = error_of([] { read_export(fixture("missing_end.json")); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("task 1 (id 6), annotations[0].result[0] (id 'z'): value has no 'end'"),
              std::string::npos)
        << e.what();

    EXPECT_EQ(error_of([] { read_export(fixture("does_not_exist.json")); }).code(), ErrorCode::InputNotFound);
    auto j = error_of([] { parse_export("[{\"data\": {}, \"annotations\": [", {}, "x.json"); });
    EXPECT_EQ(j.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(j.what()).find("x.json: not valid JSON"), std::string::npos) << j.what();
    auto d = error_of([] { parse_export(R"([{"id": 1, "data": {"a": 1}}, {"id": 2, "data": 3}])"); });
    EXPECT_NE(std::string(d.what()).find("task 2 (id 2) has no 'data' object"), std::string::npos) << d.what();
    auto r = error_of([] {
        parse_export(R"([{"id": 1, "data": {}, "annotations": [{"result": [{"type": "labels", "value": {"start": 5, "end": 2}}]}]}])");
    });
    EXPECT_NE(std::string(r.what()).find("0 <= start <= end"), std::string::npos) << r.what();
    auto c = error_of([] { parse_export("id,annotator,labels\n1,a@b,\"[{\"\"start\"\": 1,\"\n", {ExportFormat::Csv}, "e.csv"); });
    EXPECT_EQ(c.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(c.what()).find("line 2, column 'labels': not valid JSON"), std::string::npos) << c.what();
    auto f = error_of([] { parse_export(R"([{"id": 3, "data": {"fps": "abc"}}])"); });
    EXPECT_NE(std::string(f.what()).find("data.fps must be a positive number"), std::string::npos) << f.what();

    // Found by fuzz_label_studio_export (issue 14 §2): a CSV export in Windows-1251 went into the task data and
    // made every JSON writer throw (exit 70); CSV text must be UTF-8 and the error names the line.
    auto u = error_of([] { read_export(fixture("not_utf8.csv")); });
    EXPECT_EQ(u.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(u.what()).find("not_utf8.csv: line 2: not UTF-8 text (byte 0xCF); save the file as UTF-8"),
              std::string::npos)
        << u.what();
}

TEST(VideoTrack, InterpolatesBetweenEnabledKeyframes) {
    auto p = read_export(fixture("two_annotators_full.json"));
    const VideoTrack* track = nullptr;
    for (const auto& r : p.tasks[0].annotations[0].results)
        if (r.track) track = &*r.track;
    ASSERT_NE(track, nullptr);
    // Keyframes: t=0 x=10 (on), t=4 x=20 (on), t=6 x=40 (off), t=8 x=50 y=25 w=20 h=30 (on); duration 20.
    EXPECT_FALSE(track->box_at(-0.5).has_value());
    auto b = track->box_at(2.0);
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->x, 15.0);  // halfway 10 → 20
    EXPECT_DOUBLE_EQ(b->width, 30.0);
    b = track->box_at(5.0);
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->x, 30.0);  // halfway 20 → 40 (the disabled keyframe still ends the interpolation)
    b = track->box_at(6.0);
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->x, 40.0);  // shown on the disabling keyframe itself
    EXPECT_FALSE(track->box_at(7.0).has_value());  // gap until the next keyframe
    b = track->box_at(8.0);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (Box{50, 25, 20, 30, 0}));
    b = track->box_at(15.0);  // enabled last keyframe holds until the end of the video
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->x, 50.0);
    EXPECT_FALSE(track->box_at(21.0).has_value());
}

// Keyframes exactly as the Label Studio 1.23 editor writes them: time = frame / frameRate, while frame f
// is shown at (f - 1) / frameRate (the convention of the timeline labels).
TEST(VideoTrack, EditorKeyframeTimesAreOneFrameLate) {
    auto value = nlohmann::json::parse(
        R"({"framesCount": 250, "duration": 10, "labels": ["Учитель"], "sequence": [
            {"frame": 1, "time": 0.04, "x": 10, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": true},
            {"frame": 26, "time": 1.04, "x": 30, "y": 20, "width": 25, "height": 50, "rotation": 0, "enabled": false}]})");
    for (std::optional<double> fps : {std::optional<double>(25.0), std::optional<double>()}) {
        auto t = parse_video_track(value, "task 1", fps);
        ASSERT_EQ(t.keyframes.size(), 2u);
        EXPECT_NEAR(t.keyframes[0].time, 0.0, 1e-12);
        EXPECT_NEAR(t.keyframes[1].time, 1.0, 1e-12);
        auto b = t.box_at(0.5);  // halfway between frame 1 (0 s) and frame 26 (1 s)
        ASSERT_TRUE(b);
        EXPECT_NEAR(b->x, 20.0, 1e-9);
    }
}

TEST(VideoTrack, TimeFromFrameAndErrors) {
    auto value = nlohmann::json::parse(
        R"({"sequence": [{"frame": 26, "x": 0, "y": 0, "width": 10, "height": 10, "enabled": false},
                         {"frame": 1, "x": 0, "y": 0, "width": 10, "height": 10}]})");
    auto t = parse_video_track(value, "task 1", 25.0);
    ASSERT_EQ(t.keyframes.size(), 2u);
    EXPECT_DOUBLE_EQ(t.keyframes[0].time, 0.0);  // sorted by time
    EXPECT_DOUBLE_EQ(t.keyframes[1].time, 1.0);
    EXPECT_TRUE(t.box_at(0.5).has_value());
    EXPECT_FALSE(t.box_at(1.5).has_value());  // after the disabling last keyframe
    try {
        parse_video_track(value, "task 1");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidData);
        EXPECT_NE(std::string(e.what()).find("sequence[0] has no 'time'"), std::string::npos) << e.what();
    }
    try {
        parse_video_track(nlohmann::json::parse(R"({"sequence": [{"time": 1, "x": 0, "y": 0, "width": "w", "height": 1}]})"),
                          "task 2");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("task 2: sequence[0].width must be a number"), std::string::npos) << e.what();
    }
}

#include "vidseg/annotations/labeled_csv.hpp"

TEST(LabeledCsv, PatternColumnsShape) {
    auto t = read_labeled_csv(fixture("labeled_columns.csv"));
    EXPECT_EQ(t.shape, LabeledTable::Shape::PatternColumns);
    EXPECT_EQ(t.pattern_columns, (std::vector<std::string>{"Работа в команде У", "Эмоциональный отклик У"}));
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0].patterns, std::vector<std::string>{"Работа в команде У"});
    EXPECT_EQ(t.rows[1].patterns, (std::vector<std::string>{"Работа в команде У", "Эмоциональный отклик У"}));
    EXPECT_TRUE(t.rows[2].patterns.empty());  // empty cell = 0
    EXPECT_DOUBLE_EQ(*t.rows[2].start, 10.0);  // timecodes accepted
    EXPECT_EQ(t.rows[2].keyframe, "images/segment_2_keyframe.jpg");
    EXPECT_EQ(t.rows[2].line, 4);
    // Round trip.
    auto again = parse_labeled_csv(write_labeled_csv(t));
    ASSERT_EQ(again.rows.size(), 3u);
    EXPECT_EQ(again.rows[1].patterns, t.rows[1].patterns);
}

TEST(LabeledCsv, ListShapeWithSemicolonsOrJson) {
    auto t = read_labeled_csv(fixture("labeled_list.csv"));
    EXPECT_EQ(t.shape, LabeledTable::Shape::PatternList);
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0].index, 0);
    EXPECT_EQ(t.rows[0].patterns, (std::vector<std::string>{"Работа в команде У", "Эмоциональный отклик У"}));
    EXPECT_EQ(t.rows[1].patterns, (std::vector<std::string>{"Включение в обучающий процесс П", "Работа в команде У"}));
    EXPECT_EQ(t.rows[2].keyframe, "images/segment, 2.jpg");
    EXPECT_TRUE(t.rows[2].patterns.empty());
    auto again = parse_labeled_csv(write_labeled_csv(t));
    EXPECT_EQ(again.rows[2].keyframe, "images/segment, 2.jpg");
    EXPECT_EQ(again.rows[1].patterns, t.rows[1].patterns);
    // ';' as the separator (Excel in Russian locales) with a list column.
    auto s = parse_labeled_csv("segment;start;end;patterns\n3;15;20;[\"A\"]\n");
    EXPECT_EQ(s.rows.at(0).patterns, std::vector<std::string>{"A"});
}

TEST(LabeledCsv, ErrorsNameTheLine) {
    auto msg = [](const std::string& text) {
        try {
            parse_labeled_csv(text, "labeled.csv");
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidData);
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(msg("segment,start,end,Работа в команде У\n0,0,5,1\n1,5,10,да\n"),
              "labeled.csv: line 3: column 'Работа в команде У': expected 0 or 1, got 'да'");
    EXPECT_EQ(msg("segment,start,end,patterns\n0,abc,5,A\n"),
              "labeled.csv: line 2: column 'start': expected seconds or a timecode, got 'abc'");
    EXPECT_EQ(msg("segment,start,end,patterns\n0,10,5,A\n"), "labeled.csv: line 2: end 5 is before start 10");
    EXPECT_EQ(msg("segment,start,end,patterns\n0,0,5,\"[\"\"A\"\n"),
              "labeled.csv: line 2: column 'patterns': not a valid JSON list: [\"A");
    EXPECT_EQ(msg("segment,start,end,keyframe\n0,0,5,a.jpg\n"),
              "labeled.csv: line 1: no pattern columns (0/1 per pattern) and no 'patterns' list column");
}

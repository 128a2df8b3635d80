#include <gtest/gtest.h>

#include "support/test_support.hpp"

#include <pugixml.hpp>
#include <set>

#include "vidseg/annotations/label_studio_config.hpp"
#include "vidseg/core/error.hpp"

using namespace vidseg;
using namespace vidseg::annotations;

namespace {
ErrorCode code_of(const std::function<void()>& f) { return test::thrown_code(f); }
}  // namespace

TEST(LabelStudioConfig, StructureMatchesTaskKeys) {
    const auto xml = segment_label_config(default_patterns());
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
    const auto view = doc.child("View");
    ASSERT_TRUE(view);
    EXPECT_EQ(doc.first_child(), view);  // no declaration before <View>

    const auto video = view.child("Video");
    EXPECT_STREQ(video.attribute("name").value(), "video");
    EXPECT_STREQ(video.attribute("value").value(), "$video");
    EXPECT_STREQ(video.attribute("frameRate").value(), "$fps");

    const auto audio = view.child("Audio");
    EXPECT_STREQ(audio.attribute("name").value(), "audio");
    EXPECT_STREQ(audio.attribute("value").value(), "$audio");

    const auto choices = view.child("Choices");
    EXPECT_STREQ(choices.attribute("name").value(), "patterns");
    EXPECT_STREQ(choices.attribute("toName").value(), "video");
    EXPECT_STREQ(choices.attribute("choice").value(), "multiple");

    const auto labels = view.child("Labels");
    EXPECT_STREQ(labels.attribute("name").value(), "pattern_intervals");
    EXPECT_STREQ(labels.attribute("toName").value(), "audio");

    const auto patterns = default_patterns();
    size_t i = 0;
    for (auto c : choices.children("Choice")) {
        ASSERT_LT(i, patterns.size());
        EXPECT_EQ(c.attribute("value").value(), patterns[i].name);
        EXPECT_EQ(c.attribute("hint").value(), patterns[i].description);
        ++i;
    }
    EXPECT_EQ(i, 8u);
    i = 0;
    for (auto l : labels.children("Label")) EXPECT_EQ(l.attribute("value").value(), patterns[i++].name);
    EXPECT_EQ(i, 8u);

    // Video controls, so JSON_MIN / CSV exports keep video intervals and tracked boxes: interval labels
    // on the video timeline (the same patterns), the tracked roles and the box tool.
    const auto timeline = view.child("TimelineLabels");
    EXPECT_STREQ(timeline.attribute("name").value(), "video_intervals");
    EXPECT_STREQ(timeline.attribute("toName").value(), "video");
    i = 0;
    for (auto l : timeline.children("Label")) EXPECT_EQ(l.attribute("value").value(), patterns[i++].name);
    EXPECT_EQ(i, 8u);
    const auto tracked = labels.next_sibling("Labels");
    EXPECT_STREQ(tracked.attribute("name").value(), "tracked");
    EXPECT_STREQ(tracked.attribute("toName").value(), "video");
    EXPECT_STREQ(tracked.child("Label").attribute("value").value(), "Учитель");
    const auto box = view.child("VideoRectangle");
    EXPECT_STREQ(box.attribute("name").value(), "box");
    EXPECT_STREQ(box.attribute("toName").value(), "video");
    // Control names are distinct (Label Studio refuses a config with a repeated name).
    std::set<std::string> names;
    size_t controls = 0;
    for (auto child : view.children()) {
        names.insert(child.attribute("name").value());
        ++controls;
    }
    EXPECT_EQ(names.size(), controls);

    // Every $variable of the config is a data key of the tasks.
    const auto tasks = make_tasks({{.index = 0, .start = 0, .end = 5, .fps = 25}}, "l");
    for (const char* key : {"video", "audio", "fps"}) EXPECT_TRUE(tasks[0]["data"].contains(key)) << key;
}

TEST(LabelStudioConfig, EscapesSpecialCharacters) {
    const auto xml = segment_label_config({{"A & B <\"x\">", "desc 'q' & <b>"}, {"Plain", ""}});
    // '>' needs no escaping inside an attribute value; '&', '<' and '"' do.
    EXPECT_NE(xml.find("value=\"A &amp; B &lt;&quot;x&quot;>\""), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<b>"), std::string::npos);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str()));
    const auto first = doc.child("View").child("Choices").child("Choice");
    EXPECT_STREQ(first.attribute("value").value(), "A & B <\"x\">");
    EXPECT_STREQ(first.attribute("hint").value(), "desc 'q' & <b>");
    EXPECT_FALSE(first.next_sibling("Choice").attribute("hint"));  // no empty hint attribute
    EXPECT_EQ(code_of([] { segment_label_config({}); }), ErrorCode::InvalidArgument);
}

TEST(LabelStudioTasks, ExactJson) {
    SegmentTask t;
    t.index = 3;
    t.start = 15;
    t.end = 20;
    t.video_url = "/data/local-files/?d=lesson/part_films/segment_3.mp4";
    t.audio_url = "/data/local-files/?d=lesson/audio/segment_3.wav";
    t.keyframe_url = "/data/local-files/?d=lesson/processed_data/segment_3_keyframe.jpg";
    t.fps = 29.97;
    t.features = {{"rms_db", -23.5}, {"sharpness", 120.0}};
    const auto j = make_tasks({t}, "Урок 1");
    const auto expected = nlohmann::json::parse(R"([{"data": {
        "video": "/data/local-files/?d=lesson/part_films/segment_3.mp4",
        "audio": "/data/local-files/?d=lesson/audio/segment_3.wav",
        "image": "/data/local-files/?d=lesson/processed_data/segment_3_keyframe.jpg",
        "segment": 3, "start": 15.0, "end": 20.0, "fps": 29.97, "lesson": "Урок 1",
        "features": {"rms_db": -23.5, "sharpness": 120.0}}}])");
    EXPECT_EQ(j, expected) << j.dump(2);

    t.features = nullptr;  // no features → empty object, never null
    EXPECT_EQ(make_tasks({t}, "x")[0]["data"]["features"], nlohmann::json::object());
    EXPECT_EQ(make_tasks({}, "x"), nlohmann::json::array());
}

TEST(LabelStudioTasks, RejectsBadSegments) {
    EXPECT_EQ(code_of([] { make_tasks({{.index = 0, .start = 5, .end = 5, .fps = 25}}, "x"); }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { make_tasks({{.index = 0, .start = 0, .end = 5, .fps = 0}}, "x"); }),
              ErrorCode::InvalidArgument);
}

TEST(MediaUrl, JoinsAndEncodes) {
    EXPECT_EQ(media_url("http://localhost:8081/lesson1/", "part_films/segment 1.mp4"),
              "http://localhost:8081/lesson1/part_films/segment%201.mp4");
    EXPECT_EQ(media_url("http://localhost:8081/lesson1", "part_films/a.mp4"),
              "http://localhost:8081/lesson1/part_films/a.mp4");
    // "Урок" in UTF-8 is D0 A3 D1 80 D0 BE D0 BA.
    EXPECT_EQ(media_url("http://h/", "Урок/a#1?.jpg"), "http://h/%D0%A3%D1%80%D0%BE%D0%BA/a%231%3F.jpg");
    EXPECT_EQ(media_url("http://h/", "a\\b//./c~d_e-f.g"), "http://h/a/b/c~d_e-f.g");
}

TEST(MediaUrl, LocalFilesFormWhenNoBase) {
    EXPECT_EQ(media_url("", "lesson 1/part_films/segment_0.mp4"),
              "/data/local-files/?d=lesson%201/part_films/segment_0.mp4");
    EXPECT_EQ(media_url("", "a&b=c.mp4"), "/data/local-files/?d=a%26b%3Dc.mp4");
}

TEST(MediaUrl, RejectsPathsOutsideTheServedFolder) {
    EXPECT_EQ(code_of([] { media_url("", ""); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { media_url("", "/etc/passwd"); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { media_url("http://h/", "a/../../b"); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(code_of([] { media_url("", "./"); }), ErrorCode::InvalidArgument);
}

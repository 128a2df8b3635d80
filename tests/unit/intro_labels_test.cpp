// Intro label files: the three forms of SPEC §2, the real VK labels, writers and malformed input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_labels.hpp"

using namespace vidseg;
using intro::IntroLabel;
using intro::LabelForm;
using timeline::Interval;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = vidseg::test::source_path("tests/data/intro");
const fs::path kVkLabels = vidseg::test::source_path("../shared/data/vk_labels");

// The error a parse of `text` raises; fails the test when it does not raise InvalidData.
std::string parse_error(const std::string& text) {
    try {
        intro::parse_intro_labels_text(text, "f.json");
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidData) << e.what();
        EXPECT_EQ(e.subject(), "f.json");
        return e.what();
    }
    ADD_FAILURE() << "no error for: " << text;
    return "";
}

}  // namespace

TEST(IntroLabels, FormATimecodes) {
    const auto file = intro::read_intro_labels(kFixtures / "labels_a.json");
    EXPECT_EQ(file.form, LabelForm::Timecodes);
    ASSERT_EQ(file.labels.size(), 5u);
    // File order is kept.
    EXPECT_EQ(file.labels[0].id, "ep1.mp4");
    EXPECT_EQ(file.labels[0].intro, (Interval{5, 15}));
    EXPECT_EQ(file.labels[1].intro, (Interval{10, 20}));
    EXPECT_FALSE(file.labels[2].intro.has_value());  // start == end: no intro
    EXPECT_EQ(file.labels[3].intro, (Interval{60, 65.5}));
    EXPECT_EQ(file.labels[4].id, "ep5.mp4");
    EXPECT_EQ(file.labels[4].intro, (Interval{7, 9}));  // "0:00:07" (H:MM:SS) as well
    EXPECT_TRUE(file.labels[0].name.empty());
}

TEST(IntroLabels, FormBVkLabels) {
    const auto file = intro::read_intro_labels(kFixtures / "labels_b.json");
    EXPECT_EQ(file.form, LabelForm::VkLabels);
    ASSERT_EQ(file.labels.size(), 3u);
    EXPECT_EQ(file.labels[0].id, "-1_100");
    EXPECT_EQ(file.labels[0].url, "https://vkvideo.ru/video-1_100");
    EXPECT_EQ(file.labels[0].name, "Сериал. 1 сезон, 1 серия");
    EXPECT_EQ(file.labels[0].intro, (Interval{5, 16}));
    EXPECT_FALSE(file.labels[1].intro.has_value());  // 0:03:47 > 0:03:10: inverted = no intro
    // Fractional timecode and a plain JSON number.
    ASSERT_TRUE(file.labels[2].intro.has_value());
    EXPECT_DOUBLE_EQ(file.labels[2].intro->start, 5.25);
    EXPECT_DOUBLE_EQ(file.labels[2].intro->end, 20.5);
}

TEST(IntroLabels, FormCPredictions) {
    const auto file = intro::read_intro_labels(kFixtures / "preds_c.json");
    EXPECT_EQ(file.form, LabelForm::Predictions);
    ASSERT_EQ(file.labels.size(), 5u);
    EXPECT_EQ(file.labels[0].intro, (Interval{5.5, 14}));
    EXPECT_FALSE(file.labels[1].intro.has_value());  // []
    EXPECT_FALSE(file.labels[2].intro.has_value());  // null
    EXPECT_EQ(file.labels[3].intro, (Interval{59, 66}));  // integers
    EXPECT_EQ(file.labels[4].id, "extra");

    const auto more = intro::parse_intro_labels_text(
        R"({"a": [null, null], "b": [20, 10], "c": ["0:00:05", "15.5"], "d": [3, 3]})");
    EXPECT_FALSE(more.labels[0].intro.has_value());
    EXPECT_FALSE(more.labels[1].intro.has_value());  // end <= start
    EXPECT_EQ(more.labels[2].intro, (Interval{5, 15.5}));
    EXPECT_FALSE(more.labels[3].intro.has_value());
}

TEST(IntroLabels, EmptyObjectIsValid) {
    const auto file = intro::parse_intro_labels_text("{}");
    EXPECT_TRUE(file.labels.empty());
}

TEST(IntroLabels, RealVkFilesParseWithReadmeCounts) {
    if (!fs::is_directory(kVkLabels)) GTEST_SKIP() << "shared VK labels not found at " << kVkLabels;
    struct Expect {
        const char* file;
        size_t entries, without;
    };
    for (const auto& e : {Expect{"train_labels.json", 80, 24}, Expect{"test_labels.json", 45, 5}}) {
        const auto file = intro::read_intro_labels(kVkLabels / e.file);
        EXPECT_EQ(file.form, LabelForm::VkLabels) << e.file;
        EXPECT_EQ(file.labels.size(), e.entries) << e.file;
        size_t without = 0;
        for (const auto& l : file.labels) {
            if (!l.intro) {
                ++without;
                continue;
            }
            // README: well-formed intros last 2-15 s and start between 0 and 749 s.
            EXPECT_GE(l.intro->length(), 2.0) << l.id;
            EXPECT_LE(l.intro->length(), 15.0) << l.id;
            EXPECT_LE(l.intro->start, 749.0) << l.id;
            EXPECT_FALSE(l.url.empty()) << l.id;
            EXPECT_FALSE(l.name.empty()) << l.id;
        }
        EXPECT_EQ(without, e.without) << e.file;
    }
}

TEST(IntroLabels, MatchKey) {
    EXPECT_EQ(intro::match_key("episode.mp4"), "episode");
    EXPECT_EQ(intro::match_key("/data/season 1/episode.mkv"), "episode");
    EXPECT_EQ(intro::match_key("C:\\tv\\ep01.avi"), "ep01");
    EXPECT_EQ(intro::match_key("episode"), "episode");
    EXPECT_EQ(intro::match_key("-220020068_456249220"), "-220020068_456249220");
    EXPECT_EQ(intro::match_key("Show.S01E02"), "Show.S01E02");  // 6 chars: not an extension
    EXPECT_EQ(intro::match_key("take.2"), "take.2");            // digits only: not an extension
    EXPECT_EQ(intro::match_key(".hidden"), ".hidden");
    EXPECT_EQ(intro::match_key("a.b.mp4"), "a.b");
}

TEST(IntroLabels, PredictionsJsonRoundTrip) {
    std::vector<IntroLabel> labels = {{.id = "x", .intro = Interval{5.25, 15}},
                                      {.id = "y", .intro = std::nullopt},
                                      {.id = "ep.mp4", .intro = Interval{0, 1.0 / 3.0}}};
    const auto doc = intro::to_predictions_json(labels);
    EXPECT_EQ(doc.dump(), R"({"x":[5.25,15.0],"y":[],"ep.mp4":[0.0,0.333]})");
    test::TempDir tmp;
    write_file_atomic(tmp / "p.json", doc.dump(2));
    const auto back = intro::read_intro_labels(tmp / "p.json");
    EXPECT_EQ(back.form, LabelForm::Predictions);
    labels[2].intro->end = 0.333;  // written rounded to the millisecond
    EXPECT_EQ(back.labels, labels);
}

TEST(IntroLabels, TimecodeAndVkJsonRoundTrip) {
    const std::vector<IntroLabel> labels = {
        {.id = "a.mp4", .intro = Interval{5, 12}},
        {.id = "b.mp4", .intro = Interval{3725.5, 3740}},
        {.id = "c.mp4", .intro = std::nullopt},
    };
    const auto a = intro::to_timecode_json(labels);
    EXPECT_EQ(a.dump(), R"({"a.mp4":{"start":"00:00:05","end":"00:00:12"},)"
                        R"("b.mp4":{"start":"01:02:05.500","end":"01:02:20"},)"
                        R"("c.mp4":{"start":"00:00:00","end":"00:00:00"}})");
    const auto back_a = intro::parse_intro_labels_text(a.dump());
    EXPECT_EQ(back_a.form, LabelForm::Timecodes);
    EXPECT_EQ(back_a.labels, labels);

    std::vector<IntroLabel> vk = labels;
    vk[0].name = "Серия 1";
    vk[0].url = "https://example.org/1";
    const auto back_b = intro::parse_intro_labels_text(intro::to_vk_labels_json(vk).dump());
    EXPECT_EQ(back_b.form, LabelForm::VkLabels);
    EXPECT_EQ(back_b.labels[0], vk[0]);
    EXPECT_EQ(back_b.labels[1].intro, vk[1].intro);
    EXPECT_FALSE(back_b.labels[2].intro.has_value());
}

TEST(IntroLabels, EdlAndChapters) {
    EXPECT_EQ(intro::to_edl(Interval{5, 15.25}), "5.000\t15.250\t3\n");
    EXPECT_EQ(intro::to_edl(Interval{5, 15}, 0), "5.000\t15.000\t0\n");
    EXPECT_EQ(intro::to_edl(std::nullopt), "");
    EXPECT_EQ(intro::to_ffmetadata_chapters(Interval{5, 15.25}),
              ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=5000\nEND=15250\ntitle=Intro\n");
    EXPECT_EQ(intro::to_ffmetadata_chapters(std::nullopt), ";FFMETADATA1\n");
    EXPECT_EQ(intro::to_ffmetadata_chapters(Interval{0, 1}, "Op=1;#x"),
              ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Op\\=1\\;\\#x\n");
    EXPECT_EQ(intro::intro_found_line(Interval{20, 35}), "Intro found: 20.00s - 35.00s");
    EXPECT_EQ(intro::intro_found_line(std::nullopt), "No intro found");
}

TEST(IntroLabels, MissingFileAndDirectory) {
    try {
        intro::read_intro_labels(kFixtures / "does_not_exist.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
        EXPECT_NE(e.subject().find("does_not_exist.json"), std::string::npos);
    }
    try {
        intro::read_intro_labels(kFixtures);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    }
}

TEST(IntroLabels, MalformedInputMessages) {
    // JSON syntax: the parser's position is kept.
    EXPECT_NE(parse_error("{\"a\": [1, 2],\n \"b\": }").find("malformed JSON: parse error at line 2, column"),
              std::string::npos);
    EXPECT_EQ(parse_error(""), "f.json: malformed JSON: parse error at line 1, column 1: syntax error while "
                               "parsing value - unexpected end of input; expected '[', '{', or a literal");
    // Found by fuzz_intro_labels (issue 14 §2): a number beyond a double escaped as a JSON out_of_range (exit 70).
    EXPECT_EQ(parse_error(R"({"a": [1, 1e400]})"), "f.json: malformed JSON: number overflow parsing '1e400'");
    EXPECT_EQ(parse_error("[1, 2]"), "f.json: expected a JSON object mapping video ids to intros, got array");
    EXPECT_EQ(parse_error(R"({"a": {"start": "0:00:05"}})"), "f.json: entry 'a': missing key 'end'");
    EXPECT_EQ(parse_error(R"({"a": {"start": "0:00:05", "end": "0:0x:10"}})"),
              "f.json: entry 'a' key 'end': invalid timecode '0:0x:10': unexpected character 'x'");
    EXPECT_EQ(parse_error(R"({"a": {"start": true, "end": 3}})"),
              "f.json: entry 'a' key 'start': expected a timecode string or a number, got true");
    EXPECT_EQ(parse_error(R"({"a": {"start": -1, "end": 3}})"),
              "f.json: entry 'a' key 'start': time must be >= 0, got -1");
    EXPECT_EQ(parse_error(R"({"a": [1, 2, 3]})"), "f.json: entry 'a': expected [start_sec, end_sec] or [], got 3 elements");
    EXPECT_EQ(parse_error(R"({"a": ["x", 2]})"), "f.json: entry 'a' start: invalid timecode 'x': unexpected character 'x'");
    EXPECT_EQ(parse_error(R"({"a": 5})"),
              "f.json: entry 'a': expected {\"start\", \"end\"}, [start_sec, end_sec] or null, got 5");
    EXPECT_EQ(parse_error(R"({"a": {"start": 1, "end": 3, "url": 7}})"),
              "f.json: entry 'a' key 'url': expected a string, got 7");
}

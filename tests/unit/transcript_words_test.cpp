// Word times decide what was said inside an interval (timeline/transcript.hpp): snippets, fragment
// transcripts and the text columns take the words whose middle lies inside, never whole recogniser
// segments (their bounds change between runs and instruction sets). Cues without word times count
// by the cue's own time.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/asr/fragment_transcripts.hpp"
#include "vidseg/asr/transcript.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/models/lesson_transcript.hpp"
#include "vidseg/timeline/transcript.hpp"

using nlohmann::json;
using vidseg::ErrorCode;
namespace asr = vidseg::asr;
namespace timeline = vidseg::timeline;

namespace {

// What a Whisper run on another instruction set returned for the lesson of issue 18: one segment
// spanning the student's question (30-40 s) and the teacher's answer after the pause (44 s on).
timeline::TranscriptSegment question_and_answer() {
    timeline::TranscriptSegment s{29.6, 47.0, "why do the leaves change? the plants in our garden", {}};
    const std::vector<std::pair<double, const char*>> at = {{30.1, "why"},   {30.5, "do"},     {30.8, "the"},
                                                            {31.1, "leaves"}, {31.6, "change?"}, {44.2, "the"},
                                                            {44.5, "plants"}, {44.9, "in"},     {45.1, "our"},
                                                            {45.4, "garden"}};
    for (const auto& [t, w] : at) s.words.push_back({t, t + 0.3, w});
    return s;
}

}  // namespace

TEST(TranscriptWords, TextInsideTakesTheWordsWhoseMiddleIsInside) {
    const std::vector<timeline::TranscriptSegment> segs = {question_and_answer()};
    EXPECT_EQ(timeline::text_inside(segs, 30, 40), "why do the leaves change?");
    EXPECT_EQ(timeline::text_inside(segs, 40, 50), "the plants in our garden");
    // The middle decides: "why" is 30.1-30.4 (middle 30.25).
    EXPECT_EQ(timeline::text_inside(segs, 30.3, 31.0), "do the");
    EXPECT_EQ(timeline::text_inside(segs, 30.2, 30.3), "why");
    EXPECT_EQ(timeline::text_inside(segs, 50, 60), "");
}

TEST(TranscriptWords, CuesWithoutWordTimesCountByTheCueMiddle) {
    const std::vector<timeline::TranscriptSegment> cues = {
        {28, 35, "starts before, middle inside", {}}, {38, 46, "middle after the end", {}}, {31, 33, "inside", {}}};
    EXPECT_EQ(timeline::text_inside(cues, 30, 40), "starts before, middle inside inside");
    // Words of a cue are spread evenly over it where a count per second is needed.
    const auto words = timeline::words_in_time({{10, 13, "one two three", {}}});
    ASSERT_EQ(words.size(), 3u);
    EXPECT_DOUBLE_EQ(words[1].start, 11);
    EXPECT_DOUBLE_EQ(words[1].middle(), 11.5);
    EXPECT_EQ(words[2].text, "three");
}

TEST(TranscriptWords, SnippetOfTheReportUsesWordTimes) {
    const std::vector<vidseg::models::TranscriptSegment> segs = {question_and_answer()};
    EXPECT_EQ(vidseg::models::transcript_snippet(segs, 29.5, 40.5), "why do the leaves change?");
    EXPECT_EQ(vidseg::models::transcript_snippet(segs, 29.5, 40.5, 12), "why do the…");
}

TEST(TranscriptWords, WorkerAndOpenAiFormsAreRead) {
    // faster-whisper worker: words per segment.
    auto t = asr::transcript_from_json(json::parse(R"({"text": "a b", "segments": [
        {"start": 0.0, "end": 2.0, "text": " a b", "words": [{"start": 0.1, "end": 0.5, "word": " a"},
                                                             {"start": 1.0, "end": 1.4, "word": " b"}]}]})"));
    ASSERT_EQ(t.segments.size(), 1u);
    ASSERT_EQ(t.segments[0].words.size(), 2u);
    EXPECT_EQ(t.segments[0].words[0].text, "a");
    EXPECT_DOUBLE_EQ(t.segments[0].words[1].end, 1.4);
    // ... written back with the words and read again unchanged.
    const auto again = asr::transcript_from_json(asr::to_json(t));
    ASSERT_EQ(again.segments.at(0).words.size(), 2u);
    EXPECT_EQ(again.segments[0].words[1].text, "b");

    // OpenAI verbose_json with timestamp_granularities[]=word: one top-level list, placed into segments.
    t = asr::transcript_from_json(json::parse(R"({"text": "one two three", "language": "english",
        "segments": [{"start": 0, "end": 1.5, "text": "one two"}, {"start": 3, "end": 4, "text": "three"}],
        "words": [{"word": "one", "start": 0.1, "end": 0.4}, {"word": "two", "start": 0.9, "end": 1.6},
                  {"word": "three", "start": 2.8, "end": 3.3}]})"));
    ASSERT_EQ(t.segments.size(), 2u);
    ASSERT_EQ(t.segments[0].words.size(), 2u);
    ASSERT_EQ(t.segments[1].words.size(), 1u);
    EXPECT_EQ(t.segments[1].words[0].text, "three");
    // Words without segments become one segment.
    t = asr::transcript_from_json(json::parse(R"({"text": "x y", "words": [{"word": "x", "start": 1, "end": 2},
        {"word": "y", "start": 2, "end": 3}]})"));
    ASSERT_EQ(t.segments.size(), 1u);
    EXPECT_DOUBLE_EQ(t.segments[0].start, 1);
    EXPECT_DOUBLE_EQ(t.segments[0].end, 3);
    EXPECT_EQ(t.segments[0].text, "x y");
}

TEST(TranscriptWords, MalformedWordsAreInvalidData) {
    for (const char* bad : {R"({"text": "a", "segments": [{"start": 0, "end": 1, "words": [{"start": 2, "end": 1, "word": "a"}]}]})",
                            R"({"text": "a", "segments": [{"start": 0, "end": 1, "words": [{"start": "0", "end": 1, "word": "a"}]}]})",
                            R"({"text": "a", "segments": [{"start": 0, "end": 1, "words": [{"start": 0, "end": 1}]}]})",
                            R"({"text": "a", "words": {"start": 0}})"}) {
        const auto e = vidseg::test::thrown_error([&] { asr::transcript_from_json(json::parse(bad)); });
        EXPECT_EQ(e.code(), ErrorCode::InvalidData) << bad;
        EXPECT_NE(std::string(e.what()).find("word"), std::string::npos) << e.what();
    }
    const auto e = vidseg::test::thrown_error([] {
        vidseg::features::parse_transcript(
            R"({"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"start": -1, "end": 1, "word": "a"}]}]})",
            "t.json");
    });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.subject(), "t.json");
    EXPECT_NE(e.cause().find("segment 0, word 0"), std::string::npos) << e.cause();
}

TEST(TranscriptWords, TextColumnsCountWordsAtTheirTimes) {
    // A 10-s segment whose three words are all said in its ninth second: with word times they count in
    // row 8, not spread over the segment.
    const auto segments = vidseg::features::parse_transcript(
        R"({"segments": [{"start": 0, "end": 10, "text": "a b c", "words": [{"start": 8.1, "end": 8.3, "word": "a"},
            {"start": 8.4, "end": 8.6, "word": "b"}, {"start": 8.7, "end": 8.9, "word": "c"}]},
            {"start": 10, "end": 12, "text": "d e"}]})",
        "t.json");
    vidseg::features::FeatureMatrix m;
    m.spec.step = m.spec.window = 1;
    for (int r = 0; r < 12; ++r) m.times.push_back(r);
    vidseg::features::append_text_columns(segments, m);
    ASSERT_EQ(m.spec.columns.at(0), "tokens");
    for (std::size_t r = 0; r < 12; ++r) {
        const float expected = r == 8 ? 3.0f : (r == 10 || r == 11 ? 1.0f : 0.0f);  // d, e spread over 10-12 s
        EXPECT_FLOAT_EQ(m.at(r, 0), expected) << "row " << r;
    }
}

TEST(TranscriptWords, FragmentTranscriptsKeepTheWordsInsideTheFragment) {
    asr::Transcript t;
    t.segments.push_back({0, 5.2, "hello there class to", {{0.2, 0.6, "hello"}, {0.7, 1.0, "there"}, {1.1, 1.6, "class"},
                                                           {4.8, 5.2, "to"}}});
    t.segments.push_back({5.0, 5.4, "day", {{5.05, 5.4, "day"}}});
    t.text = "hello there class to day";
    asr::keep_words_inside(t, 5.0);  // "to" (middle 5.0) and "day" were cut at the fragment's end
    EXPECT_EQ(t.text, "hello there class");
    ASSERT_EQ(t.segments.size(), 1u);
    EXPECT_EQ(t.segments[0].text, "hello there class");
    // Without word times nothing changes.
    asr::Transcript plain;
    plain.text = "as it was";
    plain.segments.push_back({0, 9, "as it was", {}});
    asr::keep_words_inside(plain, 1.0);
    EXPECT_EQ(plain.text, "as it was");
}

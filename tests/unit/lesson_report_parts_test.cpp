// The parts of the `vidseg patterns find` report beside the model: talk/silence shares and the
// teacher/student split (models/lesson_talk), lesson transcripts in JSON / SRT / VTT and their
// snippets (models/lesson_transcript), base64 for embedded keyframes, text-only training features
// from a dataset's transcripts (models/transcript_features) and the chunk count --folds is
// checked against (models/training_set).
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/models/lesson_keyframes.hpp"
#include "vidseg/models/lesson_talk.hpp"
#include "vidseg/models/lesson_transcript.hpp"
#include "vidseg/models/pattern_report.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/models/transcript_features.hpp"

using namespace vidseg;
namespace fs = std::filesystem;
using vidseg::test::TempDir;
using vidseg::test::thrown_code;

namespace {

// 1 s rows: speech_fraction + mfcc_mean_0..12. kind per row: '-' silence, 'T' / 'S' a voice whose
// timbre vector is centred at +offset / -offset on every coefficient, with unit noise.
features::FeatureMatrix talk_matrix(const std::string& kinds, double offset, unsigned seed = 7) {
    features::FeatureMatrix m;
    m.source = "lesson.mp4";
    m.spec.columns.push_back("speech_fraction");
    for (int k = 0; k <= 12; ++k) m.spec.columns.push_back("mfcc_mean_" + std::to_string(k));
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, 1);
    for (std::size_t r = 0; r < kinds.size(); ++r) {
        m.times.push_back(double(r));
        const bool speech = kinds[r] != '-';
        m.values.push_back(speech ? 0.9f : 0.0f);
        for (int k = 0; k <= 12; ++k)
            m.values.push_back(float((kinds[r] == 'S' ? -offset : kinds[r] == 'T' ? offset : 0) + noise(rng)));
    }
    return m;
}

}  // namespace

TEST(LessonTalk, SharesOfSpeechSilenceTeacherAndStudents) {
    // 60 rows: 18 silent (30 %), 32 teacher, 10 students.
    const std::string kinds = std::string(4, '-') + std::string(20, 'T') + std::string(6, '-') + std::string(10, 'S') +
                              std::string(4, '-') + std::string(12, 'T') + std::string(4, '-');
    const auto talk = models::estimate_talk_shares(talk_matrix(kinds, 2.0));
    EXPECT_NEAR(talk.silence_share, 0.30, 1e-9);
    EXPECT_NEAR(talk.speech_share, 0.70, 1e-9);
    EXPECT_TRUE(talk.speakers_separated) << talk.separation;
    EXPECT_NEAR(talk.teacher_share, 32.0 / 60, 1e-9);
    EXPECT_NEAR(talk.student_share, 10.0 / 60, 1e-9);
    for (std::size_t r = 30; r < 40; ++r) EXPECT_EQ(talk.rows[r], models::TalkKind::Student) << r;
    EXPECT_NE(talk.method.find("k-means"), std::string::npos);
}

TEST(LessonTalk, OneVoiceIsAllTeacher) {
    const std::string kinds = std::string(10, '-') + std::string(50, 'T');
    const auto talk = models::estimate_talk_shares(talk_matrix(kinds, 0.0));
    EXPECT_FALSE(talk.speakers_separated) << talk.separation;
    EXPECT_LT(talk.separation, models::kMinSeparation);
    EXPECT_NEAR(talk.teacher_share, 50.0 / 60, 1e-9);
    EXPECT_EQ(talk.student_share, 0.0);
    EXPECT_NE(talk.method.find("all speech is counted as the teacher's"), std::string::npos);
}

TEST(LessonTalk, NaNRowsAreSilenceAndMissingColumnsAreAnError) {
    auto m = talk_matrix("TTTTTTTTTT", 0.0);
    m.at(9, 0) = std::numeric_limits<float>::quiet_NaN();  // past the end of the audio
    EXPECT_NEAR(models::estimate_talk_shares(m).silence_share, 0.1, 1e-9);
    m.spec.columns[0] = "rms_mean";
    EXPECT_FALSE(models::has_talk_columns(m.spec));
    EXPECT_EQ(thrown_code([&] { models::estimate_talk_shares(m); }), ErrorCode::InvalidData);
}

TEST(LessonTranscript, ReadsSrtVttAndJsonAndFindsTheFileBesideTheVideo) {
    TempDir dir;
    std::ofstream(dir / "a.srt") << "1\r\n00:00:04,000 --> 00:00:06,500\r\n<i>Good</i> morning\r\nclass.\r\n\r\n"
                                    "2\r\n01:00:10,250 --> 01:00:12,000\r\nOpen your books.\r\n";
    auto srt = models::read_lesson_transcript(dir / "a.srt");
    ASSERT_EQ(srt.size(), 2u);
    EXPECT_DOUBLE_EQ(srt[0].start, 4.0);
    EXPECT_DOUBLE_EQ(srt[0].end, 6.5);
    EXPECT_EQ(srt[0].text, "Good morning class.");
    EXPECT_DOUBLE_EQ(srt[1].start, 3610.25);

    std::ofstream(dir / "b.vtt") << "WEBVTT\n\n00:01.500 --> 00:03.000 align:start\nHello\n\nnote\n00:03.000 --> 00:04.000\nthere\n";
    auto vtt = models::read_lesson_transcript(dir / "b.vtt");
    ASSERT_EQ(vtt.size(), 2u);
    EXPECT_DOUBLE_EQ(vtt[0].start, 1.5);
    EXPECT_EQ(vtt[1].text, "there");

    std::ofstream(dir / "c.json") << R"({"text": "x", "segments": [{"start": 1, "end": 2, "text": " one two "}]})";
    EXPECT_EQ(models::read_lesson_transcript(dir / "c.json").at(0).text, " one two ");

    std::ofstream(dir / "bad.srt") << "1\n00:00:04 --> 00:00:06,500\nx\n";
    EXPECT_EQ(thrown_code([&] { models::read_lesson_transcript(dir / "bad.srt"); }), ErrorCode::InvalidData);
    EXPECT_EQ(thrown_code([&] { models::read_lesson_transcript(dir / "none.srt"); }), ErrorCode::InputNotFound);

    EXPECT_EQ(models::find_transcript_beside(dir / "a.mp4"), dir / "a.srt");
    EXPECT_EQ(models::find_transcript_beside(dir / "b.mkv"), dir / "b.vtt");
    EXPECT_EQ(models::find_transcript_beside(dir / "c.mp4"), dir / "c.json");  // has "segments"
    std::ofstream(dir / "d.json") << R"({"model": "not a transcript"})";
    EXPECT_FALSE(models::find_transcript_beside(dir / "d.mp4").has_value());
}

TEST(LessonTranscript, SnippetsTakeOverlappingSegmentsAndCutAtAWord) {
    const std::vector<models::TranscriptSegment> segs = {{0, 4, "before"}, {4, 8, "inside one"}, {9, 12, "inside two"},
                                                         {12, 15, "after"}};
    EXPECT_EQ(models::transcript_snippet(segs, 4, 12), "inside one inside two");
    EXPECT_EQ(models::transcript_snippet(segs, 20, 30), "");
    EXPECT_EQ(models::transcript_snippet(segs, 4, 12, 14), "inside one…");
    // Never splits a UTF-8 character.
    const std::vector<models::TranscriptSegment> ru = {{0, 5, "ппппп"}};
    EXPECT_EQ(models::transcript_snippet(ru, 0, 5, 5), "пп…");
}

TEST(LessonKeyframes, Base64MatchesRfc4648) {
    const auto b64 = [](const std::string& s) { return models::base64_encode(std::vector<std::uint8_t>(s.begin(), s.end())); };
    EXPECT_EQ(b64(""), "");
    EXPECT_EQ(b64("f"), "Zg==");
    EXPECT_EQ(b64("fo"), "Zm8=");
    EXPECT_EQ(b64("foo"), "Zm9v");
    EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(models::base64_encode({0xff, 0xd8, 0xff}), "/9j/");
}

TEST(PatternReport, SaysWhatIsMissingAndCarriesSnippetsAndKeyframes) {
    models::Prediction p;
    p.source = "lesson.mp4";
    p.labels = {"Q"};
    for (int r = 0; r < 20; ++r) {
        p.times.push_back(r);
        p.probabilities.push_back(r >= 5 && r < 10 ? 0.9f : 0.1f);
    }
    p.detections = {{"Q", {5, 10}, 0.9}};
    models::ModelInfo info;
    info.labels = {"Q"};
    models::LessonContext none;
    none.talk_note = "no audio";
    none.keyframe_note = "no video";
    none.transcript_note = "no transcript";
    auto doc = models::pattern_report_json(p, info, none);
    EXPECT_FALSE(doc["talk"]["available"].get<bool>());
    EXPECT_FALSE(doc["transcript"]["available"].get<bool>());
    auto html = models::pattern_report_html(p, info, none);
    EXPECT_NE(html.find("Transcripts were not available (no transcript)"), std::string::npos);
    EXPECT_NE(html.find("Not available: no audio"), std::string::npos);

    models::LessonContext full;
    full.talk = models::estimate_talk_shares(talk_matrix(std::string(6, '-') + std::string(14, 'T'), 0.0));
    full.keyframes = {"data:image/jpeg;base64,/9j/"};
    full.snippets = std::vector<std::string>{"a <question>"};
    full.transcript_source = "lesson.srt";
    doc = models::pattern_report_json(p, info, full);
    EXPECT_NEAR(doc["talk"]["silence_share"].get<double>(), 0.3, 1e-9);
    EXPECT_EQ(doc["top_segments"][0]["transcript"], "a <question>");
    EXPECT_EQ(doc["top_segments"][0]["keyframe"], "data:image/jpeg;base64,/9j/");
    EXPECT_DOUBLE_EQ(doc["top_segments"][0]["middle"].get<double>(), 7.5);
    html = models::pattern_report_html(p, info, full);
    EXPECT_NE(html.find("<img src=\"data:image/jpeg;base64,/9j/\""), std::string::npos);
    EXPECT_NE(html.find("a &lt;question&gt;"), std::string::npos);
    EXPECT_NE(html.find("How this was estimated"), std::string::npos);
}

TEST(TranscriptFeatures, TextOnlyDatasetGivesTextColumnsPerLesson) {
    TempDir dir;
    fs::create_directories(dir / "train" / "transcripts");
    {
        std::ofstream out(dir / "train" / "metadata.jsonl");
        // a: one fragment with its transcript file (segments relative to the fragment), one with text only.
        out << nlohmann::json{{"file_name", "videos/a_1.mp4"}, {"source_video", "a.mp4"}, {"start", 10}, {"end", 14},
                              {"patterns", {"Q"}}, {"transcript", "ignored when the json exists"}}
                   .dump()
            << "\n";
        out << nlohmann::json{{"file_name", "videos/a_2.mp4"}, {"source_video", "a.mp4"}, {"start", 20}, {"end", 22},
                              {"patterns", {"L"}}, {"transcript", "one two three four"}}
                   .dump()
            << "\n";
        out << nlohmann::json{{"file_name", "videos/b_1.mp4"}, {"source_video", "b.mp4"}, {"start", 0}, {"end", 3},
                              {"patterns", {"L"}}}
                   .dump()
            << "\n";
    }
    std::ofstream(dir / "train" / "transcripts" / "a_1.json")
        << R"({"text": "x", "segments": [{"start": 1, "end": 2, "text": "w1 w2 w3"}]})";
    const auto f = models::transcript_features_from_dataset(dir.path());
    EXPECT_EQ(f.fragments, 3u);
    EXPECT_EQ(f.with_transcript, 2u);
    ASSERT_EQ(f.matrices.size(), 2u);
    const auto& a = f.matrices[0];
    EXPECT_EQ(a.source, "a.mp4");
    EXPECT_EQ(a.rows(), 22u);
    EXPECT_EQ(a.spec.columns, (std::vector<std::string>{"tokens", "words_per_second", "speech_coverage"}));
    EXPECT_EQ(a.at(11, 0), 3.0f);  // the json's words at 11-12 s
    EXPECT_EQ(a.at(10, 0), 0.0f);
    EXPECT_EQ(a.at(20, 0) + a.at(21, 0), 4.0f);
    EXPECT_EQ(f.matrices[1].rows(), 3u);
    EXPECT_EQ(f.matrices[1].at(0, 0), 0.0f);

    TempDir bare;
    std::ofstream(bare / "metadata.jsonl")
        << nlohmann::json{{"source_video", "a.mp4"}, {"start", 0}, {"end", 3}, {"patterns", {"L"}}}.dump() << "\n";
    EXPECT_EQ(thrown_code([&] { models::transcript_features_from_dataset(bare.path()); }), ErrorCode::InvalidData);
}

TEST(TrainingChunks, CountFollowsTheChunkRule) {
    models::TrainingSet set;
    for (std::size_t rows : {200u, 130u}) {
        models::LabeledSequence s;
        s.features.spec.columns = {"x"};
        for (std::size_t r = 0; r < rows; ++r) s.features.times.push_back(double(r));
        s.features.values.assign(rows, 0.0f);
        set.sequences.push_back(std::move(s));
    }
    EXPECT_EQ(models::training_chunk_rows(set, 64), 64u);
    EXPECT_EQ(models::count_training_chunks(set, 64), 4u + 3u);
    EXPECT_EQ(models::training_chunk_rows(set, 1000), 130u);  // the shortest sequence
    EXPECT_EQ(models::count_training_chunks(set, 1000), 2u + 1u);
}

// Issue 15 §5: what a user hit with text models — speakers read from transcripts and turned into
// columns, one row-count rule for `features` and text-only training, per-pattern thresholds tuned on
// validation rows, the dataset split trained on, and the missing-columns message.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/features/audio_timeline.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/models/lesson_transcript.hpp"
#include "vidseg/models/model_config.hpp"
#include "vidseg/models/threshold_tuning.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/models/transcript_features.hpp"

using namespace vidseg;
namespace fs = std::filesystem;

namespace {

features::FeatureMatrix grid(std::size_t rows) {
    features::FeatureMatrix m;
    m.spec.step = m.spec.window = 1.0;
    for (std::size_t r = 0; r < rows; ++r) m.times.push_back(double(r));
    return m;
}

float column(const features::FeatureMatrix& m, const std::string& name, std::size_t row) {
    const auto it = std::find(m.spec.columns.begin(), m.spec.columns.end(), name);
    EXPECT_NE(it, m.spec.columns.end()) << name;
    return m.at(row, std::size_t(it - m.spec.columns.begin()));
}

}  // namespace

TEST(TranscriptSpeakers, JsonSegmentsAndWhisperXWordsNameTheSpeaker) {
    const auto segments = features::parse_transcript(
        R"({"segments": [{"start": 0, "end": 2, "text": "hello class", "speaker": "SPEAKER_00"},
                         {"start": 2, "end": 3, "text": "hi", "words": [{"start": 2, "end": 3, "word": "hi", "speaker": "SPEAKER_01"}]},
                         {"start": 3, "end": 4, "text": "no one"}]})",
        "t.json");
    ASSERT_EQ(segments.size(), 3u);
    EXPECT_EQ(segments[0].speaker, "SPEAKER_00");
    EXPECT_EQ(segments[1].speaker, "SPEAKER_01");
    EXPECT_EQ(segments[2].speaker, "");
}

TEST(TranscriptSpeakers, WebVttVoiceTagsNameTheSpeaker) {
    const auto segments = models::parse_subtitles(
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Анна Петровна>Почему листья желтеют?</v>\n\n"
        "00:02.000 --> 00:03.500\n<v.loud Student 1>Because of the cold\n\n00:04.000 --> 00:05.000\nplain cue\n",
        "t.vtt");
    ASSERT_EQ(segments.size(), 3u);
    EXPECT_EQ(segments[0].speaker, "Анна Петровна");
    EXPECT_EQ(segments[0].text, "Почему листья желтеют?");
    EXPECT_EQ(segments[1].speaker, "Student 1");
    EXPECT_EQ(segments[1].text, "Because of the cold");
    EXPECT_EQ(segments[2].speaker, "");
}

TEST(TranscriptSpeakers, SpeakerColumnsShareOfTheMainSpeakerOthersAndTurns) {
    // T speaks 0-3 s and 4-6 s (5 s), S speaks 3-4 s (1 s): T is the main speaker.
    std::vector<features::TranscriptSegment> segments = {
        {0, 3, "a b c", {}, "T"}, {3, 4, "d", {}, "S"}, {4, 6, "e f", {}, "T"}};
    auto m = grid(7);
    features::append_text_columns(segments, m);
    ASSERT_EQ(m.spec.columns, (std::vector<std::string>{"tokens", "words_per_second", "speech_coverage",
                                                        "speaker_main_share", "speaker_other_share", "speaker_turns"}));
    EXPECT_FLOAT_EQ(column(m, "speaker_main_share", 0), 1);
    EXPECT_FLOAT_EQ(column(m, "speaker_main_share", 3), 0);
    EXPECT_FLOAT_EQ(column(m, "speaker_other_share", 3), 1);
    EXPECT_FLOAT_EQ(column(m, "speaker_turns", 3), 1);  // T -> S at 3 s
    EXPECT_FLOAT_EQ(column(m, "speaker_turns", 4), 1);  // S -> T at 4 s
    EXPECT_FLOAT_EQ(column(m, "speaker_turns", 0), 0);  // the first segment is no turn
    EXPECT_FLOAT_EQ(column(m, "speaker_main_share", 6), 0);

    // Without speakers the text columns stay the three of old models.
    auto plain = grid(3);
    features::append_text_columns({{0, 2, "a b", {}, ""}}, plain);
    EXPECT_EQ(plain.cols(), 3u);
    EXPECT_EQ(features::column_group("speaker_turns"), features::ColumnGroup::Text);
}

TEST(GridRows, OneRuleForFeaturesAndTextOnlyTraining) {
    EXPECT_EQ(features::grid_rows(486.03, 1.0), 486u);  // < 0.05 s in the last row: no row
    EXPECT_EQ(features::grid_rows(486.2, 1.0), 487u);
    EXPECT_EQ(features::grid_rows(486.0, 1.0), 486u);
    EXPECT_EQ(features::grid_rows(0.01, 1.0), 1u);  // never no row at all

    // The text-only timeline of a lesson whose last fragment ends at 486.03 s has the 486 rows
    // `vidseg features` gives the video (it had 487).
    vidseg::test::TempDir dir;
    std::ofstream(dir / "metadata.jsonl")
        << nlohmann::json{{"source_video", "a.mp4"}, {"start", 480.0}, {"end", 486.03}, {"patterns", {"Q"}},
                          {"transcript", "why"}}.dump()
        << "\n";
    const auto text = models::transcript_features_from_dataset(dir / "metadata.jsonl");
    ASSERT_EQ(text.matrices.size(), 1u);
    EXPECT_EQ(text.matrices[0].rows(), 486u);
}

TEST(ThresholdTuning, PicksTheCutWithTheBestF1PerLabel) {
    // Label 0: positives score 0.9, 0.8, 0.6; negatives 0.7, 0.3, 0.2. Best F1: take >= 0.6 (tp 3,
    // fp 1: F1 6/7), any cut in (0.3, 0.6] — the fallback 0.5 is one of them, so it stays.
    // Label 1: no positive row — keeps the fallback.
    const std::vector<float> p = {0.9f, 0.1f, 0.8f, 0.2f, 0.6f, 0.3f, 0.7f, 0.4f, 0.3f, 0.5f, 0.2f, 0.6f};
    const std::vector<float> y = {1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    const auto t = models::tune_thresholds(p, y, 2);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_NEAR(t[0].threshold, 0.5, 1e-6);
    EXPECT_NEAR(t[0].f1, 6.0 / 7.0, 1e-9);
    EXPECT_EQ(t[0].positives, 3u);
    EXPECT_TRUE(t[0].tuned);
    EXPECT_DOUBLE_EQ(t[1].threshold, 0.5);
    EXPECT_FALSE(t[1].tuned);
}

TEST(ThresholdTuning, ARarePatternScoredLowGetsALowCut) {
    // Positives score 0.3, 0.25; negatives 0.2, 0.1, 0.05, 0.02: best F1 (1.0) only for cuts in (0.2, 0.25];
    // 0.5 would find nothing. The cut is that interval's middle.
    const std::vector<float> p = {0.3f, 0.25f, 0.2f, 0.1f, 0.05f, 0.02f};
    const std::vector<float> y = {1, 1, 0, 0, 0, 0};
    const auto t = models::tune_thresholds(p, y, 1);
    EXPECT_NEAR(t[0].threshold, 0.225, 1e-6);
    EXPECT_NEAR(t[0].f1, 1.0, 1e-9);
}

TEST(ThresholdTuning, ModelHeaderKeepsThresholdsPerLabel) {
    models::ModelInfo info;
    info.spec.step = info.spec.window = 1;
    info.spec.columns = {"tokens"};
    info.mean = {0};
    info.scale = {1};
    info.labels = {"A", "B"};
    info.thresholds = {0.25, 0.75};
    const auto back = models::model_info_from_json(models::to_json(info), "m");
    EXPECT_EQ(back.thresholds, (std::vector<double>{0.25, 0.75}));
    auto bad = models::to_json(info);
    bad["thresholds"] = {0.5};
    EXPECT_THROW(models::model_info_from_json(bad, "m"), Error);
    bad["thresholds"] = {0.5, 1.5};
    EXPECT_THROW(models::model_info_from_json(bad, "m"), Error);
    auto old = models::to_json(info);
    old.erase("thresholds");  // models written before: one threshold for all
    EXPECT_TRUE(models::model_info_from_json(old, "m").thresholds.empty());
}

TEST(DatasetSplit, TrainFolderOnlyWhenTheDatasetHasTrainAndTest) {
    vidseg::test::TempDir dir;
    fs::create_directories(dir / "ds" / "train");
    fs::create_directories(dir / "ds" / "test");
    fs::create_directories(dir / "flat");
    std::string note;
    EXPECT_EQ(models::dataset_split(dir / "ds", "auto", &note), dir / "ds" / "train");
    EXPECT_NE(note.find("train/ split only"), std::string::npos) << note;
    EXPECT_EQ(models::dataset_split(dir / "ds", "all"), dir / "ds");
    EXPECT_EQ(models::dataset_split(dir / "ds", "test"), dir / "ds" / "test");
    note.clear();
    EXPECT_EQ(models::dataset_split(dir / "flat", "auto", &note), dir / "flat");
    EXPECT_TRUE(note.empty());
    try {
        models::dataset_split(dir / "flat", "train");
        FAIL() << "no train/ folder";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(e.cause().find("no train/ folder"), std::string::npos) << e.cause();
    }
}

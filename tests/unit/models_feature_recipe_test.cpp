// How a model's features are computed travels with the model: its chroma tuning (estimated per file
// with `--chroma-tuning auto`, or fixed) is saved in the header and checked against feature files,
// and features computed for a video (models::features_for_item) use it and only the column groups
// the model reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

using namespace vidseg;
using models::ChromaTuning;

namespace {

// 60 rows of 1 s with columns rms_mean, chroma_0, chroma_1; label A (rows 20-40) raises chroma_0.
// The file says its chroma was computed with `tuning`.
features::FeatureMatrix chroma_features(const std::string& source, unsigned seed, std::optional<ChromaTuning> tuning) {
    features::FeatureMatrix m;
    m.source = source;
    m.spec.columns = {"rms_mean", "chroma_0", "chroma_1"};
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 1.f);
    for (int r = 0; r < 60; ++r) {
        m.times.push_back(r);
        const bool a = r >= 20 && r < 40;
        for (int c = 0; c < 3; ++c) m.values.push_back(noise(rng) + (a && c == 1 ? 3.f : 0.f));
    }
    if (tuning) {
        m.chroma_tuning = tuning->estimated ? 0.27 : tuning->fixed;
        m.chroma_tuning_estimated = tuning->estimated;
    }
    return m;
}

models::TrainingSet training_set(std::vector<features::FeatureMatrix> features) {
    models::IntervalLabels labels;
    for (const auto& m : features) {
        const auto key = models::source_key(m.source) + ".mp4";
        labels.sources.push_back(key);
        labels.intervals.push_back({key, {20, 40}, {"A"}});
    }
    return models::make_training_set(std::move(features), labels, models::Task::Patterns);
}

models::TrainedModel quick_model(const models::TrainingSet& set, const std::vector<std::string>& columns = {}) {
    models::TrainOptions o;
    o.epochs = 3;
    o.lr = 0.05;
    return models::TrainedModel::train(set, o, columns);
}

// Records the phases a computation reports: "scanning video" is the visual pass (media::scan_video).
class PhaseRecorder final : public Progress {
public:
    void begin(const std::string& label, double) override { phases.push_back(label); }
    void update(double) override {}
    void end() override {}
    bool saw(const std::string& label) const { return std::find(phases.begin(), phases.end(), label) != phases.end(); }
    std::vector<std::string> phases;
};

}  // namespace

TEST(ModelFeatureRecipe, ChromaTuningIsSavedLoadedAndDefaultsToFixedZero) {
    models::ModelInfo info;
    info.spec.columns = {"chroma_0"};
    info.labels = {"A"};
    info.mean = {0};
    info.scale = {1};
    info.chroma = {.estimated = true};
    auto doc = models::to_json(info);
    EXPECT_EQ(doc["features"]["chroma_tuning"], "auto");
    EXPECT_EQ(models::model_info_from_json(doc, "m").chroma, (ChromaTuning{.estimated = true}));
    info.chroma = {.estimated = false, .fixed = 0.1};
    doc = models::to_json(info);
    EXPECT_EQ(doc["features"]["chroma_tuning"].get<double>(), 0.1);
    EXPECT_EQ(models::model_info_from_json(doc, "m").chroma, (ChromaTuning{.estimated = false, .fixed = 0.1}));
    // A model file of an older vidseg: no chroma_tuning = fixed 0, what its features were computed with.
    doc["features"].erase("chroma_tuning");
    EXPECT_EQ(models::model_info_from_json(doc, "m").chroma, ChromaTuning{});
    doc["features"]["chroma_tuning"] = "sharp";
    const auto bad = test::thrown_error([&] { models::model_info_from_json(doc, "m"); });
    EXPECT_EQ(bad.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(bad.what()).find("features.chroma_tuning must be \"auto\" or a number"), std::string::npos)
        << bad.what();
}

TEST(ModelFeatureRecipe, ModelTrainedOnEstimatedChromaRefusesFixedChromaFeatures) {
    const ChromaTuning estimated{.estimated = true};
    const auto model = quick_model(training_set({chroma_features("f/a.features.jsonl", 1, estimated),
                                                 chroma_features("f/b.features.csv", 2, std::nullopt)}));
    EXPECT_EQ(model.info().chroma, estimated);
    test::TempDir dir;
    model.save(dir / "m.model");
    EXPECT_EQ(models::TrainedModel::load(dir / "m.model").info().chroma, estimated);

    EXPECT_NO_THROW(model.predict(chroma_features("f/c.features.jsonl", 3, estimated)));
    EXPECT_NO_THROW(model.predict(chroma_features("f/c.features.csv", 3, std::nullopt)));  // CSV: does not say
    const auto e = test::thrown_error([&] { model.predict(chroma_features("f/c.features.jsonl", 3, ChromaTuning{})); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("features have chroma tuning fixed at 0, the model was trained on chroma "
                                         "tuning auto (estimated per file)"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("f/c.features.jsonl"), std::string::npos) << e.what();

    // A fixed tuning must be the same value.
    const auto fixed = quick_model(training_set({chroma_features("f/a.features.jsonl", 1, ChromaTuning{false, 0.1})}));
    EXPECT_EQ(fixed.info().chroma, (ChromaTuning{false, 0.1}));
    EXPECT_EQ(test::thrown_code([&] { fixed.predict(chroma_features("c.jsonl", 3, ChromaTuning{false, 0.2})); }),
              ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([&] { fixed.predict(chroma_features("c.jsonl", 3, estimated)); }), ErrorCode::InvalidData);

    // A model that reads no chroma column does not care.
    const auto no_chroma = quick_model(training_set({chroma_features("f/a.features.jsonl", 1, estimated)}), {"rms"});
    EXPECT_EQ(no_chroma.info().chroma, ChromaTuning{});
    EXPECT_NO_THROW(no_chroma.predict(chroma_features("c.jsonl", 3, ChromaTuning{})));
}

TEST(ModelFeatureRecipe, TrainingFeaturesWithDifferentChromaTuningsAreRefused) {
    const auto set = training_set({chroma_features("f/a.features.jsonl", 1, ChromaTuning{.estimated = true}),
                                   chroma_features("f/b.features.jsonl", 2, ChromaTuning{})});
    const auto e = test::thrown_error([&] { quick_model(set); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("training features mix chroma tunings: f/a.features.jsonl has auto (estimated "
                                         "per file), f/b.features.jsonl has fixed at 0"),
              std::string::npos)
        << e.what();
}

TEST(ModelFeatureRecipe, ColumnGroupsNameWhatTheTimelineComputes) {
    features::TimelineOptions audio_only;
    audio_only.visual = false;
    const auto a = features::compute_timeline_features(test::media("h264_gop2.mp4").string(), audio_only).matrix;
    ASSERT_FALSE(a.spec.columns.empty());
    for (const auto& c : a.spec.columns) EXPECT_EQ(features::column_group(c), features::ColumnGroup::Audio) << c;
    features::TimelineOptions visual_only;
    visual_only.audio = false;
    const auto v = features::compute_timeline_features(test::media("video_only.mp4").string(), visual_only).matrix;
    ASSERT_FALSE(v.spec.columns.empty());
    for (const auto& c : v.spec.columns) EXPECT_EQ(features::column_group(c), features::ColumnGroup::Visual) << c;
    EXPECT_EQ(features::column_group("tokens"), features::ColumnGroup::Text);
    for (const std::string other : {"x0", "chroma_", "chroma_x", "hue", "intro_similarity_audio"})
        EXPECT_EQ(features::column_group(other), features::ColumnGroup::Other) << other;
}

TEST(ModelFeatureRecipe, VideoFeaturesComputeOnlyTheGroupsTheModelReads) {
    const auto video = test::media("h264_gop2.mp4").string();
    models::ModelInfo info;
    info.spec.columns = {"rms_mean", "chroma_3"};
    PhaseRecorder audio_phases;
    const auto a = models::features_for_item(video, info, &audio_phases);
    EXPECT_TRUE(audio_phases.saw("audio"));
    EXPECT_FALSE(audio_phases.saw("scanning video")) << "an audio-only model decoded the video";
    EXPECT_TRUE(std::none_of(a.spec.columns.begin(), a.spec.columns.end(), [](const std::string& c) {
        return features::column_group(c) == features::ColumnGroup::Visual;
    }));
    EXPECT_NE(std::find(a.spec.columns.begin(), a.spec.columns.end(), "chroma_3"), a.spec.columns.end());
    EXPECT_EQ(a.chroma_tuning, 0.0);  // the model's fixed tuning
    EXPECT_FALSE(a.chroma_tuning_estimated);

    info.spec.columns = {"brightness", "motion"};
    PhaseRecorder visual_phases;
    const auto v = models::features_for_item(video, info, &visual_phases);
    EXPECT_TRUE(visual_phases.saw("scanning video"));
    EXPECT_TRUE(std::none_of(v.spec.columns.begin(), v.spec.columns.end(), [](const std::string& c) {
        return features::column_group(c) == features::ColumnGroup::Audio;
    }));
    EXPECT_FALSE(v.chroma_tuning);

    // Chroma as the model was trained: estimated per file (the sine is 440 Hz: tuning ~0), or fixed.
    info.spec.columns = {"chroma_9"};
    info.chroma = {.estimated = true};
    const auto e = models::features_for_item(video, info);
    EXPECT_TRUE(e.chroma_tuning_estimated);
    ASSERT_TRUE(e.chroma_tuning);
    EXPECT_NEAR(*e.chroma_tuning, 0.0, 0.05);
    info.chroma = {.estimated = false, .fixed = 0.25};
    const auto f = models::features_for_item(video, info);
    EXPECT_FALSE(f.chroma_tuning_estimated);
    EXPECT_EQ(f.chroma_tuning, 0.25);

    // An audio-only model on a file without sound: a clear media error, not a column list.
    info.spec.columns = {"rms_mean"};
    const auto silent = test::thrown_error([&] { models::features_for_item(test::media("video_only.mp4").string(), info); });
    EXPECT_EQ(silent.code(), ErrorCode::InvalidMedia);
    EXPECT_NE(std::string(silent.what()).find("only audio features asked for: no audio stream"), std::string::npos)
        << silent.what();
}

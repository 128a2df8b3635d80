// The BiLSTM's intro heads (presence + start/end regression, SPEC §2) at prediction time, and fused
// intro models (trained with the intro_similarity_* columns of `vidseg features --series-dir`).
#include <gtest/gtest.h>

#include <random>

#include "support/test_support.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

using namespace vidseg;
using models::IntroHeads;
using models::Prediction;

namespace {

// 60 rows of 1 s, one label; rows [on_from, on_to) decided with probability p.
Prediction rows_prediction(std::vector<std::pair<std::size_t, std::size_t>> runs, float p = 0.9f) {
    Prediction out;
    out.source = "ep.features.csv";
    out.labels = {"intro"};
    for (std::size_t r = 0; r < 60; ++r) {
        out.times.push_back(double(r));
        bool on = false;
        for (const auto& [a, b] : runs) on = on || (r >= a && r < b);
        out.probabilities.push_back(on ? p : 0.05f);
        out.decisions.push_back(on ? 1 : 0);
    }
    return out;
}

std::vector<IntroHeads> two_chunks(double presence0, timeline::Interval intro0, double presence1,
                                   timeline::Interval intro1) {
    return {{{0, 32}, presence0, intro0}, {{28, 60}, presence1, intro1}};
}

}  // namespace

TEST(ModelsIntroHeads, PresenceHeadSaysNoIntroWhateverTheRowsSay) {
    auto p = rows_prediction({{10, 20}});
    // Without heads (linear, CNN-LSTM, Transformer-CRF): the rows decide.
    auto d = models::decode_detections(p, 1.0, models::Task::Intro);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_DOUBLE_EQ(d[0].span.start, 10);
    EXPECT_DOUBLE_EQ(d[0].span.end, 20);
    // The presence head of every chunk below 0.5: no intro, although ten rows say 0.9.
    p.intro_heads = two_chunks(0.2, {10, 20}, 0.1, {30, 31});
    EXPECT_TRUE(models::decode_detections(p, 1.0, models::Task::Intro).empty());
    // Presence in the first chunk: the rows' run and boundaries (not the regression's 11-21).
    p.intro_heads = two_chunks(0.9, {11, 21}, 0.1, {30, 31});
    d = models::decode_detections(p, 1.0, models::Task::Intro);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_DOUBLE_EQ(d[0].span.start, 10);
    EXPECT_DOUBLE_EQ(d[0].span.end, 20);
}

TEST(ModelsIntroHeads, RunsOnlyCountInChunksWhereThePresenceHeadSeesAnIntro) {
    // Two runs: the rows alone keep the heavier one (10-20).
    auto p = rows_prediction({{10, 20}, {40, 45}});
    ASSERT_DOUBLE_EQ(models::decode_detections(p, 1.0, models::Task::Intro).at(0).span.start, 10);
    // The presence head sees the intro only in the second chunk (rows 28-59): the run there.
    p.intro_heads = two_chunks(0.2, {0, 1}, 0.8, {39, 46});
    auto d = models::decode_detections(p, 1.0, models::Task::Intro);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_DOUBLE_EQ(d[0].span.start, 40);
    EXPECT_DOUBLE_EQ(d[0].span.end, 45);
    // Presence without any run of rows: no intro (the regression alone does not invent one).
    p = rows_prediction({});
    p.intro_heads = two_chunks(0.7, {5, 15}, 0.1, {40, 41});
    EXPECT_TRUE(models::decode_detections(p, 1.0, models::Task::Intro).empty());
    // Patterns models ignore heads entirely.
    p = rows_prediction({{10, 20}, {40, 45}});
    p.intro_heads = two_chunks(0.1, {0, 1}, 0.1, {0, 1});
    EXPECT_EQ(models::decode_detections(p, 1.0, models::Task::Patterns).size(), 2u);
}

namespace {

// Rows of 1 s with 4 noise columns; the intro rows raise columns 0-1 by 3 sigma. With `fused`, the
// two intro_similarity columns are appended (high on the intro).
features::FeatureMatrix episode(const std::string& name, std::size_t rows, std::optional<timeline::Interval> intro,
                                unsigned seed, bool fused) {
    features::FeatureMatrix m;
    m.source = name + ".features.csv";
    m.spec.step = m.spec.window = 1.0;
    for (int c = 0; c < 4; ++c) m.spec.columns.push_back("f_" + std::to_string(c));
    if (fused) {
        m.spec.columns.push_back(features::kIntroSimilarityAudio);
        m.spec.columns.push_back(features::kIntroSimilarityVisual);
    }
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 1.f);
    for (std::size_t r = 0; r < rows; ++r) {
        m.times.push_back(double(r));
        const bool on = intro && r + 0.5 >= intro->start && r + 0.5 < intro->end;
        for (int c = 0; c < 4; ++c) m.values.push_back(noise(rng) + (on && c < 2 ? 3.f : 0.f));
        if (fused) {
            m.values.push_back(on ? 0.9f : 0.05f);
            m.values.push_back(on ? 0.8f : 0.f);
        }
    }
    return m;
}

models::TrainingSet season(bool fused, std::vector<features::FeatureMatrix>* out = nullptr) {
    models::IntervalLabels labels;
    std::vector<features::FeatureMatrix> feats;
    for (int v = 0; v < 6; ++v) {
        const std::string name = "ep" + std::to_string(v);
        labels.sources.push_back(name);
        std::optional<timeline::Interval> intro;
        if (v < 4) {  // two episodes without an intro
            intro = timeline::Interval{8.0 + 3 * v, 24.0 + 3 * v};
            labels.intervals.push_back({name, *intro, {"intro"}});
        }
        feats.push_back(episode(name, 64, intro, 50 + unsigned(v), fused));
    }
    if (out) *out = feats;
    return models::make_training_set(std::move(feats), labels, models::Task::Intro);
}

}  // namespace

TEST(ModelsIntroHeads, TrainedBiLstmReportsItsHeadsAndTheyGatePresence) {
    const auto set = season(false);
    models::TrainOptions o;
    o.arch = models::Architecture::BiLstm;
    o.task = models::Task::Intro;
    o.hyper.hidden = 16;
    o.hyper.chunk = 32;
    o.batch = 4;
    o.epochs = 30;
    o.val_fraction = 0;
    o.seed = 3;
    const auto model = models::TrainedModel::train(set, o);
    const auto with = model.predict(episode("new_with", 64, timeline::Interval{12, 28}, 901, false));
    const auto without = model.predict(episode("new_without", 64, std::nullopt, 902, false));
    ASSERT_EQ(with.intro_heads.size(), 2u);  // 64 rows = two chunks of 32
    ASSERT_EQ(without.intro_heads.size(), 2u);
    EXPECT_GE(with.intro_heads[0].presence, 0.5) << "the intro lies in the first chunk";
    for (const auto& h : without.intro_heads) EXPECT_LT(h.presence, 0.5) << "no intro anywhere";
    EXPECT_TRUE(without.detections.empty());
    ASSERT_EQ(with.detections.size(), 1u);
    EXPECT_NEAR(with.detections[0].span.start, 12, 3);
    EXPECT_NEAR(with.detections[0].span.end, 28, 3);

    // The linear model has no heads: rows only.
    o.arch = models::Architecture::Linear;
    o.epochs = 20;
    EXPECT_TRUE(models::TrainedModel::train(set, o).predict(episode("x", 64, std::nullopt, 903, false)).intro_heads.empty());
}

TEST(ModelsIntroHeads, FusedModelRequiresTheSimilarityColumns) {
    std::vector<features::FeatureMatrix> feats;
    const auto set = season(true, &feats);
    models::TrainOptions o;
    o.arch = models::Architecture::Linear;
    o.task = models::Task::Intro;
    o.epochs = 20;
    o.lr = 0.05;
    const auto model = models::TrainedModel::train(set, o);
    EXPECT_NE(std::find(model.info().spec.columns.begin(), model.info().spec.columns.end(),
                        features::kIntroSimilarityAudio),
              model.info().spec.columns.end());
    EXPECT_EQ(model.predict(feats[0]).detections.size(), 1u);
    // Features computed without --series-dir: a clear error naming what is missing.
    const auto e = test::thrown_error([&] { model.predict(episode("plain", 64, std::nullopt, 7, false)); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("intro_similarity_audio"), std::string::npos) << e.what();
}

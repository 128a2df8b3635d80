// Learned detectors (libtorch module) on a synthetic task: every architecture learns it well above
// chance, save/load keeps predictions identical, a fixed seed gives identical models, and bad
// input is a typed error.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "support/test_support.hpp"
#include "vidseg/eval/pattern_metrics.hpp"
#include "vidseg/models/trained_model.hpp"
#include "vidseg/models/training_set.hpp"

using namespace vidseg;
using models::LabeledInterval;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCols = 6;

// Rows of 1 s; label A raises columns 0-1 by 3 sigma, label B columns 2-3; columns 4-5 are noise.
features::FeatureMatrix synthetic_features(const std::string& source, std::size_t rows,
                                           const std::vector<LabeledInterval>& intervals, unsigned seed) {
    features::FeatureMatrix m;
    m.source = source;
    m.spec.step = m.spec.window = 1.0;
    for (std::size_t c = 0; c < kCols; ++c) m.spec.columns.push_back("f_" + std::to_string(c));
    std::mt19937 rng(seed);
    std::normal_distribution<float> noise(0.f, 1.f);
    for (std::size_t r = 0; r < rows; ++r) {
        m.times.push_back(double(r));
        bool a = false, b = false;
        for (const auto& i : intervals)
            if (r + 0.5 >= i.span.start && r + 0.5 < i.span.end)
                for (const auto& l : i.labels) (l == "A" ? a : b) = true;
        for (std::size_t c = 0; c < kCols; ++c)
            m.values.push_back(noise(rng) + 5.f + ((a && c < 2) || (b && c >= 2 && c < 4) ? 3.f : 0.f));
    }
    return m;
}

std::vector<LabeledInterval> intervals_of(const std::string& source, double shift) {
    return {{source, {20 + shift, 50 + shift}, {"A"}},
            {source, {60 + shift, 90 + shift}, {"B"}},
            {source, {110 + shift, 140 + shift}, {"A", "B"}}};
}

struct Synthetic {
    models::IntervalLabels labels;
    std::vector<features::FeatureMatrix> features;
};

Synthetic synthetic(int videos, unsigned seed) {
    Synthetic s;
    for (int v = 0; v < videos; ++v) {
        const std::string name = "lesson" + std::to_string(v) + ".mp4";
        const auto iv = intervals_of(name, 3.0 * v);
        s.labels.sources.push_back(name);
        s.labels.intervals.insert(s.labels.intervals.end(), iv.begin(), iv.end());
        s.features.push_back(synthetic_features("feats/lesson" + std::to_string(v) + ".features.csv", 160, iv,
                                                seed + unsigned(v)));
    }
    return s;
}

models::TrainOptions quick_options(models::Architecture arch) {
    models::TrainOptions o;
    o.arch = arch;
    o.epochs = arch == models::Architecture::Linear ? 40 : 12;
    o.lr = arch == models::Architecture::Linear ? 0.05 : 0.01;
    o.hyper.hidden = 16;
    o.hyper.chunk = 32;
    o.batch = 8;
    o.seed = 7;
    return o;
}

}  // namespace

namespace vidseg::models {
// Readable parameter names in test listings ("linear" instead of a 4-byte dump).
void PrintTo(Architecture arch, std::ostream* os) { *os << architecture_name(arch); }
}  // namespace vidseg::models

class ModelsLearn : public ::testing::TestWithParam<models::Architecture> {};

TEST_P(ModelsLearn, LearnsSyntheticPatternsAndRoundTrips) {
    auto train = synthetic(3, 100);
    const auto set = models::make_training_set(train.features, train.labels, models::Task::Patterns);
    ASSERT_EQ(set.labels, (std::vector<std::string>{"A", "B"}));
    const auto model = models::TrainedModel::train(set, quick_options(GetParam()));

    // A held-out video with other noise and shifted intervals.
    const auto iv = intervals_of("test.mp4", 7);
    const auto test = synthetic_features("test.features.csv", 160, iv, 999);
    const auto truth = models::row_targets(test, iv, set.labels);
    const auto p = model.predict(test);
    const auto m = eval::multilabel_metrics(truth, p.decisions, set.labels);
    // Chance (every row positive) scores micro-F1 = 2 * 0.375 / 1.375 = 0.55 here, predicting at the base rate ~0.375.
    EXPECT_GT(m.micro_f1, 0.8) << models::architecture_name(GetParam());
    EXPECT_GT(m.macro_f1, 0.8) << models::architecture_name(GetParam());
    EXPECT_FALSE(p.detections.empty());

    test::TempDir dir;
    model.save(dir / "m.model");
    const auto loaded = models::TrainedModel::load(dir / "m.model");
    EXPECT_EQ(loaded.info().labels, model.info().labels);
    EXPECT_EQ(loaded.info().spec, model.info().spec);
    EXPECT_EQ(loaded.info().arch, GetParam());
    const auto q = loaded.predict(test);
    EXPECT_EQ(q.probabilities, p.probabilities);
    EXPECT_EQ(q.decisions, p.decisions);
}

INSTANTIATE_TEST_SUITE_P(AllArchitectures, ModelsLearn,
                         ::testing::Values(models::Architecture::Linear, models::Architecture::BiLstm,
                                           models::Architecture::CnnLstm, models::Architecture::TransformerCrf),
                         [](const auto& info) {
                             std::string n = models::architecture_name(info.param);
                             for (auto& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(ModelsTraining, FixedSeedGivesIdenticalModels) {
    auto data = synthetic(2, 5);
    const auto set = models::make_training_set(data.features, data.labels, models::Task::Patterns);
    auto options = quick_options(models::Architecture::BiLstm);
    options.epochs = 2;
    options.folds = 2;
    const auto a = models::TrainedModel::train(set, options);
    const auto b = models::TrainedModel::train(set, options);
    const auto pa = a.predict(data.features[0]);
    EXPECT_EQ(pa.probabilities, b.predict(data.features[0]).probabilities);
    EXPECT_EQ(a.info().training["folds"].size(), 2u);
    options.seed = 8;
    const auto c = models::TrainedModel::train(set, options);
    EXPECT_NE(pa.probabilities, c.predict(data.features[0]).probabilities);
}

TEST(ModelsTraining, IntroTaskTrainsTheBiLstmHeadsAndFindsOneInterval) {
    models::IntervalLabels labels;
    std::vector<features::FeatureMatrix> feats;
    for (int v = 0; v < 3; ++v) {
        const std::string name = "ep" + std::to_string(v);
        labels.sources.push_back(name);
        LabeledInterval intro{name, {10.0 + v, 30.0 + v}, {"intro"}};
        labels.intervals.push_back(intro);
        intro.labels = {"A"};  // the synthetic signal of label A marks the intro
        feats.push_back(synthetic_features(name + ".features.jsonl", 96, {intro}, 40 + unsigned(v)));
    }
    const auto set = models::make_training_set(feats, labels, models::Task::Intro);
    ASSERT_EQ(set.labels, std::vector<std::string>{"intro"});
    auto options = quick_options(models::Architecture::BiLstm);
    options.task = models::Task::Intro;
    options.hyper.chunk = 16;
    options.batch = 4;
    options.epochs = 25;
    const auto model = models::TrainedModel::train(set, options);
    const auto p = model.predict(feats[0]);
    ASSERT_EQ(p.detections.size(), 1u);  // one intro per video
    EXPECT_NEAR(p.detections[0].span.start, 10, 3);
    EXPECT_NEAR(p.detections[0].span.end, 30, 3);
}

TEST(ModelsBadInput, EmptyDatasetSingleClassNanAndOutsideLabels) {
    auto data = synthetic(2, 1);
    // Empty dataset: no features, or labels without intervals.
    EXPECT_EQ(test::thrown_code([&] { models::make_training_set({}, data.labels, models::Task::Patterns); }),
              ErrorCode::InvalidData);
    EXPECT_EQ(test::thrown_code([&] { models::make_training_set(data.features, {}, models::Task::Patterns); }),
              ErrorCode::InvalidData);
    // Single class: one label covering every row.
    models::IntervalLabels all;
    all.sources = {"lesson0.mp4"};
    all.intervals = {{"lesson0.mp4", {0, 160}, {"A"}}};
    const auto single = test::thrown_error([&] { models::make_training_set(data.features, all, models::Task::Patterns); });
    EXPECT_EQ(single.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(single.what()).find("single class"), std::string::npos) << single.what();
    // Intro labels where no episode has an intro.
    models::IntervalLabels none;
    none.sources = {"lesson0.mp4", "lesson1.mp4"};
    EXPECT_NE(std::string(test::thrown_error([&] { models::make_training_set(data.features, none, models::Task::Intro); })
                              .what())
                  .find("single class"),
              std::string::npos);
    // NaN feature value.
    auto nan = data.features;
    nan[1].at(17, 3) = std::nanf("");
    const auto nan_error = test::thrown_error([&] { models::make_training_set(nan, data.labels, models::Task::Patterns); });
    EXPECT_EQ(nan_error.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(nan_error.what()).find("NaN feature value in column 'f_3' at 17 s"), std::string::npos)
        << nan_error.what();
    // Labels beyond the end of the video (160 s of features).
    auto outside = data.labels;
    outside.intervals.push_back({"lesson1.mp4", {170, 180}, {"A"}});
    const auto out_error = test::thrown_error([&] { models::make_training_set(data.features, outside, models::Task::Patterns); });
    EXPECT_EQ(out_error.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(out_error.what()).find("outside the video"), std::string::npos) << out_error.what();
    // Nothing matches by name.
    models::IntervalLabels other;
    other.sources = {"zzz.mp4"};
    other.intervals = {{"zzz.mp4", {0, 10}, {"A"}}};
    EXPECT_EQ(test::thrown_code([&] { models::make_training_set(data.features, other, models::Task::Patterns); }),
              ErrorCode::InvalidData);
}

TEST(ModelsBadInput, ModelAgainstOtherFeaturesIsAClearError) {
    auto data = synthetic(2, 3);
    const auto set = models::make_training_set(data.features, data.labels, models::Task::Patterns);
    auto options = quick_options(models::Architecture::Linear);
    options.epochs = 2;
    const auto model = models::TrainedModel::train(set, options);

    auto fewer = data.features[0];
    fewer.spec.columns[4] = "brightness";
    const auto missing = test::thrown_error([&] { model.predict(fewer); });
    EXPECT_EQ(missing.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(missing.what()).find("lack 1 of the model's 6 columns (f_4)"), std::string::npos)
        << missing.what();
    auto coarse = data.features[0];
    coarse.spec.step = coarse.spec.window = 5.0;
    const auto step = test::thrown_error([&] { model.predict(coarse); });
    EXPECT_EQ(step.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(step.what()).find("trained on step 1 s"), std::string::npos) << step.what();
    auto nan = data.features[0];
    nan.at(3, 0) = std::nanf("");
    EXPECT_EQ(test::thrown_code([&] { model.predict(nan); }), ErrorCode::InvalidData);

    test::TempDir dir;
    EXPECT_EQ(test::thrown_code([&] { models::TrainedModel::load(dir / "missing.model"); }), ErrorCode::InputNotFound);
    std::ofstream(dir / "junk.model") << "not a model\n";
    EXPECT_EQ(test::thrown_code([&] { models::TrainedModel::load(dir / "junk.model"); }), ErrorCode::InvalidData);
    // A valid header whose weights were cut off.
    model.save(dir / "m.model");
    const auto text = test::read_text(dir / "m.model");
    std::ofstream(dir / "cut.model", std::ios::binary) << text.substr(0, text.find('\n') + 40);
    EXPECT_EQ(test::thrown_code([&] { models::TrainedModel::load(dir / "cut.model"); }), ErrorCode::InvalidData);
}

TEST(ModelsLabels, DatasetMetadataAndIntroLabelsBecomeIntervals) {
    test::TempDir dir;
    fs::create_directories(dir / "ds" / "train");
    std::ofstream(dir / "ds" / "train" / "metadata.jsonl")
        << R"({"file_name":"videos/a.mp4","patterns":["P1","P2"],"start":1.5,"end":4,"source_video":"lesson.mp4"})" "\n"
        << R"({"file_name":"videos/b.mp4","patterns":["P2"],"start":6,"end":8,"source_video":"lesson.mp4"})" "\n";
    const auto labels = models::read_interval_labels(dir / "ds", models::Task::Patterns);
    ASSERT_EQ(labels.intervals.size(), 2u);
    EXPECT_EQ(labels.sources, std::vector<std::string>{"lesson.mp4"});
    EXPECT_EQ(labels.intervals[0].span, (timeline::Interval{1.5, 4}));

    // Rows of 1 s: a row carries a label when its middle is inside the interval.
    features::FeatureMatrix m;
    m.source = "lesson.features.csv";
    m.spec.columns = {"x"};
    for (int r = 0; r < 10; ++r) {
        m.times.push_back(r);
        m.values.push_back(float(r));
    }
    const auto y = models::row_targets(m, labels.intervals, {"P1", "P2"});
    // P1 on rows 1..3 (mid 1.5, 2.5, 3.5), P2 on rows 1..3 and 6..7.
    const std::vector<std::uint8_t> expected = {0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0};
    EXPECT_EQ(y, expected);
    EXPECT_EQ(models::source_key("feats/lesson.features.csv"), "lesson");
    EXPECT_EQ(models::source_key("/videos/lesson.mp4"), "lesson");

    std::ofstream(dir / "bad.jsonl") << R"({"patterns":["P1"],"start":1,"end":2})" "\n";
    const auto bad = test::thrown_error([&] { models::read_interval_labels(dir / "bad.jsonl", models::Task::Patterns); });
    EXPECT_EQ(bad.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(bad.what()).find("line 1"), std::string::npos);

    std::ofstream(dir / "intro.json") << R"({"ep1.mp4": {"start": "00:00:05", "end": "00:00:12"}, "ep2.mp4": {"start": "0:00:00", "end": "0:00:00"}})";
    const auto intro = models::read_interval_labels(dir / "intro.json", models::Task::Intro);
    EXPECT_EQ(intro.sources.size(), 2u);  // ep2 has no intro but is a labelled (all-negative) video
    ASSERT_EQ(intro.intervals.size(), 1u);
    EXPECT_EQ(intro.intervals[0].span, (timeline::Interval{5, 12}));
    EXPECT_EQ(test::thrown_code([&] { models::read_interval_labels(dir / "nope", models::Task::Patterns); }),
              ErrorCode::InputNotFound);
}

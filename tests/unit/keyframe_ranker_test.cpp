// The keyframe ranker learned from review decisions (dataset/keyframe_ranker.hpp,
// keyframe_candidates.hpp, keyframe_learning.hpp): it must learn a preference the fixed heuristic
// does not have, its file must round-trip and refuse bad bytes, and review folders must turn into
// the right examples.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/core/options.hpp"
#include "vidseg/dataset/keyframe_choice.hpp"
#include "vidseg/dataset/keyframe_learning.hpp"
#include "vidseg/dataset/keyframe_ranker.hpp"

namespace fs = std::filesystem;
using namespace vidseg::dataset;
using vidseg::ErrorCode;
using vidseg::test::TempDir;
using vidseg::test::thrown_error;

namespace {

vidseg::vision::KeyframeScore scored(double sharpness, double exposure, int faces, double laplacian, double luma) {
    vidseg::vision::KeyframeScore s;
    s.sharpness = sharpness;
    s.exposure = exposure;
    s.faces = faces;
    s.person = faces > 0 ? 1.0 : 0.0;
    s.laplacian_variance = laplacian;
    s.mean_luma = luma;
    s.total = 0.5 * s.sharpness + 0.25 * s.exposure + 0.25 * s.person;
    return s;
}

// Four candidates: a very sharp slide without anybody (what the heuristic picks), a less sharp frame
// with the teacher's face (what the reviewers pick), a blurred frame with a face, a dark frame.
// `jitter` varies the numbers from fragment to fragment.
FragmentCandidates slide_or_teacher(const std::string& name, double jitter) {
    FragmentCandidates f;
    f.item = name;
    f.start = 10;
    f.end = 18;
    f.candidates = {{11, scored(0.95 - jitter / 2, 0.95, 0, 1900, 200)},
                    {13, scored(0.28 + jitter / 2, 0.95, 1, 40 + 100 * jitter, 120)},
                    {15, scored(0.20, 0.9, 1, 25, 118)},
                    {17, scored(0.55, 0.3, 0, 120, 30)}};
    f.suggested = 11;
    return f;
}

ChoiceExample example(const FragmentCandidates& f, size_t target) {
    ChoiceExample e;
    for (size_t k = 0; k < f.candidates.size(); ++k) e.features.push_back(keyframe_features(f, k));
    e.target = target;
    return e;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST(KeyframeRanker, LearnsTheReviewersPreferenceWhereTheHeuristicDisagrees) {
    std::vector<ChoiceExample> training;
    for (int i = 0; i < 8; ++i) training.push_back(example(slide_or_teacher("f" + std::to_string(i), 0.01 * i), 1));
    const auto ranker = KeyframeRanker::train(training, {});
    // A fragment it was not trained on, of the same kind.
    const auto unseen = slide_or_teacher("new", 0.035);
    EXPECT_EQ(heuristic_choice(unseen), 0u);  // the sharp slide
    EXPECT_EQ(ranker.choose(unseen), 1u);     // the teacher's face
    // The face weight the reviewers taught is positive.
    const auto& names = keyframe_feature_names();
    const auto face = std::find(names.begin(), names.end(), "has_face") - names.begin();
    EXPECT_GT(ranker.weights()[static_cast<size_t>(face)], 0.0);
}

TEST(KeyframeRanker, FileRoundTripsAndKeepsTheChoice) {
    std::vector<ChoiceExample> training;
    for (int i = 0; i < 4; ++i) training.push_back(example(slide_or_teacher("f", 0.02 * i), 1));
    const auto ranker = KeyframeRanker::train(training, {.l2 = 0.1});
    const std::string text = ranker.render({{"decisions", 4}});
    const auto again = KeyframeRanker::parse(text, "m.model");
    const auto f = slide_or_teacher("x", 0.01);
    for (size_t k = 0; k < f.candidates.size(); ++k)
        EXPECT_DOUBLE_EQ(again.score(keyframe_features(f, k)), ranker.score(keyframe_features(f, k)));
    EXPECT_EQ(again.digest(), ranker.digest());
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j.at("format"), "vidseg-keyframe-ranker");
    EXPECT_EQ(j.at("version"), 1);
    EXPECT_EQ(j.at("training").at("decisions"), 4);
}

TEST(KeyframeRanker, RefusesMalformedModelFiles) {
    std::vector<ChoiceExample> training = {example(slide_or_teacher("f", 0), 1)};
    const auto good = nlohmann::json::parse(KeyframeRanker::train(training, {}).render());
    const auto refused = [](const nlohmann::json& j) {
        return thrown_error([&] { KeyframeRanker::parse(j.dump(), "m.model"); });
    };
    auto v2 = good;
    v2["version"] = 2;
    const auto e = refused(v2);
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "keyframe model version 2 is not supported (this vidseg reads version 1)");
    EXPECT_EQ(e.subject(), "m.model");
    auto other = good;
    other["format"] = "vidseg-intro-library";
    EXPECT_NE(std::string(refused(other).what()).find("'format'"), std::string::npos);
    auto features = good;
    features["features"][0] = "colour";
    EXPECT_NE(std::string(refused(features).what()).find("'features'"), std::string::npos);
    auto short_weights = good;
    short_weights["weights"].erase(0);
    EXPECT_NE(std::string(refused(short_weights).what()).find("'weights'"), std::string::npos);
    auto huge = good;
    huge["mean"][3] = 1e300;
    EXPECT_NE(std::string(refused(huge).what()).find("'mean'"), std::string::npos);
    auto zero_scale = good;
    zero_scale["scale"][0] = 0;
    EXPECT_NE(std::string(refused(zero_scale).what()).find("'scale'"), std::string::npos);
    auto text_version = good;
    text_version["version"] = "1";
    EXPECT_EQ(refused(text_version).code(), ErrorCode::InvalidData);
    EXPECT_EQ(thrown_error([] { KeyframeRanker::parse("{\"format\": ", "m"); }).code(), ErrorCode::InvalidData);
    EXPECT_EQ(thrown_error([] { KeyframeRanker::parse("[1, 2]", "m"); }).code(), ErrorCode::InvalidData);
}

TEST(KeyframeRanker, NoDecisionIsAClearError) {
    const auto e = thrown_error([] { KeyframeRanker::train({}, {}); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_NE(std::string(e.what()).find("no review decision to learn from"), std::string::npos);
}

TEST(KeyframeCandidates, FileRoundTripsAndRefusesBadLines) {
    const auto f = slide_or_teacher("lesson_7_3_0", 0.01);
    const std::string text = render_candidate_file({f, f});
    const auto back = parse_candidate_file(text, "c.jsonl");
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].item, "lesson_7_3_0");
    ASSERT_EQ(back[1].candidates.size(), 4u);
    EXPECT_DOUBLE_EQ(back[1].candidates[1].score.total, f.candidates[1].score.total);
    EXPECT_EQ(back[1].candidates[1].score.faces, 1);
    EXPECT_DOUBLE_EQ(back[1].suggested, 11);

    auto bad = nlohmann::json::parse(text.substr(0, text.find('\n')));
    bad["candidates"][0]["mean_luma"] = 300;
    auto e = thrown_error([&] { parse_candidate_file("\n" + bad.dump() + "\n", "c.jsonl"); });
    EXPECT_EQ(e.code(), ErrorCode::InvalidData);
    EXPECT_EQ(e.cause(), "line 2 is not a fragment's candidates: 'mean_luma' is out of range");
    bad["candidates"] = nlohmann::json::array();
    EXPECT_EQ(thrown_error([&] { parse_candidate_file(bad.dump(), "c"); }).code(), ErrorCode::InvalidData);
    EXPECT_EQ(thrown_error([&] { parse_candidate_file("{\"item\": 3}", "c"); }).code(), ErrorCode::InvalidData);
    EXPECT_EQ(thrown_error([&] { parse_candidate_file("not json", "c"); }).code(), ErrorCode::InvalidData);
}

TEST(KeyframeLearning, ReviewFoldersBecomeExamples) {
    TempDir tmp;
    const fs::path dir = tmp / "ds";
    fs::create_directories(dir);
    std::vector<FragmentCandidates> fragments;
    for (const char* name : {"picked", "kept", "excluded", "off", "undecided"}) fragments.push_back(slide_or_teacher(name, 0));
    write(dir / "keyframe_candidates.jsonl", render_candidate_file(fragments));
    write(dir / "review.jsonl",
          "{\"item\": \"picked\", \"decision\": \"kept\", \"keyframe\": 15}\n"
          "{\"item\": \"picked\", \"decision\": \"kept\", \"keyframe\": 13}\n"  // the latest pick counts
          "{\"item\": \"kept\", \"decision\": \"kept\"}\n"
          "{\"item\": \"excluded\", \"decision\": \"excluded\", \"reason\": \"blurred\"}\n"
          "{\"item\": \"off\", \"decision\": \"kept\", \"keyframe\": 14.2}\n");
    const auto examples = read_review_examples({dir}, {.accepted_weight = 0.25});
    ASSERT_EQ(examples.choices.size(), 2u);
    EXPECT_EQ(examples.choices[0].fragment.item, "picked");
    EXPECT_EQ(examples.choices[0].target, 1u);
    EXPECT_TRUE(examples.choices[0].picked);
    EXPECT_EQ(examples.choices[1].fragment.item, "kept");
    EXPECT_EQ(examples.choices[1].target, 0u);  // the suggestion, accepted
    EXPECT_DOUBLE_EQ(examples.choices[1].weight, 0.25);
    EXPECT_EQ(examples.picks, 1u);
    EXPECT_EQ(examples.accepted, 1u);
    EXPECT_EQ(examples.excluded, 1u);
    EXPECT_EQ(examples.picks_off_candidates, 1u);
    EXPECT_EQ(examples.undecided, 1u);
    EXPECT_EQ(read_review_examples({dir}, {.accepted_weight = 0}).choices.size(), 1u);

    // The heuristic takes the slide in both: it agrees on the accepted one only.
    const auto ranker = KeyframeRanker::train(choice_examples(examples), {});
    const auto a = measure_agreement(ranker, examples);
    EXPECT_EQ(a.decisions, 2u);
    EXPECT_EQ(a.heuristic, 1u);
    EXPECT_EQ(a.picks, 1u);
    EXPECT_EQ(a.heuristic_picks, 0u);

    fs::remove(dir / "review.jsonl");
    auto e = thrown_error([&] { read_review_examples({dir}); });
    EXPECT_EQ(e.code(), ErrorCode::InputNotFound);
    EXPECT_EQ(e.subject(), (dir / "review.jsonl").string());
    write(dir / "review.jsonl", "{\"item\": \"picked\"\n");
    EXPECT_EQ(thrown_error([&] { read_review_examples({dir}); }).code(), ErrorCode::InvalidData);
    fs::remove(dir / "keyframe_candidates.jsonl");
    write(dir / "review.jsonl", "{\"item\": \"picked\", \"decision\": \"kept\"}\n");
    EXPECT_EQ(thrown_error([&] { read_review_examples({dir}); }).code(), ErrorCode::InputNotFound);
}

TEST(KeyframeChoiceMode, ModelPrefixIsAChoice) {
    EXPECT_EQ(parse_keyframe_mode("model:k.model"), KeyframeMode::Model);
    EXPECT_EQ(keyframe_model_path("model:dir/k.model"), "dir/k.model");
    EXPECT_EQ(keyframe_model_path("best"), "");
    EXPECT_EQ(thrown_error([] { parse_keyframe_mode("model:"); }).code(), ErrorCode::InvalidArgument);
    // The option table takes the prefix choice and names it in its message.
    vidseg::CommandSpec spec;
    spec.name = "t";
    vidseg::OptionSpec option;
    option.name = "keyframe";
    option.type = vidseg::OptionType::Choice;
    option.choices = {"middle", "model:"};
    spec.options = {option};
    EXPECT_EQ(vidseg::parse_command_line(spec, {"--keyframe", "model:a"}).str("keyframe"), "model:a");
    const auto e = thrown_error([&] { vidseg::parse_command_line(spec, {"--keyframe", "model:"}); });
    EXPECT_EQ(std::string(e.what()), "option --keyframe: 'model:' is not one of: middle, model:...");
}

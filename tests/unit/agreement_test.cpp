#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"
#include "vidseg/annotations/label_studio_export.hpp"
#include "vidseg/annotations/label_studio_users.hpp"
#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/eval/agreement.hpp"

using namespace vidseg;
using namespace vidseg::eval;

namespace {
std::string fixture(const std::string& name) {
    return test::source_path("tests/data/label_studio/" + name).string();
}
const std::string kInc = "🎯 П: Включение в процесс";
const std::string kEmo = "😊 У: Эмоциональный отклик";
const std::string kSup = "💖 П: Эмоциональная поддержка";

const PatternAgreement& pattern(const AgreementReport& r, const std::string& label) {
    for (const auto& p : r.patterns)
        if (p.label == label) return p;
    throw std::runtime_error("no pattern " + label);
}
}  // namespace

TEST(Agreement, CohenKappaTwoByTwo) {
    // Wikipedia "Cohen's kappa" example: 50 items; both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    // p_o = (20 + 15) / 50 = 0.70; A says yes 25/50 = 0.5, B says yes 30/50 = 0.6;
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.50; κ = (0.70 − 0.50) / (1 − 0.50) = 0.40.
    EXPECT_NEAR(cohen_kappa({{20, 5}, {10, 15}}), 0.40, 1e-12);
    // Perfect agreement → 1; agreement exactly at chance → 0:
    // {{25, 25}, {25, 25}}: p_o = 0.5, p_e = 0.5·0.5 + 0.5·0.5 = 0.5 → 0.
    EXPECT_DOUBLE_EQ(cohen_kappa({{10, 0}, {0, 40}}), 1.0);
    EXPECT_NEAR(cohen_kappa({{25, 25}, {25, 25}}), 0.0, 1e-12);
    // Degenerate: everyone "absent" everywhere → p_e = 1 → defined as 1.
    EXPECT_DOUBLE_EQ(cohen_kappa({{0, 0}, {0, 30}}), 1.0);
    EXPECT_TRUE(std::isnan(cohen_kappa({{0, 0}, {0, 0}})));
    EXPECT_THROW(cohen_kappa({{1, 2}}), Error);
}

TEST(Agreement, FleissKappaTextbookExample) {
    // Fleiss (1971) as in Wikipedia "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
    // P̄ = 0.378, P̄e = 0.213, κ = (0.378 − 0.213) / (1 − 0.213) = 0.210.
    const std::vector<std::vector<double>> counts = {
        {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
        {7, 7, 0, 0, 0},  {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7}};
    EXPECT_NEAR(fleiss_kappa(counts), 0.210, 0.0005);
    EXPECT_THROW(fleiss_kappa({{1, 2}, {3, 3}}), Error);  // unequal rater counts
}

TEST(Agreement, Bands) {
    EXPECT_EQ(kappa_band(0.85), "excellent");
    EXPECT_EQ(kappa_band(0.80), "excellent");
    EXPECT_EQ(kappa_band(0.60), "good");
    EXPECT_EQ(kappa_band(0.45), "moderate");
    EXPECT_EQ(kappa_band(0.10), "poor");
    EXPECT_EQ(kappa_band(NAN), "not enough data");
}

TEST(Agreement, SegmentMatchingIsOneToOneByIoU) {
    std::vector<LabeledInterval> a = {{0, 10, "x"}, {20, 30, "x"}, {40, 50, "y"}};
    std::vector<LabeledInterval> b = {{1, 10, "x"}, {0, 9, "x"}, {26, 36, "x"}, {40, 50, "z"}};
    // a0 ↔ b0 IoU 0.9, a0 ↔ b1 IoU 0.9 (tie: first candidate wins); a1 ↔ b2 IoU 4/16 = 0.25 < 0.5;
    // a2 / b3 differ in label.
    auto m = match_segments(a, b, 0.5);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], (std::pair<size_t, size_t>{0, 0}));
    EXPECT_EQ(match_segments(a, b, 0.2).size(), 2u);
}

// The fixture, by hand, on a 1-s grid over 20 s (bins 0..19; bin k present when its centre k+0.5 is inside):
//  Включение  A [2,7) → bins 2-6        B [2.5,7) → bins 2-6   → both 5, neither 15: κ = 1
//  Отклик     A [10,15) → bins 10-14    B [12,18) → bins 12-17 → both 3, A only 2, B only 3, neither 12:
//             p_o = 15/20 = 0.75, p_e = 0.25·0.30 + 0.75·0.70 = 0.60, κ = 0.15/0.40 = 0.375
//  Поддержка  A [1,3) → bins 1-2        B [16,19) → bins 16-18 → both 0, A only 2, B only 3, neither 15:
//             p_o = 0.75, p_e = 0.10·0.15 + 0.90·0.85 = 0.78, κ = −0.03/0.22 = −0.13636…
//  Overall (60 pooled subjects): both 8, A only 4, B only 6, neither 42: p_o = 50/60,
//             p_e = 0.2·(14/60) + 0.8·(46/60) = 0.66, κ = (0.83333 − 0.66)/0.34 = 0.509804
//  Segments: Включение IoU 4.5/5 = 0.9 → matched; Отклик IoU 3/8 = 0.375 → not; Поддержка no overlap.
//  Percent agreement: Включение 2·1/2 = 1, others 0; overall 2·1/6 = 0.3333.
void expect_fixture_report(const AgreementReport& r) {
    EXPECT_EQ(r.method, "cohen");
    EXPECT_EQ(r.bins, 20);
    ASSERT_EQ(r.patterns.size(), 3u);
    EXPECT_NEAR(pattern(r, kInc).kappa, 1.0, 1e-12);
    EXPECT_EQ(pattern(r, kInc).band, "excellent");
    EXPECT_NEAR(pattern(r, kInc).percent_agreement, 1.0, 1e-12);
    EXPECT_TRUE(pattern(r, kInc).consensus);
    EXPECT_NEAR(pattern(r, kEmo).kappa, 0.375, 1e-12);
    EXPECT_EQ(pattern(r, kEmo).band, "poor");
    EXPECT_NEAR(pattern(r, kEmo).observed, 0.75, 1e-12);
    EXPECT_NEAR(pattern(r, kEmo).percent_agreement, 0.0, 1e-12);
    EXPECT_FALSE(pattern(r, kEmo).consensus);
    EXPECT_NEAR(pattern(r, kSup).kappa, -0.03 / 0.22, 1e-9);
    EXPECT_NEAR(r.overall_kappa, (50.0 / 60 - 0.66) / 0.34, 1e-9);
    EXPECT_EQ(r.overall_band, "moderate");
    EXPECT_NEAR(r.overall_percent, 1.0 / 3.0, 1e-12);
}

TEST(Agreement, FromLabelStudioExportsInEveryFormat) {
    for (const char* name : {"two_annotators_full.json", "two_annotators_min.json", "two_annotators.csv"}) {
        SCOPED_TRACE(name);
        auto corpus = corpus_from_exports({{name, annotations::read_export(fixture(name))}});
        ASSERT_EQ(corpus.input.annotators.size(), 2u);
        ASSERT_EQ(corpus.input.units.size(), 1u);
        expect_fixture_report(compute_agreement(corpus.input));
    }
}

TEST(Agreement, ConsensusAveragesMatchedBoundariesAsLabelStudioJson) {
    auto corpus = corpus_from_exports({{"full", annotations::read_export(fixture("two_annotators_full.json"))}});
    auto report = compute_agreement(corpus.input);
    auto segs = consensus_segments(corpus.input, report);
    ASSERT_EQ(segs.size(), 1u);  // only Включение has kappa >= 0.60
    EXPECT_EQ(segs[0].label, kInc);
    EXPECT_DOUBLE_EQ(segs[0].start, 2.25);  // (2 + 2.5) / 2
    EXPECT_DOUBLE_EQ(segs[0].end, 7.0);

    // Written as a full JSON export, it reads back with the region, its agreed choices and the task data.
    auto doc = annotations::to_full_json(consensus_project(corpus, segs));
    auto back = annotations::parse_export(doc.dump(), {}, "consensus");
    ASSERT_EQ(back.tasks.size(), 1u);
    EXPECT_EQ(back.tasks[0].data.at("lesson"), "lesson_20240301");
    ASSERT_EQ(back.tasks[0].annotations.size(), 1u);
    EXPECT_FALSE(doc[0]["annotations"][0].contains("completed_by"));  // Label Studio refuses unknown emails
    auto s = annotations::segments(back.tasks[0].annotations[0]);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_DOUBLE_EQ(s[0].start, 2.25);
    EXPECT_EQ(s[0].labels, std::vector<std::string>{kInc});
    EXPECT_EQ(s[0].choices.at("initiator"), std::vector<std::string>{"Teacher"});
}

TEST(Agreement, ThreeAnnotatorsUseFleissAndMajorityConsensus) {
    // 10 s, 1-s bins, one label "x". A [0,4), B [0,4), C [6,10).
    // Per bin (present, absent) counts: bins 0-3 → (2,1) [A, B present]; bins 4-5 → (0,3); bins 6-9 → (1,2).
    // P_i = (Σ n_ij² − 3) / 6: (4+1−3)/6 = 1/3 for bins 0-3 and 6-9, (9−3)/6 = 1 for bins 4-5.
    // P̄ = (8·1/3 + 2·1) / 10 = 0.4666…; p_present = (4·2 + 4·1) / 30 = 0.4, p_absent = 0.6;
    // P̄e = 0.16 + 0.36 = 0.52; κ = (0.46667 − 0.52) / 0.48 = −0.1111…
    AgreementInput in;
    in.annotators = {"A", "B", "C"};
    Unit u;
    u.key = "lesson";
    u.duration = 10;
    u.raters = {std::vector<LabeledInterval>{{0, 4, "x"}}, std::vector<LabeledInterval>{{0, 4, "x"}},
                std::vector<LabeledInterval>{{6, 10, "x"}}};
    in.units.push_back(u);
    auto r = compute_agreement(in);
    EXPECT_EQ(r.method, "fleiss");
    ASSERT_EQ(r.patterns.size(), 1u);
    EXPECT_NEAR(r.patterns[0].kappa, (0.4 + 2.0 / 30 - 0.52) / 0.48, 1e-9);
    EXPECT_EQ(r.pairs.size(), 3u);
    EXPECT_NEAR(r.pairs[0].kappa, 1.0, 1e-12);  // A vs B identical

    // With B and C agreeing too (C [0.5,4)), everyone matches: consensus keeps one segment of 3.
    in.units[0].raters[2] = std::vector<LabeledInterval>{{0.5, 4, "x"}};
    r = compute_agreement(in);
    EXPECT_GE(r.patterns[0].kappa, 0.6);
    auto segs = consensus_segments(in, r);
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(segs[0].members.size(), 3u);
    EXPECT_NEAR(segs[0].start, 0.5 / 3, 1e-12);
    EXPECT_DOUBLE_EQ(segs[0].end, 4.0);
}

TEST(Agreement, NeedsTwoAnnotators) {
    auto corpus = corpus_from_exports({{"one", annotations::read_export(fixture("one_annotator.json"))}});
    try {
        compute_agreement(corpus.input);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(std::string(e.what()).find("at least two annotators, found 1"), std::string::npos) << e.what();
    }
}

TEST(Agreement, SeparateExportsPerAnnotator) {
    // The same single-annotator export twice: same user id in two files → told apart by file name,
    // one task each → compared as one video; identical labeling → κ = 1.
    auto p = annotations::read_export(fixture("one_annotator.json"));
    auto corpus = corpus_from_exports({{"/x/anna.json", p}, {"/y/boris.json", p}});
    ASSERT_EQ(corpus.input.annotators, (std::vector<std::string>{"user 1 (anna.json)", "user 1 (boris.json)"}));
    auto r = compute_agreement(corpus.input);
    EXPECT_DOUBLE_EQ(r.overall_kappa, 1.0);
}

TEST(AgreementCli, TableJsonConsensusAndExitCodes) {
    test::TempDir dir;
    auto r = test::run_vidseg("dataset agreement '" + fixture("two_annotators_full.json") + "' --consensus '" +
                              (dir / "consensus.json").string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Эмоциональный отклик"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("excellent"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Overall: kappa 0.510 (moderate)"), std::string::npos) << r.out;
    auto back = annotations::read_export((dir / "consensus.json").string());
    EXPECT_EQ(annotations::segments(back.tasks.at(0).annotations.at(0)).size(), 1u);

    r = test::run_vidseg("dataset agreement --json '" + fixture("two_annotators_min.json") + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["method"], "cohen");
    EXPECT_NEAR(doc["overall"]["kappa"].get<double>(), 0.5098, 1e-4);

    EXPECT_EQ(test::run_vidseg("dataset agreement /nonexistent/export.json").exit_code, 3);
    EXPECT_EQ(test::run_vidseg("dataset agreement '" + fixture("missing_end.json") + "'").exit_code, 7);
    r = test::run_vidseg("dataset agreement '" + fixture("one_annotator.json") + "'");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("at least two annotators"), std::string::npos) << r.err;
}

// A pattern only one annotator used, on a task nobody else labelled, has nothing to agree on.
TEST(Agreement, OnlyDoubleAnnotatedUnitsCount) {
    AgreementInput in;
    in.annotators = {"A", "B"};
    Unit shared;
    shared.key = "task 1";
    shared.duration = 10;
    shared.raters = {std::vector<LabeledInterval>{{0, 4, "x"}}, std::vector<LabeledInterval>{{0, 4, "x"}}};
    Unit only_a;
    only_a.key = "task 2";
    only_a.duration = 10;
    only_a.raters = {std::vector<LabeledInterval>{{2, 6, "lonely"}}, std::nullopt};
    in.units = {shared, only_a};
    auto r = compute_agreement(in);
    EXPECT_EQ(r.units, 2u);
    EXPECT_EQ(r.shared_units, 1u);
    const auto& lonely = pattern(r, "lonely");
    EXPECT_TRUE(std::isnan(lonely.kappa));
    EXPECT_EQ(lonely.band, "not enough data");
    EXPECT_TRUE(std::isnan(lonely.percent_agreement));
    EXPECT_FALSE(lonely.consensus);
    EXPECT_EQ(lonely.shared_units, 0u);
    EXPECT_DOUBLE_EQ(pattern(r, "x").kappa, 1.0);
    EXPECT_EQ(pattern(r, "x").shared_units, 1u);
    auto doc = to_json(r);
    EXPECT_EQ(doc["shared_units"], 1);
    EXPECT_TRUE(doc["patterns"][0]["kappa"].is_null());  // "lonely" sorts first
    EXPECT_EQ(doc["patterns"][0]["band"], "not enough data");
}

// The grid runs to the media's end: a 5-s task with a label in [1, 2) has 5 bins, not 2.
TEST(Agreement, GridEndsAtTheMediaEnd) {
    const std::string text = R"([{"id": 1, "data": {"audio": "a.wav", "start": 0, "end": 5}, "annotations": [
        {"id": 1, "completed_by": 1, "result": [{"id": "a", "from_name": "s", "to_name": "audio", "type": "labels",
         "value": {"start": 1, "end": 2, "labels": ["x"]}}]},
        {"id": 2, "completed_by": 2, "result": [{"id": "b", "from_name": "s", "to_name": "audio", "type": "labels",
         "value": {"start": 1, "end": 2, "labels": ["x"]}}]}]}])";
    auto corpus = corpus_from_exports({{"e", annotations::parse_export(text, {}, "e.json")}});
    auto r = compute_agreement(corpus.input);
    EXPECT_EQ(r.bins, 5);
}

// The consensus keeps each control's result type and the experts' label strings (not pattern names).
TEST(Agreement, ConsensusKeepsResultTypesAndOriginalLabels) {
    const std::string text = R"([{"id": 1, "data": {"video": "v.mp4", "audio": "a.wav", "fps": 25}, "annotations": [
        {"id": 1, "completed_by": 1, "result": [
          {"id": "a", "from_name": "speech", "to_name": "audio", "type": "labels",
           "value": {"start": 1, "end": 3, "channel": 0, "labels": ["🎯 П: Включение в обучающий процесс"]}},
          {"id": "t", "from_name": "timeline", "to_name": "video", "type": "timelinelabels",
           "value": {"ranges": [{"start": 101, "end": 150}], "timelinelabels": ["😊 У: Эмоциональный отклик"]}}]},
        {"id": 2, "completed_by": 2, "result": [
          {"id": "b", "from_name": "speech", "to_name": "audio", "type": "labels",
           "value": {"start": 1, "end": 3, "channel": 0, "labels": ["🎯 П: Включение в обучающий процесс"]}},
          {"id": "u", "from_name": "timeline", "to_name": "video", "type": "timelinelabels",
           "value": {"ranges": [{"start": 101, "end": 150}], "timelinelabels": ["😊 У: Эмоциональный отклик"]}}]}]}])";
    const annotations::LabelMatcher matcher(annotations::default_patterns());
    auto corpus = corpus_from_exports({{"e", annotations::parse_export(text, {}, "e.json")}}, &matcher);
    auto report = compute_agreement(corpus.input);
    auto segs = consensus_segments(corpus.input, report);
    ASSERT_EQ(segs.size(), 2u);
    auto doc = annotations::to_full_json(consensus_project(corpus, segs));
    const auto& result = doc[0]["annotations"][0]["result"];
    ASSERT_EQ(result.size(), 2u);
    EXPECT_EQ(result[0]["type"], "labels");
    EXPECT_EQ(result[0]["from_name"], "speech");
    EXPECT_EQ(result[0]["value"]["labels"], nlohmann::json::array({"🎯 П: Включение в обучающий процесс"}));
    EXPECT_EQ(result[1]["type"], "timelinelabels");
    EXPECT_EQ(result[1]["from_name"], "timeline");
    EXPECT_EQ(result[1]["value"]["ranges"], nlohmann::json::parse(R"([{"start": 101, "end": 150}])"));
    EXPECT_EQ(result[1]["value"]["timelinelabels"], nlohmann::json::array({"😊 У: Эмоциональный отклик"}));
}

TEST(Agreement, AnnotatorNamesFromTheUserList) {
    test::TempDir dir;
    auto write = [](const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; };
    const auto users = dir / "users.json";
    write(users, R"([{"id": 1, "first_name": "Anna", "last_name": "Petrova", "username": "anna",
        "email": "anna@school.test"}, {"id": 7, "first_name": "", "last_name": "", "username": "boris",
        "email": "boris@school.test"}])");
    auto p = annotations::read_export(fixture("two_annotators_full.json"));
    annotations::apply_user_names(p, annotations::read_users(users.string()));
    EXPECT_EQ(p.annotators(), (std::vector<std::string>{"anna@school.ru", "boris <boris@school.test>"}));

    auto r = test::run_vidseg("dataset agreement '" + fixture("two_annotators_min.json") + "' --annotators '" +
                              users.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Annotators (2): anna@school.ru, boris <boris@school.test>"), std::string::npos) << r.out;
    write(users, "[{\"name\": 1}]");
    r = test::run_vidseg("dataset agreement '" + fixture("two_annotators_min.json") + "' --annotators '" +
                         users.string() + "'");
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("user 1 has no numeric 'id'"), std::string::npos) << r.err;
}

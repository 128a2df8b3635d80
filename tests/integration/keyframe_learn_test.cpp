// `vidseg keyframes learn` and `dataset build --keyframe model:FILE` through the real binary: a
// build with --keyframe best stores every candidate's scores (keyframe_candidates.jsonl); reviewers
// (this test) pick the darkest candidate of each fragment, which the fixed score never takes; the
// model learned from those picks must choose exactly those frames in a new build, and from the stored
// candidates without decoding when the chooser changes on an existing output. Bad inputs end in clear
// errors and exit codes with nothing written.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

// 10 s, 25 fps: brightness ramps from 10 % to 100 % every 2.5 s, so each fragment has one clearly
// darkest candidate, right after a ramp starts again.
fs::path make_video(const TempDir& tmp) {
    const fs::path video = tmp / "ramp.mp4";
    const auto r = run_shell(
        "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=10 "
        "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=10 "
        "-vf \"format=yuv420p,geq=lum='lum(X,Y)*(0.1+0.9*mod(T,2.5)/2.5)':cb='cb(X,Y)':cr='cr(X,Y)'\" "
        "-c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -shortest " +
        shell_quote(video));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return video;
}

// One annotation, three intervals: [0.5, 3), [3, 5.5), [6, 9).
fs::path make_export(const TempDir& tmp) {
    json result = json::array();
    const double bounds[][2] = {{0.5, 3.0}, {3.0, 5.5}, {6.0, 9.0}};
    for (int i = 0; i < 3; ++i)
        result.push_back({{"id", "seg" + std::to_string(i)},
                          {"from_name", "pattern_intervals"},
                          {"to_name", "audio"},
                          {"type", "labels"},
                          {"value",
                           {{"start", bounds[i][0]},
                            {"end", bounds[i][1]},
                            {"channel", 0},
                            {"labels", {"💖 П: Эмоциональная поддержка"}}}}});
    const json doc = json::array(
        {{{"id", 7},
          {"data", {{"video", "/data/upload/1/ab12cd-ramp.mp4"}, {"fps", 25}}},
          {"annotations", {{{"id", 3}, {"completed_by", {{"id", 1}, {"email", "anna@school.ru"}}}, {"result", result}}}}}});
    const fs::path file = tmp / "export.json";
    std::ofstream(file) << doc.dump(2);
    return file;
}

std::vector<json> jsonl(const fs::path& path) {
    std::istringstream in(read_text(path));
    std::vector<json> rows;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) rows.push_back(json::parse(line));
    return rows;
}

std::map<std::string, double> keyframe_times(const fs::path& dataset) {
    std::map<std::string, double> out;
    for (const auto& row : jsonl(dataset / "metadata.jsonl"))
        out[fs::path(row.at("file_name").get<std::string>()).stem().string()] = row.at("keyframe_time");
    return out;
}

struct Fixture {
    TempDir tmp;
    fs::path video = make_video(tmp), annotations = make_export(tmp);
    vidseg::test::CommandResult build(const fs::path& out, const std::string& keyframe) const {
        return run_vidseg("dataset build --video " + shell_quote(video) + " --annotations " + shell_quote(annotations) +
                          " --yes --quiet --json --keyframe-candidates 6 --keyframe " + shell_quote(keyframe) +
                          " --out " + shell_quote(out));
    }
};

}  // namespace

TEST(KeyframeLearn, ModelLearnedFromPicksChoosesThePickedFrames) {
    Fixture f;
    const fs::path reviewed = f.tmp / "reviewed";
    auto r = f.build(reviewed, "best");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto fragments = jsonl(reviewed / "keyframe_candidates.jsonl");
    ASSERT_EQ(fragments.size(), 3u);
    const auto best_times = keyframe_times(reviewed);

    // The reviewers pick the darkest candidate of each fragment (never the heuristic's choice here).
    std::map<std::string, double> picks;
    std::string review;
    for (const auto& fragment : fragments) {
        EXPECT_EQ(fragment.at("chooser"), "best");
        const auto& candidates = fragment.at("candidates");
        ASSERT_EQ(candidates.size(), 6u) << fragment.dump();
        size_t darkest = 0;
        for (size_t k = 1; k < candidates.size(); ++k)
            if (candidates[k].at("mean_luma").get<double>() < candidates[darkest].at("mean_luma").get<double>())
                darkest = k;
        const std::string item = fragment.at("item");
        picks[item] = candidates[darkest].at("time");
        EXPECT_DOUBLE_EQ(fragment.at("suggested").get<double>(), best_times.at(item));
        EXPECT_NE(picks[item], best_times.at(item)) << item;
        review += json{{"item", item}, {"decision", "kept"}, {"keyframe", picks[item]}}.dump() + "\n";
    }
    std::ofstream(reviewed / "review.jsonl") << review;

    const fs::path model = f.tmp / "keyframes.model";
    r = run_vidseg("keyframes learn --reviews " + shell_quote(reviewed) + " --out " + shell_quote(model) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json learned = json::parse(r.out);
    EXPECT_EQ(learned.at("training").at("picks"), 3);
    EXPECT_EQ(learned.at("training_agreement").at("model"), 3);
    EXPECT_EQ(learned.at("training_agreement").at("heuristic"), 0);
    const json file = json::parse(read_text(model));
    EXPECT_EQ(file.at("format"), "vidseg-keyframe-ranker");
    EXPECT_EQ(file.at("version"), 1);

    // A fresh build with the model takes exactly the picked frames (nothing tells it the picks).
    const fs::path fresh = f.tmp / "fresh";
    r = f.build(fresh, "model:" + model.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(keyframe_times(fresh), picks);
    for (const auto& fragment : jsonl(fresh / "keyframe_candidates.jsonl")) {
        EXPECT_EQ(fragment.at("chooser"), "model");
        EXPECT_DOUBLE_EQ(fragment.at("suggested").get<double>(), picks.at(fragment.at("item")));
    }
    EXPECT_EQ(json::parse(r.out).at("keyframe_candidates_decoded"), 18);

    // Switching the chooser of an existing output re-ranks the stored candidates: nothing decoded.
    const fs::path again = f.tmp / "again";
    ASSERT_EQ(f.build(again, "best").exit_code, 0);
    EXPECT_EQ(keyframe_times(again), best_times);
    r = f.build(again, "model:" + model.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out).at("keyframe_candidates_decoded"), 0) << r.out;
    EXPECT_EQ(keyframe_times(again), picks);
}

TEST(KeyframeLearn, BadInputsAreClearErrors) {
    Fixture f;
    const fs::path ds = f.tmp / "ds";
    ASSERT_EQ(f.build(ds, "best").exit_code, 0);
    const fs::path model = f.tmp / "m.model";
    const auto learn = [&](const std::string& args) {
        return run_vidseg("keyframes learn " + args + " --out " + shell_quote(model));
    };
    // Missing folder, missing review.jsonl: exit 3, naming the file.
    auto r = learn("--reviews " + shell_quote(f.tmp / "nowhere"));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    r = learn("--reviews " + shell_quote(ds));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("review.jsonl"), std::string::npos) << r.err;
    // Malformed review.jsonl: exit 7 with the line.
    std::ofstream(ds / "review.jsonl") << "{\"item\": \"x\", \"decision\": \"kept\"}\n{not json\n";
    r = learn("--reviews " + shell_quote(ds));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("review log line 2"), std::string::npos) << r.err;
    // Only exclusions: no decision to learn from.
    std::string excluded;
    for (const auto& fragment : jsonl(ds / "keyframe_candidates.jsonl"))
        excluded += json{{"item", fragment.at("item")}, {"decision", "excluded"}, {"reason", "blurred"}}.dump() + "\n";
    std::ofstream(ds / "review.jsonl") << excluded;
    r = learn("--reviews " + shell_quote(ds));
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("no review decision to learn from"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("3 excluded"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(model));
    // A build without candidates (middle keyframes).
    const fs::path middle = f.tmp / "middle";
    ASSERT_EQ(f.build(middle, "middle").exit_code, 0);
    std::ofstream(middle / "review.jsonl") << excluded;
    r = learn("--reviews " + shell_quote(middle));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("keyframe_candidates.jsonl"), std::string::npos) << r.err;
    r = run_vidseg("keyframes learn --out " + shell_quote(model));
    EXPECT_EQ(r.exit_code, 2) << r.err;

    // Model files: corrupt, another version, missing; the build refuses before writing anything.
    const auto build_with = [&](const std::string& text) {
        std::ofstream(model) << text;
        return f.build(f.tmp / "out", "model:" + model.string());
    };
    r = build_with("{\"format\": \"vidseg-keyframe-ranker\", \"version\": 1, \"features\": [");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("not a valid keyframe model"), std::string::npos) << r.err;
    r = build_with("{\"format\": \"vidseg-keyframe-ranker\", \"version\": 9}");
    EXPECT_EQ(r.exit_code, 7) << r.err;
    EXPECT_NE(r.err.find("keyframe model version 9 is not supported"), std::string::npos) << r.err;
    fs::remove(model);
    r = f.build(f.tmp / "out", "model:" + model.string());
    EXPECT_EQ(r.exit_code, 3) << r.err;
    r = f.build(f.tmp / "out", "model:");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_FALSE(fs::exists(f.tmp / "out"));
}

TEST(KeyframeLearn, HelpComesFromTheOptionTable) {
    auto r = run_vidseg("keyframes learn --help");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* s : {"--reviews DIR", "--evaluate DIR", "--accepted-weight W", "--l2 X", "vidseg-keyframe-ranker"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
    r = run_vidseg("dataset build --help");
    EXPECT_NE(r.out.find("model:FILE"), std::string::npos) << r.out;
    r = run_vidseg("--help");
    EXPECT_NE(r.out.find("keyframes learn"), std::string::npos) << r.out;
}

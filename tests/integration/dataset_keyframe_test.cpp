// `vidseg dataset build --keyframe best` end to end: a generated 6 s video whose one annotated
// interval [0, 6) is dark for 2 s, then blurred for 2 s, then sharp and well exposed. The middle
// (3 s) is blurred; the best keyframe must come from the sharp part, its score and components are
// recorded in metadata.jsonl, the written JPEG really is sharper, and the tracked crop is taken at
// the chosen time (the box grows over the video, so its width tells the time).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/vision/frame_stats.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using vidseg::test::read_text;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;
using vidseg::test::TempDir;

namespace {

constexpr int kWidth = 320, kHeight = 240;

// [0,2) dark (luma x 0.12), [2,4) box-blurred, [4,6) untouched; 25 fps, GOP 25, with a tone.
fs::path make_video(const TempDir& tmp) {
    const fs::path video = tmp / "blurry_lesson.mp4";
    const auto r = run_shell(
        "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x240:rate=25:duration=6 "
        "-f lavfi -i sine=frequency=440:sample_rate=48000:duration=6 "
        "-vf \"lutyuv=y=val*0.12:enable='lt(t,2)',boxblur=luma_radius=8:luma_power=3:chroma_radius=4:"
        "enable='between(t,2,3.999)'\" "
        "-c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac -shortest " +
        shell_quote(video));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return video;
}

// One task, one annotation: an audio interval [0, 6) and a track whose box grows linearly from
// 20 % to 60 % of the width between 0 s and 6 s.
fs::path make_export(const TempDir& tmp) {
    const json result = json::array({
        {{"id", "seg"},
         {"from_name", "pattern_intervals"},
         {"to_name", "audio"},
         {"type", "labels"},
         {"value",
          {{"start", 0.0}, {"end", 6.0}, {"channel", 0}, {"labels", {"💖 П: Эмоциональная поддержка"}}}}},
        {{"id", "trk"},
         {"from_name", "box"},
         {"to_name", "video"},
         {"type", "videorectangle"},
         {"value",
          {{"framesCount", 150},
           {"duration", 6.0},
           {"labels", {"teacher"}},
           {"sequence",
            {{{"frame", 1},
              {"time", 0.0},
              {"x", 10},
              {"y", 10},
              {"width", 20},
              {"height", 50},
              {"enabled", true}},
             {{"frame", 151},
              {"time", 6.0},
              {"x", 10},
              {"y", 10},
              {"width", 60},
              {"height", 50},
              {"enabled", true}}}}}}},
    });
    const json doc = json::array(
        {{{"id", 7},
          {"data", {{"video", "/data/upload/1/ab12cd-blurry_lesson.mp4"}, {"fps", 25}}},
          {"annotations",
           {{{"id", 3}, {"completed_by", {{"id", 1}, {"email", "anna@school.ru"}}}, {"result", result}}}}}});
    const fs::path file = tmp / "export.json";
    std::ofstream(file) << doc.dump(2);
    return file;
}

json only_row(const fs::path& jsonl) {
    std::istringstream in(read_text(jsonl));
    std::vector<json> rows;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) rows.push_back(json::parse(line));
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? json::object() : rows[0];
}

double jpeg_sharpness(const fs::path& jpeg) {
    vidseg::media::FrameReader reader(jpeg.string());
    return vidseg::vision::sharpness(reader.read_at(0));
}

int jpeg_width(const fs::path& jpeg) {
    vidseg::media::FrameReader reader(jpeg.string());
    return reader.width();
}

}  // namespace

TEST(DatasetKeyframe, BestKeyframeComesFromTheSharpWellExposedPart) {
    TempDir tmp;
    const fs::path video = make_video(tmp), annotations = make_export(tmp);
    const std::string common = "dataset build --video " + shell_quote(video) + " --annotations " +
                               shell_quote(annotations) + " --keep-going --quiet";

    auto middle = run_vidseg(common + " --out " + shell_quote(tmp / "middle"));
    ASSERT_EQ(middle.exit_code, 0) << middle.err;
    const json m = only_row(tmp / "middle" / "metadata.jsonl");
    EXPECT_DOUBLE_EQ(m["keyframe_time"].get<double>(), 3.0);  // the default: the middle, which is blurred
    EXPECT_FALSE(m.contains("keyframe_score"));

    auto best =
        run_vidseg(common + " --keyframe best --keyframe-candidates 12 --out " + shell_quote(tmp / "best"));
    ASSERT_EQ(best.exit_code, 0) << best.err;
    const json b = only_row(tmp / "best" / "metadata.jsonl");
    const double t = b["keyframe_time"];
    EXPECT_GE(t, 4.0) << b.dump();
    EXPECT_LT(t, 6.0) << b.dump();
    // Score and components recorded, consistent with the default weights (0.5, 0.25, 0.25).
    for (const char* c : {"keyframe_score", "keyframe_sharpness", "keyframe_exposure", "keyframe_person"}) {
        ASSERT_TRUE(b[c].is_number()) << c << " in " << b.dump();
        EXPECT_GE(b[c].get<double>(), 0.0) << c;
        EXPECT_LE(b[c].get<double>(), 1.0) << c;
    }
    EXPECT_GT(b["keyframe_sharpness"].get<double>(), 0.8);
    EXPECT_GT(b["keyframe_exposure"].get<double>(), 0.8);
    EXPECT_NEAR(b["keyframe_score"].get<double>(),
                0.5 * b["keyframe_sharpness"].get<double>() + 0.25 * b["keyframe_exposure"].get<double>() +
                    0.25 * b["keyframe_person"].get<double>(),
                1e-9);
    EXPECT_EQ(b["keyframe_faces"], 0);  // a test pattern has no face
    // The CSV table carries the same columns.
    EXPECT_NE(read_text(tmp / "best" / "metadata_table.csv").find("keyframe_score"), std::string::npos);

    // The written keyframe is the sharp frame (full size), far sharper than the middle one.
    const fs::path best_jpg = tmp / "best" / b["image_path"].get<std::string>();
    const fs::path middle_jpg = tmp / "middle" / m["image_path"].get<std::string>();
    EXPECT_EQ(jpeg_width(best_jpg), kWidth);
    EXPECT_GT(jpeg_sharpness(best_jpg), 3 * jpeg_sharpness(middle_jpg));

    // The crop follows the chosen time: box width 20 % + 40 % * t / 6 of 320 pixels.
    ASSERT_TRUE(b["crop_path"].is_string()) << b.dump();
    ASSERT_TRUE(m["crop_path"].is_string()) << m.dump();
    const auto expected_width = [](double time) { return std::lround((20 + 40 * time / 6) / 100 * kWidth); };
    EXPECT_NEAR(jpeg_width(tmp / "best" / b["crop_path"].get<std::string>()), expected_width(t), 2);
    EXPECT_NEAR(jpeg_width(tmp / "middle" / m["crop_path"].get<std::string>()), expected_width(3.0), 2);
}

TEST(DatasetKeyframe, UnknownKeyframeModeIsRefused) {
    TempDir tmp;
    auto r = run_vidseg("dataset build --video x.mp4 --annotations a.json --out " + shell_quote(tmp / "o") +
                        " --keyframe sharpest");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--keyframe"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "o"));
}

// Choosing the best keyframe decodes and scores every candidate; a re-run with unchanged inputs
// takes the choice (time + score) from build_manifest.json instead, and decodes no candidate. A
// changed candidate count is a changed input: the choice is made again.
TEST(DatasetKeyframe, RerunReusesTheChoiceWithoutDecodingCandidates) {
    TempDir tmp;
    const fs::path video = make_video(tmp), annotations = make_export(tmp);
    const fs::path out = tmp / "best";
    auto build = [&](int candidates) {
        auto r = run_vidseg("dataset build --video " + shell_quote(video) + " --annotations " + shell_quote(annotations) +
                            " --keep-going --quiet --json --keyframe best --keyframe-candidates " +
                            std::to_string(candidates) + " --out " + shell_quote(out));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return json::parse(r.out);
    };
    const json first = build(12);
    EXPECT_EQ(first.at("keyframe_candidates_decoded"), 12) << first.dump();
    EXPECT_EQ(first.at("reused_keyframe_choices"), 0);
    const std::string metadata = read_text(out / "metadata.jsonl");
    const json row = only_row(out / "metadata.jsonl");
    // The manifest keeps the choice beside the files.
    const json manifest = json::parse(read_text(out / "build_manifest.json"));
    ASSERT_EQ(manifest.at("items").size(), 1u);
    const json& choice = manifest.at("items").begin().value().at("keyframe_choice");
    EXPECT_DOUBLE_EQ(choice.at("value").at("time").get<double>(), row.at("keyframe_time").get<double>());
    EXPECT_DOUBLE_EQ(choice.at("value").at("score").at("total").get<double>(), row.at("keyframe_score").get<double>());

    const json again = build(12);
    EXPECT_EQ(again.at("keyframe_candidates_decoded"), 0) << again.dump();
    EXPECT_EQ(again.at("reused_keyframe_choices"), 1);
    EXPECT_EQ(again.at("reused_fragments"), 1);
    EXPECT_EQ(again.at("built_files"), 0);
    EXPECT_EQ(read_text(out / "metadata.jsonl"), metadata);  // same time, same score columns

    const json fewer = build(6);
    EXPECT_EQ(fewer.at("keyframe_candidates_decoded"), 6) << fewer.dump();
    EXPECT_EQ(fewer.at("reused_keyframe_choices"), 0);
}

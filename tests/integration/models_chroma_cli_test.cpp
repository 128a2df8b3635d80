// A model trained on `vidseg features --chroma-tuning auto` features records it, `vidseg predict` on
// the raw audio computes the same features (the tuning estimated again), and a feature file computed
// with another tuning is refused with both named (exit 7, as any model / feature mismatch).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace fs = std::filesystem;
using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

namespace {

std::vector<float> row_probabilities(const std::string& predict_json) {
    std::vector<float> out;
    const auto doc = nlohmann::json::parse(predict_json);
    for (const auto& row : doc.at("videos").at(0).at("row_probabilities"))
        for (const auto& p : row["p"]) out.push_back(p.get<float>());
    return out;
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
    return d;
}

}  // namespace

TEST(ModelsChromaCli, AutoTuningTravelsFromFeaturesThroughTheModelToPredict) {
    vidseg::test::TempDir dir;
    // 10 s of A4 then 10 s of C5, both 0.27 semitone sharp; the pattern is the C5 part.
    const auto wav = dir / "tone.wav";
    ASSERT_EQ(run_shell("ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "
                        "'sine=frequency=446.9159:sample_rate=22050:duration=10' -f lavfi -i "
                        "'sine=frequency=531.4756:sample_rate=22050:duration=10' -filter_complex concat=n=2:v=0:a=1 "
                        "-ac 1 " + shell_quote(wav))
                  .exit_code,
              0);
    fs::create_directories(dir / "feats");
    fs::create_directories(dir / "ds" / "train");
    std::ofstream(dir / "ds" / "train" / "metadata.jsonl")
        << nlohmann::json{{"file_name", "videos/x.mp4"}, {"patterns", {"C5"}}, {"start", 10}, {"end", 20},
                          {"source_video", "tone.wav"}}
               .dump()
        << "\n";
    const auto features = dir / "feats" / "tone.features.jsonl";
    auto r = run_vidseg("features " + shell_quote(wav) + " --chroma-tuning auto --out " + shell_quote(features));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto model = dir / "m.model";
    r = run_vidseg("train --data " + shell_quote(dir / "ds") + " --features " + shell_quote(features) +
                   " --columns chroma_ --arch linear --epochs 20 --val-fraction 0 --out " + shell_quote(model));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto text = vidseg::test::read_text(model);
    const auto header = nlohmann::json::parse(text.substr(0, text.find('\n')));
    EXPECT_EQ(header["features"]["chroma_tuning"], "auto") << header["features"].dump();

    // The raw WAV: features computed as the model's were (the tuning estimated), so the same rows.
    r = run_vidseg("predict --model " + shell_quote(model) + " --rows --json " + shell_quote(features));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto from_file = row_probabilities(r.out);
    r = run_vidseg("predict --model " + shell_quote(model) + " --rows --json " + shell_quote(wav));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto from_wav = row_probabilities(r.out);
    ASSERT_EQ(from_wav.size(), from_file.size());
    ASSERT_EQ(from_wav.size(), 20u);
    EXPECT_LT(max_difference(from_wav, from_file), 1e-4);

    // Tuning 0 gives other chroma (a CSV does not say its tuning, so predict takes it): the
    // comparison above would see the difference.
    const auto fixed_csv = dir / "fixed.csv";
    ASSERT_EQ(run_vidseg("features " + shell_quote(wav) + " --chroma-tuning 0 --out " + shell_quote(fixed_csv)).exit_code, 0);
    r = run_vidseg("predict --model " + shell_quote(model) + " --rows --json " + shell_quote(fixed_csv));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(max_difference(row_probabilities(r.out), from_file), 1e-3);

    // A feature file that says it was computed with tuning 0: refused, both named.
    const auto fixed = dir / "fixed.features.jsonl";
    ASSERT_EQ(run_vidseg("features " + shell_quote(wav) + " --chroma-tuning 0 --out " + shell_quote(fixed)).exit_code, 0);
    r = run_vidseg("predict --model " + shell_quote(model) + " " + shell_quote(fixed));
    EXPECT_EQ(r.exit_code, 7);
    EXPECT_NE(r.err.find("features have chroma tuning fixed at 0, the model was trained on chroma tuning auto "
                         "(estimated per file)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("fixed.features.jsonl"), std::string::npos) << r.err;
}

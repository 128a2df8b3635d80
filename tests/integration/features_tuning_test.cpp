// `vidseg features --chroma-tuning`: auto estimates the tuning (librosa chroma_stft's default) and
// reports it; a fixed value must be in [-0.5, 0.5); anything else is a usage error (exit 2).
// The agreement with librosa itself is tests/python/test_features_librosa.py.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

using vidseg::test::run_shell;
using vidseg::test::run_vidseg;
using vidseg::test::shell_quote;

TEST(FeaturesTuningCli, AutoReportsTheEstimateAndBadValuesExitTwo) {
    vidseg::test::TempDir dir;
    const auto wav = dir / "sharp.wav";  // A4 0.27 semitone sharp: 440 * 2^(0.27 / 12) Hz
    ASSERT_EQ(run_shell("ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "
                        "'sine=frequency=446.9159:sample_rate=22050:duration=3' -ac 1 " + shell_quote(wav))
                  .exit_code,
              0);
    auto r = run_vidseg("features " + shell_quote(wav) + " --chroma-tuning auto --json --out " +
                        shell_quote(dir / "f.jsonl"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_NEAR(doc["chroma_tuning"].get<double>(), 0.27, 0.01 + 1e-9) << r.out;
    EXPECT_TRUE(doc["chroma_tuning_estimated"].get<bool>());
    const auto text = vidseg::test::read_text(dir / "f.jsonl");
    const auto head = nlohmann::json::parse(text.substr(0, text.find('\n')));
    EXPECT_EQ(head["chroma_tuning"], doc["chroma_tuning"]);
    EXPECT_TRUE(head["chroma_tuning_estimated"].get<bool>());

    r = run_vidseg("features " + shell_quote(wav) + " --chroma-tuning 0.1 --json --out " + shell_quote(dir / "g.jsonl"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["chroma_tuning"].get<double>(), 0.1);
    EXPECT_FALSE(nlohmann::json::parse(r.out)["chroma_tuning_estimated"].get<bool>());

    for (const std::string bad : {"0.5", "-0.51", "sharp", "nan", "0.1x", "AUTO"}) {
        r = run_vidseg("features " + shell_quote(wav) + " --chroma-tuning " + shell_quote(bad) + " --out " +
                       shell_quote(dir / "h.csv"));
        EXPECT_EQ(r.exit_code, 2) << bad;
        EXPECT_NE(r.err.find("--chroma-tuning expects a number in [-0.5, 0.5) (fractions of a semitone) or 'auto', got '" +
                             bad + "'"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "h.csv"));
}

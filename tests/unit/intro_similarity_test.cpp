// The cross-episode similarity profile (intro/similarity_profile.hpp) and the fused intro feature
// columns (`vidseg features --series-dir`), on the generated series of tests/media (truth.json).
#include <gtest/gtest.h>


#include <algorithm>
#include <numeric>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/similarity_profile.hpp"

using namespace vidseg;
namespace fs = std::filesystem;

namespace {

fs::path series_dir() { return test::series_dir(); }

fs::path visual_dir() { return test::intro_case_dir("visual"); }

float mean_over(const std::vector<float>& v, std::size_t from, std::size_t to) {
    to = std::min(to, v.size());
    if (from >= to) return 0.f;
    return std::accumulate(v.begin() + long(from), v.begin() + long(to), 0.f) / float(to - from);
}

float max_over(const std::vector<float>& v, std::size_t from, std::size_t to) {
    to = std::min(to, v.size());
    float m = 0.f;
    for (std::size_t i = from; i < to; ++i) m = std::max(m, v[i]);
    return m;
}

}  // namespace

TEST(IntroSimilarity, AudioProfileIsHighOnTheIntroAndLowElsewhere) {
    // series: ep1 intro 3-9 s, ep2 8-14, ep3 0-6, ep4 12-18, ep5 none.
    intro::FingerprintOptions fo;
    fo.visual.fps = 0;  // sound only
    std::vector<intro::EpisodeFingerprints> season;
    for (int e = 1; e <= 5; ++e)
        season.push_back(intro::fingerprint_episode((series_dir() / ("ep" + std::to_string(e) + ".mp4")).string(), fo));
    const auto profiles = intro::similarity_profiles(season);
    ASSERT_EQ(profiles.size(), 5u);
    const std::pair<std::size_t, std::size_t> intro[4] = {{3, 9}, {8, 14}, {0, 6}, {12, 18}};
    for (std::size_t e = 0; e < 4; ++e) {
        const auto& a = profiles[e].audio;
        EXPECT_EQ(profiles[e].audio_partners, 4);
        EXPECT_EQ(profiles[e].visual_partners, 0);
        EXPECT_TRUE(profiles[e].visual.empty());
        ASSERT_GT(a.size(), 20u);
        // Inside the intro (a second in from each end): the three other episodes with the intro of
        // the four partners align there.
        EXPECT_GE(mean_over(a, intro[e].first + 1, intro[e].second - 1), 0.6f) << "episode " << e + 1;
        // Well after the intro nothing repeats.
        EXPECT_LE(max_over(a, intro[e].second + 3, a.size()), 0.3f) << "episode " << e + 1;
    }
    EXPECT_LE(max_over(profiles[4].audio, 0, profiles[4].audio.size()), 0.3f) << "ep5 has no intro";

    // The one-episode form agrees with the season form.
    std::vector<const intro::EpisodeFingerprints*> others;
    for (std::size_t i = 1; i < season.size(); ++i) others.push_back(&season[i]);
    const auto one = intro::similarity_profile(season[0], others);
    ASSERT_EQ(one.audio.size(), profiles[0].audio.size());
    EXPECT_NEAR(mean_over(one.audio, 4, 8), mean_over(profiles[0].audio, 4, 8), 0.15f);

    EXPECT_FLOAT_EQ(intro::profile_value({0.f, 1.f, 0.5f}, 1.0, 0.5, 2.0), 0.625f);  // (0 * 0.5 + 1 + 0.5 * 0.5) / 2
    EXPECT_FLOAT_EQ(intro::profile_value({0.f, 1.f}, 1.0, 5.0, 1.0), 0.f);
}

TEST(IntroSimilarity, FeaturesCliAddsTheFusedColumnsAndRejectsALoneEpisode) {
    test::TempDir dir;
    const auto out = dir / "ep2.csv";
    const auto r = test::run_vidseg("features " + test::shell_quote(series_dir() / "ep2.mp4") + " --out " +
                                    test::shell_quote(out) + " --no-visual --series-dir " +
                                    test::shell_quote(series_dir()) +
                                    " --series-audio-only --no-intro-cache -q");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto m = features::read_features(out);
    const auto a = features::column_index(m.spec, features::kIntroSimilarityAudio);
    const auto v = features::column_index(m.spec, features::kIntroSimilarityVisual);
    ASSERT_TRUE(a && v);
    std::vector<float> audio;
    for (std::size_t row = 0; row < m.rows(); ++row) {
        audio.push_back(m.at(row, *a));
        EXPECT_EQ(m.at(row, *v), 0.f) << "sound only: no visual profile";
    }
    EXPECT_GE(mean_over(audio, 9, 13), 0.6f);  // ep2's intro: 8-14 s
    EXPECT_LE(max_over(audio, 17, audio.size()), 0.3f);

    // --no-audio --no-visual: the two columns alone, same grid and values.
    const auto only = dir / "only.csv";
    const auto r2 = test::run_vidseg("features " + test::shell_quote(series_dir() / "ep2.mp4") + " --out " +
                                     test::shell_quote(only) + " --no-audio --no-visual --series-dir " +
                                     test::shell_quote(series_dir()) + " --series-audio-only --no-intro-cache -q");
    ASSERT_EQ(r2.exit_code, 0) << r2.err;
    const auto o = features::read_features(only);
    ASSERT_EQ(o.spec.columns, (std::vector<std::string>{features::kIntroSimilarityAudio, features::kIntroSimilarityVisual}));
    ASSERT_EQ(o.rows(), m.rows());
    for (std::size_t row = 0; row < o.rows(); ++row) EXPECT_NEAR(o.at(row, 0), audio[row], 1e-5) << "row " << row;

    // A season folder with nothing but the video itself: a clear error, nothing written.
    fs::create_directories(dir / "alone");
    fs::copy_file(series_dir() / "ep1.mp4", dir / "alone" / "ep1.mp4");
    const auto lone = test::run_vidseg("features " + test::shell_quote(dir / "alone" / "ep1.mp4") + " --out " +
                                       test::shell_quote(dir / "lone.csv") + " --no-visual --series-dir " +
                                       test::shell_quote(dir / "alone") + " --no-intro-cache -q");
    EXPECT_EQ(lone.exit_code, 2) << lone.err;
    EXPECT_NE(lone.err.find("no other episode"), std::string::npos) << lone.err;
    EXPECT_FALSE(fs::exists(dir / "lone.csv"));
    const auto missing = test::run_vidseg("features " + test::shell_quote(series_dir() / "ep1.mp4") + " --out " +
                                          test::shell_quote(dir / "x.csv") + " --no-visual --series-dir " +
                                          test::shell_quote(dir / "nowhere") + " -q");
    EXPECT_EQ(missing.exit_code, 3) << missing.err;
}

TEST(IntroSimilarity, VisualProfileFindsPicturesSharedAcrossTheSeason) {
    // intro_visual: the intro is shared by pictures (truth.json: ep1 3-9 s, ep2 8-14, ep3 0-6, ep4 12-18).
    std::vector<intro::EpisodeFingerprints> season;
    for (int e = 1; e <= 4; ++e)
        season.push_back(intro::fingerprint_episode((visual_dir() / ("ep" + std::to_string(e) + ".mp4")).string()));
    const auto profiles = intro::similarity_profiles(season);
    const std::pair<std::size_t, std::size_t> intro[4] = {{3, 9}, {8, 14}, {0, 6}, {12, 18}};
    for (std::size_t e = 0; e < 4; ++e) {
        EXPECT_EQ(profiles[e].visual_partners, 3);
        EXPECT_GE(mean_over(profiles[e].visual, intro[e].first + 1, intro[e].second - 1), 0.6f) << "episode " << e + 1;
        EXPECT_LE(max_over(profiles[e].visual, intro[e].second + 3, profiles[e].visual.size()), 0.3f)
            << "episode " << e + 1;
    }
}

TEST(IntroSimilarity, PredictWithAFusedModelComparesRawEpisodesWithTheirSeason) {
    // Train a fused intro model on the profile columns of the generated series, then predict on the
    // raw videos: predict must compute the profile itself, against each video's own folder.
    test::TempDir dir;
    fs::create_directories(dir / "feats");
    for (int e = 1; e <= 5; ++e) {
        const std::string ep = "ep" + std::to_string(e);
        const auto r = test::run_vidseg("features " + test::shell_quote(series_dir() / (ep + ".mp4")) + " --out " +
                                        test::shell_quote(dir / "feats" / (ep + ".npy")) +
                                        " --no-audio --no-visual --series-dir " + test::shell_quote(series_dir()) +
                                        " --series-audio-only --no-intro-cache -q");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    const auto model = dir / "fused.model";
    const auto t = test::run_vidseg("train --task intro --data " + test::shell_quote(series_dir() / "truth.json") +
                                    " --features " + test::shell_quote(dir / "feats") + " --arch linear --out " +
                                    test::shell_quote(model) + " -q");
    ASSERT_EQ(t.exit_code, 0) << t.err;
    std::string episodes;
    for (int e = 1; e <= 5; ++e) episodes += " " + test::shell_quote(series_dir() / ("ep" + std::to_string(e) + ".mp4"));
    const auto preds = dir / "predictions.json";
    const auto p = test::run_vidseg("predict --model " + test::shell_quote(model) + episodes +
                                    " --series-audio-only --no-intro-cache --min-length 1 --predictions " +
                                    test::shell_quote(preds) + " -q");
    ASSERT_EQ(p.exit_code, 0) << p.err;
    const auto got = nlohmann::json::parse(test::read_text(preds));
    const double truth[4][2] = {{3, 9}, {8, 14}, {0, 6}, {12, 18}};
    for (int e = 0; e < 4; ++e) {
        const auto& v = got.at("ep" + std::to_string(e + 1));
        ASSERT_EQ(v.size(), 2u) << v.dump();
        EXPECT_NEAR(v[0].get<double>(), truth[e][0], 1.5) << "ep" << e + 1;
        EXPECT_NEAR(v[1].get<double>(), truth[e][1], 1.5) << "ep" << e + 1;
    }
    const auto& none = got.at("ep5");
    EXPECT_TRUE(none.empty() || (none.size() == 2 && none[0] == none[1])) << none.dump();

    // An explicit season folder that does not exist: the item fails with its own exit code (missing input).
    const auto bad = test::run_vidseg("predict --model " + test::shell_quote(model) + " " +
                                      test::shell_quote(series_dir() / "ep1.mp4") + " --series-dir " +
                                      test::shell_quote(dir / "nowhere") + " --no-intro-cache -q");
    EXPECT_EQ(bad.exit_code, 3) << bad.err;
}

// The fused pass over the doubtful episodes and a few references (picture_references.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vidseg/intro/picture_references.hpp"

using namespace vidseg;
using namespace vidseg::intro;
using timeline::Interval;

namespace {

IntroDetection found(int variant) {
    IntroDetection d;
    d.intro = Interval{10, 30};
    d.confirmations = 3;
    d.variant = variant;
    return d;
}

}  // namespace

TEST(IntroPictureReferences, DoubtfulEpisodesAndSixSpreadReferencesPerVariant) {
    // 20 episodes: 0-13 variant 0, 14-17 variant 1, 18-19 doubtful (whole span).
    std::vector<IntroDetection> pass;
    std::vector<std::vector<Interval>> windows;
    for (int i = 0; i < 20; ++i) {
        pass.push_back(i < 18 ? found(i < 14 ? 0 : 1) : IntroDetection{});
        windows.push_back(i < 18 ? std::vector<Interval>{{7.5, 32.5}} : std::vector<Interval>{});
    }
    const std::vector<std::size_t> want{0, 2, 5, 7, 10, 13, 14, 15, 16, 17, 18, 19};
    EXPECT_EQ(picture_pass_episodes(pass, windows), want);
    // Recurring audio anywhere: every episode's pictures (the season's structure needs them).
    pass[3].recurring_audio.push_back(RecurringAudio{});
    EXPECT_EQ(picture_pass_episodes(pass, windows).size(), 20u);
    pass[3].recurring_audio.clear();
    // Nothing doubtful: all of them (windows empty everywhere, the whole pass as before).
    for (auto& w : windows) w.clear();
    EXPECT_EQ(picture_pass_episodes(pass, windows).size(), 20u);
}

TEST(IntroPictureReferences, TheDoubtfulTakeTheFusedDetectionAndJoinTheirReferencesSeries) {
    // Audio pass: episodes 0-3 one series, 4 alone (doubtful). Fused pass over {1, 3, 4}: 4 found by pictures.
    SeriesDetection audio;
    for (int i = 0; i < 5; ++i) {
        audio.detections.push_back(i < 4 ? found(0) : IntroDetection{});
        audio.detections.back().no_video = true;  // the audio pass decodes no pictures
        audio.episodes.push_back({"ep" + std::to_string(i), {}, "", 0});
        audio.reasons.push_back(i < 4 ? "" : "shares no audio");
    }
    audio.series = {{0, 1, 2, 3}};
    audio.series_of = {0, 0, 0, 0, -1};
    std::vector<std::vector<Interval>> windows(5, std::vector<Interval>{{7.5, 32.5}});
    windows[4].clear();
    SeriesDetection fused;
    for (int i = 0; i < 3; ++i) fused.detections.push_back(found(0));
    fused.detections[0].confidence = 0.5;  // a reference's fused detection is not taken
    fused.detections[2].intro = Interval{40, 60};
    fused.detections[2].matches.push_back(IntroMatch{});
    fused.detections[2].matches[0].partner = 1;  // index 1 of the fused pass = episode 3
    fused.episodes.resize(3);
    fused.episodes[2].path = "ep4 with pictures";
    fused.reasons = {"", "", ""};
    fused.series = {{0, 1, 2}};
    fused.series_of = {0, 0, 0};
    const auto merged = merge_picture_pass(std::move(audio), {1, 3, 4}, std::move(fused), windows);
    ASSERT_TRUE(merged.detections[4].intro);
    EXPECT_DOUBLE_EQ(merged.detections[4].intro->start, 40);
    ASSERT_EQ(merged.detections[4].matches.size(), 1u);
    EXPECT_EQ(merged.detections[4].matches[0].partner, 3u);
    EXPECT_EQ(merged.reasons[4], "");
    EXPECT_EQ(merged.episodes[4].path, "ep4 with pictures");
    EXPECT_EQ(merged.series_of[4], 0);
    EXPECT_EQ(merged.series, (std::vector<std::vector<std::size_t>>{{0, 1, 2, 3, 4}}));
    EXPECT_DOUBLE_EQ(merged.detections[1].confidence, 0);  // the audio pass's (default), not the fused 0.5
    EXPECT_FALSE(merged.detections[0].no_video);
}

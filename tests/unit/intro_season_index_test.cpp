// One index of a season's audio sub-fingerprints (issue 16 §1, season_audio_index.hpp): the candidate
// offsets and alignments of every pair equal those of the per-pair index, in either order; pairs that
// share nothing get no candidates; quiet items are not indexed.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/offset_candidates.hpp"
#include "vidseg/intro/pair_alignments.hpp"
#include "vidseg/intro/season_audio_index.hpp"

namespace intro = vidseg::intro;

namespace {

uint32_t xorshift(uint32_t& x) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    return x;
}

intro::AudioFingerprint episode(std::size_t n, uint32_t seed) {
    intro::AudioFingerprint fp;
    fp.item_span = 2.6;
    uint32_t x = seed * 2654435761u + 7;
    fp.items.resize(n);
    for (auto& v : fp.items) v = xorshift(x);
    fp.duration = double(n) * fp.item_period;
    return fp;
}

// The theme (items) placed at `at` with `bits` random bits flipped per item.
void put(const std::vector<uint32_t>& theme, intro::AudioFingerprint& fp, std::size_t at, int bits, uint32_t seed) {
    uint32_t x = seed + 11;
    for (std::size_t k = 0; k < theme.size(); ++k) {
        uint32_t v = theme[k];
        for (int b = 0; b < bits; ++b) v ^= 1u << (xorshift(x) % 32);
        fp.items[at + k] = v;
    }
}

intro::AudioFingerprint masked(const intro::AudioFingerprint& fp, uint32_t poison) {
    auto out = fp;
    for (std::size_t i = 0; i < out.items.size(); ++i)
        if (fp.quiet(i)) out.items[i] = poison;
    out.levels.clear();
    return out;
}

}  // namespace

TEST(IntroSeasonIndex, EveryPairsCandidatesAndRunsAreThoseOfThePerPairIndex) {
    const auto theme = episode(160, 99).items;  // a 20-s intro
    std::vector<intro::AudioFingerprint> season;
    for (uint32_t e = 0; e < 6; ++e) {
        auto fp = episode(3000 + 37 * e, e + 1);
        if (e != 4) put(theme, fp, 100 + 211 * e, 2, e);  // episode 4 has no intro
        if (e == 2) {
            fp.levels.assign(fp.items.size(), 200);
            for (std::size_t i = 1500; i < 1900; ++i) fp.levels[i] = 0;  // a quiet stretch
        }
        season.push_back(std::move(fp));
    }
    std::vector<const intro::AudioFingerprint*> audio;
    for (const auto& fp : season) audio.push_back(&fp);
    const intro::SeasonAudioIndex index(audio);
    EXPECT_EQ(index.episodes(), 6u);
    intro::AlignmentOptions forced;
    forced.indexed_scan_min = 0;  // the per-pair index on these windows too
    for (std::size_t i = 0; i < season.size(); ++i)
        for (std::size_t j = 0; j < season.size(); ++j) {
            if (i == j) continue;
            ASSERT_TRUE(index.covers(season[i], season[j]));
            const auto a = masked(season[i], 0u), b = masked(season[j], ~0u);
            const auto expected = intro::candidate_offset_ranges(a.items.data(), long(a.items.size()), b.items.data(),
                                                                 long(b.items.size()), 0u, ~0u);
            const auto got = index.ranges(season[i], season[j]);
            EXPECT_EQ(got, expected) << i << "," << j;
            const auto per_pair = intro::align_episodes(season[i], season[j], forced);
            const auto indexed = intro::align_episodes_at(season[i], season[j], forced, got);
            ASSERT_EQ(indexed.size(), per_pair.size()) << i << "," << j;
            for (std::size_t k = 0; k < indexed.size(); ++k) {
                EXPECT_EQ(indexed[k].a.start, per_pair[k].a.start);
                EXPECT_EQ(indexed[k].a.end, per_pair[k].a.end);
                EXPECT_EQ(indexed[k].offset, per_pair[k].offset);
                EXPECT_EQ(indexed[k].matched_items, per_pair[k].matched_items);
            }
            const bool both_have_intro = i != 4 && j != 4;
            EXPECT_EQ(!per_pair.empty(), both_have_intro) << i << "," << j;
        }
}

TEST(IntroSeasonIndex, PairAlignmentsUseTheSeasonIndexForLongWindowsOnly) {
    const auto theme = episode(160, 5).items;
    auto a = episode(3000, 1), b = episode(3100, 2);
    put(theme, a, 400, 1, 1);
    put(theme, b, 900, 1, 2);
    const std::vector<const intro::AudioFingerprint*> audio{&a, &b};
    intro::AlignmentOptions options;
    options.indexed_scan_min = 1e6;  // 3000 x 3100 items: indexed
    intro::PairAlignments memo(options, {});
    memo.index_season(audio);
    const auto& runs = memo.audio(a, b);
    const auto direct = intro::align_episodes(a, b, options);
    ASSERT_EQ(runs.size(), direct.size());
    ASSERT_FALSE(runs.empty());
    EXPECT_EQ(runs[0].offset, direct[0].offset);
    EXPECT_NEAR(runs[0].offset, (400.0 - 900.0) * a.item_period, 1e-9);
}

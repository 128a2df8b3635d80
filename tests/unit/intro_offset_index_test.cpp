// The half-key index of long audio fingerprints (issue 16 §1, offset_candidates.hpp): it nominates the
// offsets where shared audio lies — so align_episodes on long windows finds the same runs as the
// exhaustive all-offset scan — while scoring a small share of all offsets on unrelated audio.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/offset_candidates.hpp"

namespace intro = vidseg::intro;

namespace {

struct Rng {
    uint32_t x;
    uint32_t next() {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift32
        return x;
    }
};

std::vector<uint32_t> random_items(std::size_t n, uint32_t seed) {
    Rng r{seed * 2654435761u + 1};
    std::vector<uint32_t> out(n);
    for (auto& v : out) v = r.next();
    return out;
}

// Copies `count` items of `from` (at from_at) into `to` (at to_at) with `bits` random bits flipped in
// each: the same audio fingerprinted at another sample phase.
void share(const std::vector<uint32_t>& from, std::size_t from_at, std::vector<uint32_t>& to, std::size_t to_at,
           std::size_t count, int bits, uint32_t seed) {
    Rng r{seed};
    for (std::size_t k = 0; k < count; ++k) {
        uint32_t v = from[from_at + k];
        for (int b = 0; b < bits; ++b) v ^= 1u << (r.next() % 32);
        to[to_at + k] = v;
    }
}

intro::AudioFingerprint fingerprint(std::vector<uint32_t> items) {
    intro::AudioFingerprint fp;
    fp.item_span = 2.6;
    fp.items = std::move(items);
    fp.duration = double(fp.items.size()) * fp.item_period;
    return fp;
}

std::size_t offsets_in(const std::vector<std::pair<long, long>>& ranges) {
    std::size_t n = 0;
    for (const auto& [first, last] : ranges) n += std::size_t(last - first);
    return n;
}

}  // namespace

TEST(IntroOffsetIndex, LongWindowsGiveTheRunsOfTheExhaustiveScan) {
    // Two 15-minute windows (7270 items) sharing a 40-s intro (323 items, 2 bits flipped per item), a
    // 2-s sting (16 items, 1 bit) and a 6-s cue (48 items, 3 bits) at other offsets.
    auto a = random_items(7270, 1), b = random_items(7270, 2);
    share(a, 1200, b, 300, 323, 2, 11);
    share(a, 5000, b, 6100, 16, 1, 12);
    share(a, 3000, b, 2000, 48, 3, 13);
    intro::AlignmentOptions exhaustive, indexed;
    exhaustive.indexed_scan_min = 1e300;
    indexed.indexed_scan_min = 0;
    const auto fa = fingerprint(a), fb = fingerprint(b);
    const auto want = intro::align_episodes(fa, fb, exhaustive);
    const auto got = intro::align_episodes(fa, fb, indexed);
    ASSERT_EQ(want.size(), 3u);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_DOUBLE_EQ(got[k].offset, want[k].offset) << k;
        EXPECT_DOUBLE_EQ(got[k].a.start, want[k].a.start) << k;
        EXPECT_DOUBLE_EQ(got[k].a.end, want[k].a.end) << k;
        EXPECT_EQ(got[k].matched_items, want[k].matched_items) << k;
    }
    // The default switches to the index on windows this long.
    EXPECT_LT(intro::AlignmentOptions{}.indexed_scan_min, 7270.0 * 7270.0);
}

TEST(IntroOffsetIndex, NominatesTheSharedOffsetsAndFewOthers) {
    auto a = random_items(7270, 3), b = random_items(7270, 4);
    share(a, 2000, b, 500, 160, 2, 21);  // offset 1500
    const auto ranges = intro::candidate_offset_ranges(a.data(), long(a.size()), b.data(), long(b.size()), 0u, ~0u);
    bool found = false;
    for (std::size_t k = 0; k < ranges.size(); ++k) {
        EXPECT_LT(ranges[k].first, ranges[k].second);
        if (k > 0) EXPECT_GT(ranges[k].first, ranges[k - 1].second);  // sorted, disjoint
        found = found || (ranges[k].first <= 1499 && ranges[k].second >= 1502);  // 1500 and its neighbours
    }
    EXPECT_TRUE(found);
    // Unrelated items collide on a 16-bit half about |a| |b| / 32768 times over 14539 offsets: few
    // offsets reach three votes within +-2.
    EXPECT_LT(offsets_in(ranges), (a.size() + b.size()) / 10) << ranges.size() << " ranges";
}

TEST(IntroOffsetIndex, MaskedItemsAndSteadyTonesCastNoVotes) {
    // Quiet items masked (0 in a, ~0 in b) and a steady tone (one value repeated in both) never nominate.
    std::vector<uint32_t> a(3000, 0u), b(3000, ~0u);
    EXPECT_TRUE(intro::candidate_offset_ranges(a.data(), 3000, b.data(), 3000, 0u, ~0u).empty());
    std::vector<uint32_t> tone_a(3000, 0x12345678u), tone_b(3000, 0x12345678u);
    EXPECT_TRUE(intro::candidate_offset_ranges(tone_a.data(), 3000, tone_b.data(), 3000, 0u, ~0u).empty());
    EXPECT_TRUE(intro::candidate_offset_ranges(a.data(), 0, b.data(), 3000, 0u, ~0u).empty());
}

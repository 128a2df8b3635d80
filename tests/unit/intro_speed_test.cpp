// Speed machinery of intro detection (issue 4 §7): the all-offset scan (vectorised) counts exactly
// what the definition says, pairwise alignments are computed once and shared (PairAlignments), and
// detection gives the same answer whatever the thread count.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "vidseg/intro/episode_alignment.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/pair_alignments.hpp"

namespace intro = vidseg::intro;

namespace {

std::vector<uint32_t> random_items(std::size_t n, uint32_t seed) {
    std::vector<uint32_t> out;
    uint32_t x = seed * 2654435761u + 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift32
        out.push_back(x);
    }
    return out;
}

intro::AudioFingerprint fingerprint(std::vector<uint32_t> items) {
    intro::AudioFingerprint fp;
    fp.item_span = 2.6;
    fp.items = std::move(items);
    fp.duration = double(fp.items.size()) * fp.item_period;
    return fp;
}

// A season of synthetic fingerprints: every episode shares a 30-s "intro" (240 items, a few bits
// flipped per episode) at its own position inside otherwise unrelated audio.
std::vector<intro::EpisodeFingerprints> season(std::size_t episodes) {
    const auto theme = random_items(240, 99);
    std::vector<intro::EpisodeFingerprints> out;
    for (std::size_t e = 0; e < episodes; ++e) {
        auto items = random_items(2000, uint32_t(10 + e));
        const std::size_t at = 100 + 150 * e;
        for (std::size_t k = 0; k < theme.size(); ++k) items[at + k] = theme[k] ^ (1u << ((k + e) % 32));
        intro::EpisodeFingerprints fp;
        fp.audio = fingerprint(std::move(items));
        fp.has_audio = true;
        fp.duration = fp.audio.duration;
        out.push_back(std::move(fp));
    }
    return out;
}

std::vector<std::string> ids(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back("ep" + std::to_string(i));
    return out;
}

}  // namespace

TEST(IntroSpeed, OffsetScanCountsExactlyAtEveryLengthAndThreshold) {
    // Lengths around the 16-lane vector width exercise the masked tails; items with 0..10 flipped bits
    // sit on both sides of every threshold.
    for (std::size_t na : {1u, 5u, 15u, 16u, 17u, 33u, 100u}) {
        for (std::size_t nb : {1u, 7u, 16u, 31u, 64u}) {
            auto a = random_items(na, uint32_t(na * 7 + nb));
            auto b = random_items(nb, uint32_t(nb * 13 + na));
            for (std::size_t j = 0; j < nb && j < na; ++j) b[j] = a[j] ^ ((1u << (j % 11)) - 1);  // j % 11 bits
            for (int max_errors : {0, 3, 6, 32}) {
                const auto agree = intro::agreement_by_offset(a, b, max_errors);
                ASSERT_EQ(agree.size(), na + nb - 1);
                for (long d = -long(nb - 1); d < long(na); ++d) {
                    int expected = 0;
                    for (long i = 0; i < long(na); ++i)
                        if (i - d >= 0 && i - d < long(nb))
                            expected += __builtin_popcount(a[std::size_t(i)] ^ b[std::size_t(i - d)]) <= max_errors;
                    ASSERT_EQ(agree[std::size_t(d + long(nb) - 1)], expected)
                        << "na " << na << " nb " << nb << " offset " << d << " max " << max_errors;
                }
            }
        }
    }
    EXPECT_TRUE(intro::agreement_by_offset({}, {1u}, 6).empty());
}

TEST(IntroSpeed, PairAlignmentsComputeEachPairOnceAndMatchTheDirectAlignment) {
    const auto eps = season(2);
    intro::IntroDetectOptions options;
    intro::PairAlignments memo(options);
    const auto& first = memo.audio(eps[0].audio, eps[1].audio);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(memo.computed(), 1u);
    // A copy of the same fingerprints (what series grouping hands to detection) is the same entry.
    const intro::AudioFingerprint copy_a = eps[0].audio, copy_b = eps[1].audio;
    const auto& again = memo.audio(copy_a, copy_b);
    EXPECT_EQ(&again, &first);
    EXPECT_EQ(memo.computed(), 1u);
    EXPECT_EQ(memo.reused(), 1u);
    // The result is align_episodes' with the detection's options.
    intro::AlignmentOptions align = options.alignment;
    align.min_length = options.min_length;
    const auto direct = intro::align_episodes(eps[0].audio, eps[1].audio, align);
    ASSERT_EQ(direct.size(), 1u);
    EXPECT_DOUBLE_EQ(first[0].offset, direct[0].offset);
    EXPECT_DOUBLE_EQ(first[0].a.start, direct[0].a.start);
    EXPECT_DOUBLE_EQ(first[0].a.end, direct[0].a.end);
    // Other content (one item changed) is another entry.
    auto changed = copy_b;
    changed.items[5] ^= 1u;
    memo.audio(copy_a, changed);
    EXPECT_EQ(memo.computed(), 2u);
    EXPECT_NE(intro::content_key(copy_b), intro::content_key(changed));
}

TEST(IntroSpeed, DetectionIsTheSameOnAnyThreadCountAndReusesTheMemo) {
    const std::size_t n = 5;
    const auto eps = season(n);
    intro::IntroDetectOptions one;
    one.threads = 1;
    intro::IntroDetectOptions many = one;
    many.threads = 4;
    const auto serial = intro::detect_intros_from_fingerprints(ids(n), eps, one);
    const auto parallel = intro::detect_intros_from_fingerprints(ids(n), eps, many);
    // Series grouping aligned every pair already: detection then scans nothing again.
    intro::PairAlignments memo(many);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) memo.audio(eps[i].audio, eps[j].audio);
    ASSERT_EQ(memo.computed(), n * (n - 1) / 2);
    const auto shared = intro::detect_intros_from_fingerprints(ids(n), eps, many, nullptr, &memo);
    EXPECT_EQ(memo.computed(), n * (n - 1) / 2);
    EXPECT_EQ(memo.reused(), n * (n - 1) / 2);
    ASSERT_EQ(serial.size(), n);
    for (std::size_t e = 0; e < n; ++e) {
        ASSERT_TRUE(serial[e].intro) << e;
        // 240 items of ~0.124 s at 100 + 150 e items.
        EXPECT_NEAR(serial[e].intro->start, double(100 + 150 * e) * eps[e].audio.item_period, 1.0) << e;
        EXPECT_EQ(serial[e].confirmations, int(n - 1)) << e;
        for (const auto* other : {&parallel, &shared}) {
            ASSERT_TRUE((*other)[e].intro) << e;
            EXPECT_DOUBLE_EQ((*other)[e].intro->start, serial[e].intro->start);
            EXPECT_DOUBLE_EQ((*other)[e].intro->end, serial[e].intro->end);
            EXPECT_EQ((*other)[e].confirmations, serial[e].confirmations);
            EXPECT_EQ((*other)[e].variant, serial[e].variant);
        }
    }
}

TEST(IntroSpeed, EpisodesAtOnceFollowTheThreadCount) {
    EXPECT_GE(intro::resolve_threads(0), 1);
    EXPECT_EQ(intro::resolve_threads(3), 3);
    EXPECT_EQ(intro::episodes_at_once(2, 5), 2u);
    EXPECT_EQ(intro::episodes_at_once(8, 3), 3u);
    EXPECT_EQ(intro::episodes_at_once(1, 3), 1u);
    EXPECT_EQ(intro::episodes_at_once(4, 0), 1u);
    EXPECT_EQ(intro::episodes_at_once(0, 64), std::size_t(intro::resolve_threads(0)));
}

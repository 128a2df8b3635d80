// Issue 16 §1: the refinement's lag search by FFT returns the direct search's lag and score.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "vidseg/intro/lag_search.hpp"

using namespace vidseg::intro;

namespace {

std::vector<float> noise(std::size_t n, unsigned seed, float amplitude = 0.3f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.f, amplitude);
    std::vector<float> out(n);
    for (auto& v : out) v = d(rng);
    return out;
}

void expect_same(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib0, long len, long max_lag) {
    const LagScore direct = best_lag_direct(a, ia, b, ib0, len, max_lag);
    const LagScore fft = best_lag_fft(a, ia, b, ib0, len, max_lag);
    EXPECT_EQ(fft.lag, direct.lag) << "ia " << ia << " ib0 " << ib0 << " len " << len;
    EXPECT_EQ(fft.score, direct.score) << "ia " << ia << " ib0 " << ib0 << " len " << len;
}

}  // namespace

TEST(IntroLagSearch, FftFindsTheDirectSearchsLagOnASharedSegment) {
    // b holds a's segment 123 samples later, under its own noise.
    const auto shared = noise(6000, 1);
    std::vector<float> a = noise(12000, 2, 0.05f), b = noise(12000, 3, 0.05f);
    for (std::size_t k = 0; k < shared.size(); ++k) a[3000 + k] += shared[k], b[3123 + k] += shared[k];
    const LagScore direct = best_lag_direct(a, 4000, b, 4000, 2000, 1100);
    EXPECT_EQ(direct.lag, 123);
    EXPECT_GT(direct.score, 0.9);
    expect_same(a, 4000, b, 4000, 2000, 1100);
    // Negative lags, lags reaching past either end of b (scored 0), odd sizes.
    expect_same(a, 4000, b, 4300, 2000, 1100);
    expect_same(a, 4000, b, 500, 2001, 1100);
    expect_same(a, 3000, b, 11000, 999, 700);
}

TEST(IntroLagSearch, FftEqualsDirectOnPeriodicSilentAndUnrelatedSignals) {
    // A pure tone: many lags score almost alike (near-ties decided as the direct search does).
    std::vector<float> tone(9000), tone2(9000);
    for (std::size_t k = 0; k < tone.size(); ++k) {
        tone[k] = float(0.5 * std::sin(0.05 * double(k)));
        tone2[k] = float(0.5 * std::sin(0.05 * double(k) + 0.3));
    }
    expect_same(tone, 3000, tone2, 3000, 2500, 1000);
    // Silence in b (every lag scores 0: the first lag wins) and unrelated noise.
    const std::vector<float> silent(9000, 0.f);
    expect_same(tone, 3000, silent, 3000, 2500, 1000);
    EXPECT_EQ(best_lag_fft(tone, 3000, silent, 3000, 2500, 1000).lag, -1000);
    expect_same(noise(9000, 7), 3000, noise(9000, 8), 3000, 2500, 1000);
    // Many random placements of a shared segment.
    for (unsigned seed = 10; seed < 30; ++seed) {
        std::mt19937 rng(seed);
        const long shift = long(rng() % 1600) - 800;
        const auto shared = noise(5000, seed);
        std::vector<float> a = noise(11000, seed + 100, 0.1f), b = noise(11000, seed + 200, 0.1f);
        for (std::size_t k = 0; k < shared.size(); ++k) a[3000 + k] += shared[k], b[std::size_t(3000 + shift) + k] += shared[k];
        const LagScore direct = best_lag_direct(a, 4000, b, 4000, 2757, 1102);
        EXPECT_EQ(direct.lag, shift) << seed;
        expect_same(a, 4000, b, 4000, 2757, 1102);
    }
}

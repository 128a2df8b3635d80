// The chain CRF over utterance margins (text/chain_crf.hpp): forward-backward marginals equal the brute-force
// sums over every labelling, the fit reaches the maximum of its objective and finds the transitions of
// sequences whose patterns come in runs, a model file's CRF is checked.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/text/chain_crf.hpp"

using vidseg::text::ChainCrf;

namespace {

// Unnormalised score of one labelling.
double score(const ChainCrf& c, const std::vector<double>& z, unsigned labelling) {
    double s = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        const bool y = (labelling >> i) & 1u;
        if (y) s += c.a * z[i] + c.b;
        if (i > 0) {
            const bool prev = (labelling >> (i - 1)) & 1u;
            s += prev ? (y ? c.t11 : c.t10) : (y ? c.t01 : 0.0);
        }
    }
    return s;
}

}  // namespace

TEST(TextChainCrf, MarginalsEqualTheSumsOverEveryLabelling) {
    const ChainCrf c{0.8, -0.3, -1.1, 0.4, 1.7};
    const std::vector<double> z = {1.5, -2.0, 0.3, 0.9, -0.4};
    double total = 0;
    std::vector<double> p1(z.size(), 0.0);
    for (unsigned l = 0; l < (1u << z.size()); ++l) {
        const double w = std::exp(score(c, z, l));
        total += w;
        for (std::size_t i = 0; i < z.size(); ++i)
            if ((l >> i) & 1u) p1[i] += w;
    }
    const auto got = c.marginals(z);
    ASSERT_EQ(got.size(), z.size());
    for (std::size_t i = 0; i < z.size(); ++i) EXPECT_NEAR(got[i], p1[i] / total, 1e-12) << i;
    // The likelihood of one labelling of one sequence, also by brute force.
    const unsigned truth = 0b01011;
    std::vector<std::uint8_t> y(z.size());
    for (std::size_t i = 0; i < z.size(); ++i) y[i] = (truth >> i) & 1u;
    const double penalty = 0.5 * 1e-3 * (c.t01 * c.t01 + c.t10 * c.t10 + c.t11 * c.t11);
    EXPECT_NEAR(c.log_likelihood({z}, {y}), (score(c, z, truth) - std::log(total)) / double(z.size()) - penalty, 1e-12);
    EXPECT_TRUE(c.marginals({}).empty());
}

TEST(TextChainCrf, FitFindsRunsAndReachesTheMaximum) {
    // Labels in runs (stay with probability 0.9), margins weakly informative: z = 1.5 (2y - 1) + noise.
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0.0, 1.5);
    std::bernoulli_distribution stay(0.9);
    std::vector<std::vector<double>> z(40);
    std::vector<std::vector<std::uint8_t>> y(40);
    for (std::size_t k = 0; k < z.size(); ++k) {
        std::uint8_t state = 0;
        for (int i = 0; i < 100; ++i) {
            if (!stay(rng)) state = 1 - state;
            y[k].push_back(state);
            z[k].push_back(1.5 * (2.0 * state - 1.0) + noise(rng));
        }
    }
    const auto c = ChainCrf::fit(z, y);
    // The generating model: log-odds of the margin 2 * 1.5 / 1.5^2 z = 1.33 z; staying 0.9 in either state.
    // Shifting every transition into (or out of) state 1 is the same as moving b, so what the data fix is
    // t11 - t10 - t01 (+ t00 = 0) = 2 ln 9 = 4.39 (0 for labels without runs).
    EXPECT_NEAR(c.a, 4.0 / 3.0, 0.25) << c.a;
    EXPECT_NEAR(c.t11 - c.t10 - c.t01, 2 * std::log(9.0), 0.5) << c.t11 << " " << c.t10 << " " << c.t01;
    // A maximum: no parameter moved either way improves the objective.
    const double best = c.log_likelihood(z, y);
    EXPECT_GT(best, ChainCrf{}.log_likelihood(z, y) + 0.1);
    for (double ChainCrf::*field : {&ChainCrf::a, &ChainCrf::b, &ChainCrf::t01, &ChainCrf::t10, &ChainCrf::t11})
        for (const double d : {-1e-2, 1e-2}) {
            ChainCrf moved = c;
            moved.*field += d;
            EXPECT_LE(moved.log_likelihood(z, y), best + 1e-9);
        }
    // The marginals use the runs: an utterance with a weak margin inside a run of the pattern scores higher
    // than the margin alone says.
    std::vector<double> run(9, 2.0);
    run[4] = -0.2;
    EXPECT_GT(c.marginals(run)[4], 1.0 / (1.0 + std::exp(-(c.a * -0.2 + c.b))));
    EXPECT_GT(c.marginals(run)[4], 0.5);
}

TEST(TextChainCrf, JsonRoundTripsAndRejectsBadValues) {
    const ChainCrf c{0.8, -0.3, -1.1, 0.4, 1.7};
    const auto back = ChainCrf::from_json(c.to_json(), "m");
    EXPECT_EQ(back.a, 0.8);
    EXPECT_EQ(back.t11, 1.7);
    auto bad = c.to_json();
    bad["t10"] = "x";
    EXPECT_THROW(ChainCrf::from_json(bad, "m"), vidseg::Error);
    bad = c.to_json();
    bad.erase("b");
    EXPECT_THROW(ChainCrf::from_json(bad, "m"), vidseg::Error);
    EXPECT_THROW(ChainCrf::fit({{1.0, 2.0}}, {{1}}), vidseg::Error);
}

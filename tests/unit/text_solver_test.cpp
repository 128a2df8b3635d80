// The text model's solvers (text/dual_coordinate_descent.hpp, text/platt_scaling.hpp): checked by the
// optimality conditions of the problems they solve, which hold whatever the solver, and against the
// plain SGD that stops short of them. tests/python/test_text_logistic.py compares with scikit-learn.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/text/platt_scaling.hpp"
#include "vidseg/text/sparse_logistic.hpp"

using namespace vidseg;
using text::SparseRow;

namespace {

struct Problem {
    std::vector<SparseRow> rows;
    std::vector<std::uint8_t> targets;  // rows x 2
    std::uint32_t width = 12;
};

// Two labels over 12 columns: label 0 follows columns 0-2 with noise (frequent), label 1 is rare (~8 %).
Problem make_problem(int rows = 300) {
    Problem p;
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < rows; ++i) {
        std::vector<std::pair<std::uint32_t, double>> pairs;
        for (std::uint32_t c = 0; c < p.width; ++c)
            if (u(rng) < 0.3) pairs.emplace_back(c, 0.2 + u(rng));
        auto row = text::sparse_from_pairs(pairs);
        text::l2_normalise(row);
        double score = -0.3;
        for (std::size_t k = 0; k < row.size(); ++k) score += row.index[k] < 3 ? row.value[k] : 0;
        p.targets.push_back(score + 0.4 * (u(rng) - 0.5) > 0);
        p.targets.push_back(u(rng) < 0.08 || (row.size() && row.index[0] == 11));
        p.rows.push_back(std::move(row));
    }
    return p;
}

// The largest entry of the primal gradient  w + sum_i C_i (sigma(y_i z_i) - 1) y_i x_i  (bias included, its
// column of value 1) at the model's weights: zero at the optimum of liblinear's objective.
double largest_gradient(const Problem& p, const text::SparseLogistic& m, std::size_t label) {
    const double n = double(p.rows.size());
    double positives = 0;
    for (std::size_t i = 0; i < p.rows.size(); ++i) positives += p.targets[i * 2 + label];
    const double cp = n / (2 * positives), cn = n / (2 * (n - positives));
    std::vector<double> g(p.width + 1);
    for (std::uint32_t c = 0; c < p.width; ++c) g[c] = m.weight(label, c);
    g[p.width] = m.bias(label);
    for (std::size_t i = 0; i < p.rows.size(); ++i) {
        const bool y = p.targets[i * 2 + label];
        const double ys = y ? 1 : -1, z = m.margins(p.rows[i])[label];
        const double coef = (y ? cp : cn) * (1 / (1 + std::exp(-ys * z)) - 1) * ys;
        for (std::size_t k = 0; k < p.rows[i].size(); ++k) g[p.rows[i].index[k]] += coef * p.rows[i].value[k];
        g[p.width] += coef;
    }
    double largest = 0;
    for (const double v : g) largest = std::max(largest, std::fabs(v));
    return largest;
}

}  // namespace

TEST(TextDualCoordinateDescent, ReachesTheOptimumOfTheBalancedL2Objective) {
    const auto p = make_problem();
    text::LogisticOptions o;
    o.dual.tolerance = 1e-6;
    o.dual.max_epochs = 2000;
    const auto m = text::SparseLogistic::train(p.rows, p.targets, 2, p.width, o);
    EXPECT_TRUE(m.converged());
    EXPECT_LT(largest_gradient(p, m, 0), 1e-3);
    EXPECT_LT(largest_gradient(p, m, 1), 1e-3);
    // Plain SGD, as the model was trained before, stops visibly off the optimum.
    o.solver = text::LogisticSolver::Sgd;
    const auto sgd = text::SparseLogistic::train(p.rows, p.targets, 2, p.width, o);
    EXPECT_GT(largest_gradient(p, sgd, 0), 0.05);
}

TEST(TextDualCoordinateDescent, SameSeedSameWeightsAndBadOptionsRejected) {
    const auto p = make_problem(120);
    const auto a = text::SparseLogistic::train(p.rows, p.targets, 2, p.width);
    const auto b = text::SparseLogistic::train(p.rows, p.targets, 2, p.width);
    for (std::uint32_t c = 0; c < p.width; ++c) EXPECT_EQ(a.weight(0, c), b.weight(0, c));
    text::LogisticOptions bad;
    bad.c = 0;
    EXPECT_THROW(text::SparseLogistic::train(p.rows, p.targets, 2, p.width, bad), Error);
    bad = {};
    bad.dual.max_epochs = 0;
    EXPECT_THROW(text::SparseLogistic::train(p.rows, p.targets, 2, p.width, bad), Error);
    EXPECT_THROW(text::SparseLogistic::train(p.rows, p.targets, 2, 5, {}), Error);  // a column beyond the width
}

TEST(TextPlattScaling, FitSatisfiesItsOptimalityConditions) {
    std::mt19937 rng(3);
    std::normal_distribution<double> normal(0, 2);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> f;
    std::vector<bool> y;
    for (int i = 0; i < 400; ++i) {
        f.push_back(normal(rng));
        y.push_back(u(rng) < 1 / (1 + std::exp(-(0.8 * f.back() - 1))));
    }
    const auto s = text::PlattScaling::fit(f, y);
    EXPECT_LT(s.a, 0);
    double prior1 = 0;
    for (const bool v : y) prior1 += v;
    const double hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (400 - prior1 + 2);
    double g1 = 0, g2 = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double d = (y[i] ? hi : lo) - s(f[i]);
        g1 += d * f[i];
        g2 += d;
    }
    EXPECT_NEAR(g1, 0, 1e-4);
    EXPECT_NEAR(g2, 0, 1e-4);
    EXPECT_NEAR(s(s.margin_of(0.3)), 0.3, 1e-12);
    EXPECT_THROW(text::PlattScaling::fit({}, {}), Error);
}

TEST(TextSparseLogistic, CalibrationIsStoredAndChecked) {
    const auto p = make_problem(120);
    auto m = text::SparseLogistic::train(p.rows, p.targets, 2, p.width);
    m.set_calibration({{-2.0, 1.0}, {-0.5, 0.25}});
    const auto z = m.margins(p.rows[3]);
    EXPECT_FLOAT_EQ(m.predict(p.rows[3])[0], float(1 / (1 + std::exp(-2.0 * z[0] + 1.0))));
    const auto back = text::SparseLogistic::from_json(m.to_json(), "m");
    EXPECT_EQ(back.predict(p.rows[3]), m.predict(p.rows[3]));
    auto doc = m.to_json();
    doc["calibration"][1]["a"] = 0.0;
    EXPECT_THROW(text::SparseLogistic::from_json(doc, "m"), Error);
    doc["calibration"] = nlohmann::json::array({{{"a", -1.0}, {"b", 0.0}}});  // one for two labels
    EXPECT_THROW(text::SparseLogistic::from_json(doc, "m"), Error);
    EXPECT_THROW(m.set_calibration({{-1.0, 0.0}}), Error);
}

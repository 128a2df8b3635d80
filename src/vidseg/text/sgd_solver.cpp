#include "vidseg/text/sgd_solver.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

}  // namespace

LogisticFit solve_sgd(const LogisticProblem& p, const SgdOptions& o) {
    if (o.epochs < 1 || !(o.alpha > 0) || !(o.eta0 > 0))
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: epochs >= 1, alpha > 0, eta0 > 0");
    const auto& rows = *p.rows;
    const auto& targets = *p.targets;
    const std::size_t labels = p.labels;
    LogisticFit fit;
    fit.weights.assign(std::size_t(p.width) * labels, 0.0);
    fit.bias.assign(labels, 0.0);
    std::vector<double> positive_weight(labels);
    for (std::size_t l = 0; l < labels; ++l) positive_weight[l] = p.c_positive[l] / p.c_negative[l];
    double scale = 1.0;  // one scale for every label's weights: the same L2 shrink for all
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    const double t0 = 1.0 / (o.alpha * o.eta0);
    double t = 0;
    std::vector<double> z(labels), step(labels);
    double* w = fit.weights.data();
    for (fit.epochs = 0; fit.epochs < o.epochs; ++fit.epochs) {
        std::shuffle(order.begin(), order.end(), rng);
        for (const std::size_t r : order) {
            const auto& row = rows[r];
            const double eta = 1.0 / (o.alpha * (t0 + t));
            t += 1;
            std::fill(z.begin(), z.end(), 0.0);
            for (std::size_t k = 0; k < row.size(); ++k) {
                const double* wc = w + std::size_t(row.index[k]) * labels;
                for (std::size_t l = 0; l < labels; ++l) z[l] += wc[l] * row.value[k];
            }
            for (std::size_t l = 0; l < labels; ++l) z[l] = fit.bias[l] + z[l] * scale;  // the margins
            scale *= 1.0 - eta * o.alpha;  // the L2 shrink of every weight at once
            if (scale < 1e-9) {            // fold the scale into the weights before it underflows
                for (auto& v : fit.weights) v *= scale;
                scale = 1.0;
            }
            for (std::size_t l = 0; l < labels; ++l) {
                const bool y = targets[r * labels + l] != 0;
                const double g = (sigmoid(z[l]) - (y ? 1.0 : 0.0)) * (y ? positive_weight[l] : 1.0);
                step[l] = eta * g / scale;
                fit.bias[l] -= eta * g * 0.01;  // the intercept learns slower (sklearn's intercept_decay)
            }
            for (std::size_t k = 0; k < row.size(); ++k) {
                double* wc = w + std::size_t(row.index[k]) * labels;
                for (std::size_t l = 0; l < labels; ++l) wc[l] -= step[l] * row.value[k];
            }
        }
    }
    for (auto& v : fit.weights) v *= scale;
    return fit;
}

}  // namespace vidseg::text

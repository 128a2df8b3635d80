#include "vidseg/text/dual_coordinate_descent.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

// The Newton iterations on one dual variable (liblinear's solve_l2r_lr_dual): minimise
//   g(z) = z log z + (C - z) log(C - z) + 0.5 a (z - z_old)^2 + sign b (z - z_old),  0 < z < C
// from z_old; returns the new z (z_old when it already was optimal within `inner_tolerance`).
struct NewtonStep {
    double z = 0;
    double gradient_at_start = 0;
    int iterations = 0;
};

NewtonStep newton_on_dual_variable(double a, double b, double sign, double z_old, double c, double inner_tolerance) {
    constexpr int kMaxInner = 100;
    constexpr double kShrink = 0.1;  // a step that would leave (0, C) moves z towards 0 by this factor instead
    NewtonStep s;
    double z = z_old;
    if (c - z < 0.5 * c) z *= 0.1;
    double gp = a * (z - z_old) + sign * b + std::log(z / (c - z));
    s.gradient_at_start = std::fabs(gp);
    while (s.iterations <= kMaxInner && std::fabs(gp) >= inner_tolerance) {
        const double gpp = a + c / (c - z) / z;
        const double next = z - gp / gpp;
        z = next <= 0 ? z * kShrink : next;
        gp = a * (z - z_old) + sign * b + std::log(z / (c - z));
        ++s.iterations;
    }
    s.z = s.iterations > 0 ? z : z_old;
    return s;
}

}  // namespace

LogisticFit solve_dual_coordinate_descent(const LogisticProblem& p, const DualCdOptions& o) {
    if (o.max_epochs < 1 || !(o.tolerance > 0))
        throw Error(ErrorCode::InvalidArgument, "dual coordinate descent: max_epochs >= 1 and tolerance > 0");
    const auto& rows = *p.rows;
    const auto& targets = *p.targets;
    const std::size_t n = rows.size(), labels = p.labels;
    const double s = p.intercept_scaling;
    LogisticFit fit;
    fit.weights.assign(std::size_t(p.width) * labels, 0.0);
    std::vector<double> bias_weight(labels, 0.0);  // the weight of the constant column s
    // alpha and C - alpha of every (row, label), both kept: C - alpha loses its digits near C otherwise.
    std::vector<double> alpha(n * labels), complement(n * labels), squared_norm(n);
    double* w = fit.weights.data();
    const auto upper = [&](std::size_t i, std::size_t l) {
        return targets[i * labels + l] ? p.c_positive[l] : p.c_negative[l];
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto& row = rows[i];
        double sq = s * s;
        for (const float v : row.value) sq += double(v) * v;
        squared_norm[i] = sq;
        for (std::size_t l = 0; l < labels; ++l) {
            const double c = upper(i, l);
            alpha[i * labels + l] = std::min(0.001 * c, 1e-8);
            complement[i * labels + l] = c - alpha[i * labels + l];
            const double y = targets[i * labels + l] ? 1.0 : -1.0, coef = y * alpha[i * labels + l];
            for (std::size_t k = 0; k < row.size(); ++k) w[std::size_t(row.index[k]) * labels + l] += coef * row.value[k];
            bias_weight[l] += coef * s;
        }
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    const double inner_min = std::min(1e-8, o.tolerance);
    std::vector<double> inner_tolerance(labels, 1e-2), largest_gradient(labels), margin(labels), change(labels);
    std::vector<std::size_t> newton_iterations(labels);
    for (fit.epochs = 0; fit.epochs < o.max_epochs;) {
        std::shuffle(order.begin(), order.end(), rng);
        std::fill(largest_gradient.begin(), largest_gradient.end(), 0.0);
        std::fill(newton_iterations.begin(), newton_iterations.end(), 0);
        for (const std::size_t i : order) {
            const auto& row = rows[i];
            for (std::size_t l = 0; l < labels; ++l) margin[l] = bias_weight[l] * s;
            for (std::size_t k = 0; k < row.size(); ++k) {
                const double* wc = w + std::size_t(row.index[k]) * labels;
                const double v = row.value[k];
                for (std::size_t l = 0; l < labels; ++l) margin[l] += wc[l] * v;
            }
            bool any = false;
            for (std::size_t l = 0; l < labels; ++l) {
                const std::size_t at = i * labels + l;
                const double y = targets[at] ? 1.0 : -1.0, c = upper(i, l);
                const double a = squared_norm[i], b = y * margin[l];
                // Minimise over alpha or over C - alpha, whichever the optimum lies nearer to 0 for:
                // the logarithm's steep end then is the one the Newton steps approach.
                double* moved = &alpha[at];
                double* other = &complement[at];
                double sign = 1;
                if (0.5 * a * (complement[at] - alpha[at]) + b < 0) {
                    std::swap(moved, other);
                    sign = -1;
                }
                const double z_old = *moved;
                const auto step = newton_on_dual_variable(a, b, sign, z_old, c, inner_tolerance[l]);
                largest_gradient[l] = std::max(largest_gradient[l], step.gradient_at_start);
                newton_iterations[l] += std::size_t(step.iterations);
                change[l] = 0;
                if (step.iterations > 0) {
                    *moved = step.z;
                    *other = c - step.z;
                    change[l] = sign * (step.z - z_old) * y;
                    any = any || change[l] != 0;
                }
            }
            if (!any) continue;
            for (std::size_t k = 0; k < row.size(); ++k) {
                double* wc = w + std::size_t(row.index[k]) * labels;
                const double v = row.value[k];
                for (std::size_t l = 0; l < labels; ++l) wc[l] += change[l] * v;
            }
            for (std::size_t l = 0; l < labels; ++l) bias_weight[l] += change[l] * s;
        }
        ++fit.epochs;
        fit.max_gradient = *std::max_element(largest_gradient.begin(), largest_gradient.end());
        if (fit.max_gradient < o.tolerance) {
            fit.converged = true;
            break;
        }
        for (std::size_t l = 0; l < labels; ++l)
            if (newton_iterations[l] <= n / 10) inner_tolerance[l] = std::max(inner_min, 0.1 * inner_tolerance[l]);
    }
    fit.bias.resize(labels);
    for (std::size_t l = 0; l < labels; ++l) fit.bias[l] = bias_weight[l] * s;
    return fit;
}

}  // namespace vidseg::text

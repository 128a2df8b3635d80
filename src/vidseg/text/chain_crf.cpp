#include "vidseg/text/chain_crf.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

constexpr double kTransitionPenalty = 1e-3;  // per utterance, on t01, t10, t11

double log_sum_exp(double x, double y) {
    const double m = std::max(x, y);
    return m + std::log(std::exp(x - m) + std::exp(y - m));
}

// Parameters as a vector for the optimiser: a, b, t01, t10, t11.
using Params = std::array<double, 5>;
ChainCrf of(const Params& p) { return {p[0], p[1], p[2], p[3], p[4]}; }

// Forward-backward of one sequence: log partition, unary marginals P(y_t = 1), pairwise marginals
// P(y_{t-1} = i, y_t = j) summed over t.
struct Posterior {
    double log_z = 0;
    std::vector<double> p1;
    std::array<std::array<double, 2>, 2> pairs{};
};

Posterior posterior(const ChainCrf& c, const std::vector<double>& z) {
    const std::size_t n = z.size();
    Posterior out;
    out.p1.assign(n, 0.0);
    if (n == 0) return out;
    const double t[2][2] = {{0.0, c.t01}, {c.t10, c.t11}};
    const auto unary = [&](std::size_t i, int s) { return s == 1 ? c.a * z[i] + c.b : 0.0; };
    std::vector<std::array<double, 2>> alpha(n), beta(n);
    alpha[0] = {unary(0, 0), unary(0, 1)};
    for (std::size_t i = 1; i < n; ++i)
        for (int s = 0; s < 2; ++s)
            alpha[i][std::size_t(s)] =
                unary(i, s) + log_sum_exp(alpha[i - 1][0] + t[0][s], alpha[i - 1][1] + t[1][s]);
    beta[n - 1] = {0.0, 0.0};
    for (std::size_t i = n - 1; i-- > 0;)
        for (int s = 0; s < 2; ++s)
            beta[i][std::size_t(s)] = log_sum_exp(t[s][0] + unary(i + 1, 0) + beta[i + 1][0],
                                                  t[s][1] + unary(i + 1, 1) + beta[i + 1][1]);
    out.log_z = log_sum_exp(alpha[n - 1][0], alpha[n - 1][1]);
    for (std::size_t i = 0; i < n; ++i) out.p1[i] = std::exp(alpha[i][1] + beta[i][1] - out.log_z);
    for (std::size_t i = 1; i < n; ++i)
        for (int r = 0; r < 2; ++r)
            for (int s = 0; s < 2; ++s)
                out.pairs[std::size_t(r)][std::size_t(s)] +=
                    std::exp(alpha[i - 1][std::size_t(r)] + t[r][s] + unary(i, s) + beta[i][std::size_t(s)] - out.log_z);
    return out;
}

// Penalised log-likelihood per utterance and its gradient.
double objective(const Params& p, const std::vector<std::vector<double>>& margins,
                 const std::vector<std::vector<std::uint8_t>>& labels, Params* gradient) {
    const ChainCrf c = of(p);
    double ll = 0, utterances = 0;
    Params g{};
    for (std::size_t k = 0; k < margins.size(); ++k) {
        const auto& z = margins[k];
        const auto& y = labels[k];
        if (z.empty()) continue;
        const auto post = posterior(c, z);
        double score = 0;
        for (std::size_t i = 0; i < z.size(); ++i) {
            if (y[i]) score += c.a * z[i] + c.b;
            if (i > 0) score += y[i - 1] ? (y[i] ? c.t11 : c.t10) : (y[i] ? c.t01 : 0.0);
            g[0] += (double(y[i]) - post.p1[i]) * z[i];
            g[1] += double(y[i]) - post.p1[i];
            if (i > 0) {
                g[2] += double(!y[i - 1] && y[i]);
                g[3] += double(y[i - 1] && !y[i]);
                g[4] += double(y[i - 1] && y[i]);
            }
        }
        g[2] -= post.pairs[0][1];
        g[3] -= post.pairs[1][0];
        g[4] -= post.pairs[1][1];
        ll += score - post.log_z;
        utterances += double(z.size());
    }
    if (utterances == 0) return 0;
    double value = ll / utterances;
    for (auto& v : g) v /= utterances;
    for (std::size_t j = 2; j < 5; ++j) {
        value -= 0.5 * kTransitionPenalty * p[j] * p[j];
        g[j] -= kTransitionPenalty * p[j];
    }
    if (gradient) *gradient = g;
    return value;
}

}  // namespace

std::vector<double> ChainCrf::marginals(const std::vector<double>& margins) const {
    return posterior(*this, margins).p1;
}

double ChainCrf::log_likelihood(const std::vector<std::vector<double>>& margins,
                                const std::vector<std::vector<std::uint8_t>>& labels) const {
    return objective({a, b, t01, t10, t11}, margins, labels, nullptr);
}

ChainCrf ChainCrf::fit(const std::vector<std::vector<double>>& margins,
                       const std::vector<std::vector<std::uint8_t>>& labels, int max_iterations) {
    if (margins.size() != labels.size())
        throw Error(ErrorCode::InvalidArgument, "chain CRF: one label sequence per margin sequence");
    for (std::size_t k = 0; k < margins.size(); ++k)
        if (margins[k].size() != labels[k].size())
            throw Error(ErrorCode::InvalidArgument, "chain CRF: a label per margin");
    // Newton's method on 5 parameters: the Hessian by forward differences of the gradient, the step
    // backtracked until the objective rises enough (Armijo); the gradient where Newton's direction is
    // not an ascent.
    Params p{1, 0, 0, 0, 0};
    Params g;
    double value = objective(p, margins, labels, &g);
    for (int it = 0; it < max_iterations; ++it) {
        constexpr double h = 1e-5;
        double hess[5][5];
        for (std::size_t j = 0; j < 5; ++j) {
            Params q = p, gq;
            q[j] += h;
            objective(q, margins, labels, &gq);
            for (std::size_t i = 0; i < 5; ++i) hess[i][j] = (gq[i] - g[i]) / h;
        }
        // Solve (-H) d = g by Gaussian elimination with partial pivoting on the symmetrised matrix.
        double m[5][6];
        for (std::size_t i = 0; i < 5; ++i) {
            for (std::size_t j = 0; j < 5; ++j) m[i][j] = -0.5 * (hess[i][j] + hess[j][i]);
            m[i][5] = g[i];
        }
        bool singular = false;
        for (std::size_t c = 0; c < 5 && !singular; ++c) {
            std::size_t pivot = c;
            for (std::size_t r = c + 1; r < 5; ++r)
                if (std::abs(m[r][c]) > std::abs(m[pivot][c])) pivot = r;
            if (std::abs(m[pivot][c]) < 1e-12) {
                singular = true;
                break;
            }
            std::swap(m[c], m[pivot]);
            for (std::size_t r = 0; r < 5; ++r)
                if (r != c) {
                    const double f = m[r][c] / m[c][c];
                    for (std::size_t k = c; k < 6; ++k) m[r][k] -= f * m[c][k];
                }
        }
        Params d;
        double slope = 0;
        for (std::size_t i = 0; i < 5; ++i) {
            d[i] = singular ? g[i] : m[i][5] / m[i][i];
            slope += g[i] * d[i];
        }
        if (!(slope > 0) || !std::isfinite(slope)) {
            d = g;
            slope = 0;
            for (const double v : g) slope += v * v;
        }
        if (slope < 1e-12) break;
        bool moved = false;
        for (double step = 1.0; step > 1e-10 && !moved; step *= 0.5) {
            Params q, gq;
            for (std::size_t j = 0; j < 5; ++j) q[j] = p[j] + step * d[j];
            const double v = objective(q, margins, labels, &gq);
            if (v >= value + 1e-4 * step * slope) {
                p = q;
                g = gq;
                value = v;
                moved = true;
            }
        }
        if (!moved) break;
    }
    return of(p);
}

nlohmann::json ChainCrf::to_json() const {
    return {{"a", a}, {"b", b}, {"t01", t01}, {"t10", t10}, {"t11", t11}};
}

ChainCrf ChainCrf::from_json(const nlohmann::json& doc, const std::string& subject) {
    ChainCrf c;
    try {
        for (const auto& [name, field] :
             {std::pair{"a", &c.a}, {"b", &c.b}, {"t01", &c.t01}, {"t10", &c.t10}, {"t11", &c.t11}}) {
            const auto& v = doc.at(name);
            if (!v.is_number() || !std::isfinite(v.get<double>()))
                throw Error(ErrorCode::InvalidData, std::string("malformed chain CRF: ") + name + " is not a number",
                            subject);
            *field = v.get<double>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed chain CRF: ") + e.what(), subject);
    }
    return c;
}

}  // namespace vidseg::text

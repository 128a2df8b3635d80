#include "vidseg/text/platt_scaling.hpp"

#include <cmath>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

// -log-likelihood of target t under P = 1 / (1 + exp(fApB)), written to stay finite for any fApB.
double loss(double t, double fApB) {
    return fApB >= 0 ? t * fApB + std::log1p(std::exp(-fApB)) : (t - 1) * fApB + std::log1p(std::exp(fApB));
}

}  // namespace

double PlattScaling::operator()(double margin) const {
    const double z = a * margin + b;
    return z >= 0 ? std::exp(-z) / (1 + std::exp(-z)) : 1 / (1 + std::exp(z));
}

double PlattScaling::margin_of(double p) const { return (std::log((1 - p) / p) - b) / a; }

PlattScaling PlattScaling::fit(const std::vector<double>& f, const std::vector<bool>& positive) {
    if (f.empty() || f.size() != positive.size())
        throw Error(ErrorCode::InvalidArgument, "Platt scaling: one label per margin, at least one row");
    double prior1 = 0;
    for (const bool y : positive) prior1 += y;
    const double prior0 = double(f.size()) - prior1;
    const double hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (prior0 + 2);
    const auto target = [&](std::size_t i) { return positive[i] ? hi : lo; };
    const auto objective = [&](double a, double b) {
        double sum = 0;
        for (std::size_t i = 0; i < f.size(); ++i) sum += loss(target(i), f[i] * a + b);
        return sum;
    };
    PlattScaling s{0.0, std::log((prior0 + 1) / (prior1 + 1))};
    double value = objective(s.a, s.b);
    constexpr int kMaxIterations = 100;
    constexpr double kMinStep = 1e-10, kSigma = 1e-12, kEps = 1e-5;
    for (int it = 0; it < kMaxIterations; ++it) {
        double h11 = kSigma, h22 = kSigma, h21 = 0, g1 = 0, g2 = 0;
        for (std::size_t i = 0; i < f.size(); ++i) {
            const double fApB = f[i] * s.a + s.b;
            const double p = fApB >= 0 ? std::exp(-fApB) / (1 + std::exp(-fApB)) : 1 / (1 + std::exp(fApB));
            const double d2 = p * (1 - p), d1 = target(i) - p;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (std::fabs(g1) < kEps && std::fabs(g2) < kEps) break;
        const double det = h11 * h22 - h21 * h21;
        const double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
        const double slope = g1 * da + g2 * db;
        double step = 1;
        for (; step >= kMinStep; step /= 2) {
            const double na = s.a + step * da, nb = s.b + step * db, nv = objective(na, nb);
            if (nv < value + 1e-4 * step * slope) {
                s = {na, nb};
                value = nv;
                break;
            }
        }
        if (step < kMinStep) break;  // the line search failed: as good as it gets
    }
    return s;
}

}  // namespace vidseg::text

// Platt scaling: a classifier's margin f mapped to a probability P(y = 1 | f) = 1 / (1 + exp(a f + b)),
// with a and b fitted on held-out rows by the regularised targets and the Newton method with
// backtracking of Lin, Lin & Weng ("A note on Platt's probabilistic outputs for support vector
// machines", Machine Learning 68, 2007): a positive row's target is (N+ + 1) / (N+ + 2), a negative
// one's 1 / (N- + 2). scikit-learn's CalibratedClassifierCV(method="sigmoid") fits the same
// objective. The margins of a model trained with balanced class weights say "more likely than the
// balanced prior", not how often a pattern is there; the calibrated score says the latter.
#pragma once

#include <vector>

namespace vidseg::text {

struct PlattScaling {
    double a = -1.0, b = 0.0;  // the identity calibration: the logistic of the margin

    double operator()(double margin) const;
    // The margin whose probability is p (0 < p < 1); a must not be 0.
    double margin_of(double p) const;
    // Throws Error(InvalidArgument) for sizes that differ or no rows.
    static PlattScaling fit(const std::vector<double>& margins, const std::vector<bool>& positive);
};

}  // namespace vidseg::text

// Logistic regression by stochastic gradient descent over the rows as they are (CSR: only a row's
// non-zero columns are touched), with L2 regularisation applied lazily through one scale for all
// weights (w = scale * v, Bottou's trick, as scikit-learn's SGDClassifier) and the learning rate
// 1 / (alpha (t + t0)) of sklearn's "optimal" schedule. Kept as the comparison for the dual
// coordinate descent (text/dual_coordinate_descent.hpp): a fixed number of epochs of plain SGD ends
// near the optimum but not at it, and its last iterate scores noticeably worse (bench/RESULTS.md,
// "Text patterns"). A positive row's gradient weighs c_positive / c_negative.
#pragma once

#include <cstdint>

#include "vidseg/text/logistic_problem.hpp"

namespace vidseg::text {

struct SgdOptions {
    int epochs = 10;
    double alpha = 1e-5;  // L2 strength
    double eta0 = 0.5;    // the first step's learning rate (sets t0)
    std::uint64_t seed = 1;
};

LogisticFit solve_sgd(const LogisticProblem& problem, const SgdOptions& options);

}  // namespace vidseg::text

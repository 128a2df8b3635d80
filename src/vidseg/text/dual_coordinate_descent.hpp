// L2-regularised logistic regression solved in the dual by coordinate descent (Yu, Huang & Lin,
// "Dual coordinate descent methods for logistic regression and maximum entropy models", Machine
// Learning 85, 2011; liblinear's solver 7). For each label it minimises
//     0.5 |w|^2 + 0.5 b^2 + sum_i C_i log(1 + exp(-y_i (w.x_i + b s)))
// (s = intercept_scaling: the bias is a regularised column of constant value, as liblinear and
// scikit-learn's LogisticRegression(solver="liblinear") fit it), so at convergence the weights equal
// that of scikit-learn to the tolerance. One pass over the rows (shuffled each epoch) updates every
// label: the row's margins for all labels are one walk over its columns, each label's dual variable
// takes a Newton step on its one-variable sub-problem, and one more walk adds the changes. A pass is
// as cheap as an SGD epoch, and 10-30 passes reach the optimum where SGD only wanders near it.
#pragma once

#include <cstdint>

#include "vidseg/text/logistic_problem.hpp"

namespace vidseg::text {

struct DualCdOptions {
    double tolerance = 0.01;  // stop when every label's largest sub-problem gradient of a pass is below
    int max_epochs = 200;
    std::uint64_t seed = 1;   // the order of the rows in each pass
};

LogisticFit solve_dual_coordinate_descent(const LogisticProblem& problem, const DualCdOptions& options);

}  // namespace vidseg::text

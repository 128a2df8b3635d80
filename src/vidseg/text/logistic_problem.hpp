// What the solvers of the sparse multi-label logistic regression share (text/sparse_logistic.hpp):
// the rows, their 0/1 targets, the loss weight of each label's positive and negative rows (C times
// the class weight), and the fitted weights they hand back. Weights of a column sit side by side,
// one per label (column-major by label), so a row's non-zero columns cost one cache line each for
// every label at once: every solver makes one pass over the rows for all labels.
#pragma once

#include <cstdint>
#include <vector>

#include "vidseg/text/sparse_row.hpp"

namespace vidseg::text {

struct LogisticProblem {
    const std::vector<SparseRow>* rows = nullptr;
    const std::vector<std::uint8_t>* targets = nullptr;  // rows x labels
    std::size_t labels = 0;
    std::uint32_t width = 0;
    std::vector<double> c_positive, c_negative;  // per label: the loss weight of a positive / negative row
    double intercept_scaling = 1.0;              // the bias is a column of this constant value
};

struct LogisticFit {
    std::vector<double> weights;  // width x labels
    std::vector<double> bias;     // per label (already multiplied by intercept_scaling)
    int epochs = 0;               // passes over the rows
    bool converged = false;
    double max_gradient = 0;      // the solver's stopping measure at the end
};

}  // namespace vidseg::text

// Multi-label logistic regression over sparse rows (one binary model per label). Trained by dual
// coordinate descent to the optimum of scikit-learn's LogisticRegression(solver="liblinear",
// class_weight="balanced") objective (text/dual_coordinate_descent.hpp), or by plain SGD for
// comparison (text/sgd_solver.hpp). Rare labels get scikit-learn's balanced class weights: a row of
// class k weighs n / (2 n_k). Optional Platt calibration per label (text/platt_scaling.hpp) maps the
// margin to a probability learned on held-out rows; without it the score is the logistic of the margin.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/text/dual_coordinate_descent.hpp"
#include "vidseg/text/platt_scaling.hpp"
#include "vidseg/text/sgd_solver.hpp"
#include "vidseg/text/sparse_row.hpp"

namespace vidseg::text {

enum class LogisticSolver { DualCoordinateDescent, Sgd };

struct LogisticOptions {
    LogisticSolver solver = LogisticSolver::DualCoordinateDescent;
    double c = 1.0;                  // inverse L2 strength: liblinear's and scikit-learn's C
    bool balanced = true;            // class weights n / (2 n_class)
    double intercept_scaling = 1.0;  // the bias column's value (scikit-learn's intercept_scaling)
    DualCdOptions dual;
    SgdOptions sgd;
};

class SparseLogistic {
public:
    // rows: the training rows (columns < width); targets: rows * labels (0 / 1).
    // Throws Error(InvalidArgument) for mismatched shapes or bad options.
    static SparseLogistic train(const std::vector<SparseRow>& rows, const std::vector<std::uint8_t>& targets,
                                std::size_t labels, std::uint32_t width, const LogisticOptions& options = {});

    std::size_t labels() const { return bias_.size(); }
    std::uint32_t width() const { return width_; }
    // w.x + b of every label for one row.
    std::vector<double> margins(const SparseRow& row) const;
    // Scores of every label for one row: the calibrated probabilities when calibrated, else the
    // logistic of the margins.
    std::vector<float> predict(const SparseRow& row) const;
    float weight(std::size_t label, std::uint32_t column) const { return weights_[std::size_t(column) * bias_.size() + label]; }
    float bias(std::size_t label) const { return bias_[label]; }
    // The weight of a positive row of each label (n / (2 n_positive); 1 without class weights).
    const std::vector<float>& class_weights() const { return class_weights_; }
    // What the solver reported: passes over the rows, converged, its final stopping measure.
    int epochs() const { return epochs_; }
    bool converged() const { return converged_; }

    // Platt calibration per label (one per label, fitted on the margins of held-out rows).
    void set_calibration(std::vector<PlattScaling> calibration);
    const std::vector<PlattScaling>& calibration() const { return calibration_; }
    // The score `predict` gives a margin of label l.
    double score_of_margin(std::size_t label, double margin) const;

    // {"width", "bias": [...], "weights": [[[column, w], ...] per label], "calibration"?: [{"a", "b"}]}
    // (only non-zero weights).
    nlohmann::json to_json() const;
    static SparseLogistic from_json(const nlohmann::json& doc, const std::string& subject);

private:
    std::uint32_t width_ = 0;
    std::vector<float> weights_;  // width x labels (dense: one lookup per non-zero column)
    std::vector<float> bias_;
    std::vector<float> class_weights_;
    std::vector<PlattScaling> calibration_;  // empty: not calibrated
    int epochs_ = 0;
    bool converged_ = false;
};

}  // namespace vidseg::text

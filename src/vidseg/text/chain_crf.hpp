// A small sequence model over utterances: per pattern, a two-state linear-chain CRF over one lesson's
// utterances in order. Its only input per utterance is the logistic regression's margin z_t for the
// pattern (computed on lessons the regression did not see), so it learns how far to trust the margin
// (a z_t + b, the unary score of "pattern here") and how patterns follow each other (the transition
// scores between "here" and "not here"): P(y) ∝ exp(Σ_t y_t (a z_t + b) + Σ_t T[y_{t-1}][y_t]),
// T[0][0] = 0. Fitted by maximum likelihood (concave; Newton's method with backtracking), decoded by
// forward-backward into the marginal P(y_t = 1) — a score in [0, 1] like a calibrated probability.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg::text {

struct ChainCrf {
    double a = 1, b = 0;              // unary: a z + b for state 1 (0 for state 0)
    double t01 = 0, t10 = 0, t11 = 0;  // transitions 0->1, 1->0, 1->1 (0->0 is 0)

    // P(y_t = 1) for every utterance of one sequence of margins.
    std::vector<double> marginals(const std::vector<double>& margins) const;
    // The log-likelihood of the labels (0 / 1) of the sequences, per utterance.
    double log_likelihood(const std::vector<std::vector<double>>& margins,
                          const std::vector<std::vector<std::uint8_t>>& labels) const;
    // Maximum likelihood with a small L2 penalty on the transitions (a sequence that never changes
    // state must not drive them to infinity). Throws Error(InvalidArgument) for shapes that differ.
    static ChainCrf fit(const std::vector<std::vector<double>>& margins,
                        const std::vector<std::vector<std::uint8_t>>& labels, int max_iterations = 100);

    nlohmann::json to_json() const;
    static ChainCrf from_json(const nlohmann::json& doc, const std::string& subject);
};

}  // namespace vidseg::text

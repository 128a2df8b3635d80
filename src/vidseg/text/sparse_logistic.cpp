#include "vidseg/text/sparse_logistic.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

}  // namespace

SparseLogistic SparseLogistic::train(const std::vector<SparseRow>& rows, const std::vector<std::uint8_t>& targets,
                                     std::size_t labels, std::uint32_t width, const LogisticOptions& o) {
    if (labels == 0 || rows.empty() || targets.size() != rows.size() * labels)
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: targets do not match rows x labels");
    if (!(o.c > 0) || !(o.intercept_scaling > 0))
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: C > 0 and intercept_scaling > 0");
    for (const auto& row : rows)
        if (!row.index.empty() && row.index.back() >= width)
            throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: a column beyond the width");
    LogisticProblem problem{&rows, &targets, labels, width, {}, {}, o.intercept_scaling};
    SparseLogistic m;
    m.width_ = width;
    m.class_weights_.assign(labels, 1.f);
    const double n = double(rows.size());
    for (std::size_t l = 0; l < labels; ++l) {
        double positives = 0;
        for (std::size_t r = 0; r < rows.size(); ++r) positives += targets[r * labels + l];
        // scikit-learn's "balanced": n / (classes x rows of the class); a class without rows gets 1.
        const double wp = o.balanced && positives > 0 && positives < n ? n / (2 * positives) : 1.0;
        const double wn = o.balanced && positives > 0 && positives < n ? n / (2 * (n - positives)) : 1.0;
        problem.c_positive.push_back(o.c * wp);
        problem.c_negative.push_back(o.c * wn);
        m.class_weights_[l] = float(wp);
    }
    auto fit = o.solver == LogisticSolver::Sgd ? solve_sgd(problem, o.sgd) : solve_dual_coordinate_descent(problem, o.dual);
    m.weights_.assign(fit.weights.begin(), fit.weights.end());
    m.bias_.assign(fit.bias.begin(), fit.bias.end());
    m.epochs_ = fit.epochs;
    m.converged_ = fit.converged;
    return m;
}

std::vector<double> SparseLogistic::margins(const SparseRow& row) const {
    const std::size_t labels = bias_.size();
    std::vector<double> z(bias_.begin(), bias_.end());
    for (std::size_t k = 0; k < row.size(); ++k) {
        if (row.index[k] >= width_) continue;
        const float* wc = weights_.data() + std::size_t(row.index[k]) * labels;
        for (std::size_t l = 0; l < labels; ++l) z[l] += double(wc[l]) * row.value[k];
    }
    return z;
}

double SparseLogistic::score_of_margin(std::size_t label, double margin) const {
    return calibration_.empty() ? sigmoid(margin) : calibration_[label](margin);
}

std::vector<float> SparseLogistic::predict(const SparseRow& row) const {
    const auto z = margins(row);
    std::vector<float> out(z.size());
    for (std::size_t l = 0; l < z.size(); ++l) out[l] = float(score_of_margin(l, z[l]));
    return out;
}

void SparseLogistic::set_calibration(std::vector<PlattScaling> calibration) {
    if (!calibration.empty() && calibration.size() != bias_.size())
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: one calibration per label");
    calibration_ = std::move(calibration);
}

nlohmann::json SparseLogistic::to_json() const {
    nlohmann::json weights = nlohmann::json::array();
    for (std::size_t l = 0; l < bias_.size(); ++l) {
        nlohmann::json nonzero = nlohmann::json::array();
        for (std::uint32_t c = 0; c < width_; ++c)
            if (const float v = weight(l, c); v != 0) nonzero.push_back({c, v});
        weights.push_back(std::move(nonzero));
    }
    nlohmann::json doc = {{"width", width_}, {"bias", bias_}, {"class_weights", class_weights_}, {"weights", weights}};
    if (!calibration_.empty()) {
        doc["calibration"] = nlohmann::json::array();
        for (const auto& c : calibration_) doc["calibration"].push_back({{"a", c.a}, {"b", c.b}});
    }
    return doc;
}

SparseLogistic SparseLogistic::from_json(const nlohmann::json& doc, const std::string& subject) {
    SparseLogistic m;
    try {
        m.width_ = doc.at("width").get<std::uint32_t>();
        if (m.width_ == 0 || m.width_ > (1u << 26))
            throw Error(ErrorCode::InvalidData, "malformed text model: width out of range", subject);
        m.bias_ = doc.at("bias").get<std::vector<float>>();
        m.class_weights_ = doc.contains("class_weights") ? doc.at("class_weights").get<std::vector<float>>()
                                                         : std::vector<float>(m.bias_.size(), 1.f);
        const auto& weights = doc.at("weights");
        if (!weights.is_array() || weights.size() != m.bias_.size() || m.bias_.empty())
            throw Error(ErrorCode::InvalidData, "malformed text model: one weight list per label expected", subject);
        const std::size_t labels = m.bias_.size();
        m.weights_.assign(std::size_t(m.width_) * labels, 0.f);
        for (std::size_t l = 0; l < labels; ++l)
            for (const auto& pair : weights[l]) {
                const auto c = pair.at(0).get<std::uint32_t>();
                if (c >= m.width_) throw Error(ErrorCode::InvalidData, "malformed text model: a weight beyond the width", subject);
                m.weights_[std::size_t(c) * labels + l] = pair.at(1).get<float>();
            }
        if (doc.contains("calibration")) {
            const auto& cal = doc.at("calibration");
            if (!cal.is_array() || cal.size() != labels)
                throw Error(ErrorCode::InvalidData, "malformed text model: one calibration per label expected", subject);
            for (const auto& c : cal) {
                PlattScaling s{c.at("a").get<double>(), c.at("b").get<double>()};
                if (!std::isfinite(s.a) || !std::isfinite(s.b) || s.a == 0)
                    throw Error(ErrorCode::InvalidData, "malformed text model: a calibration is not finite", subject);
                m.calibration_.push_back(s);
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed text model: ") + e.what(), subject);
    }
    return m;
}

}  // namespace vidseg::text

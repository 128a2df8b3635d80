#include "vidseg/text/sparse_logistic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::text {

namespace {

float sigmoid(double z) { return float(z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z))); }

}  // namespace

SparseLogistic SparseLogistic::train(const std::vector<SparseRow>& rows, const std::vector<std::uint8_t>& targets,
                                     std::size_t labels, std::uint32_t width, const SgdOptions& o) {
    if (labels == 0 || targets.size() != rows.size() * labels)
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: targets do not match rows x labels");
    if (o.epochs < 1 || !(o.alpha > 0) || !(o.eta0 > 0))
        throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: epochs >= 1, alpha > 0, eta0 > 0");
    for (const auto& row : rows)
        if (!row.index.empty() && row.index.back() >= width)
            throw Error(ErrorCode::InvalidArgument, "sparse logistic regression: a column beyond the width");
    SparseLogistic m;
    m.width_ = width;
    m.weights_.assign(std::size_t(width) * labels, 0.f);
    m.bias_.assign(labels, 0.f);
    m.class_weights_.assign(labels, 1.f);
    if (o.class_weights)
        for (std::size_t l = 0; l < labels; ++l) {
            double pos = 0;
            for (std::size_t r = 0; r < rows.size(); ++r) pos += targets[r * labels + l];
            m.class_weights_[l] = float(std::clamp((double(rows.size()) - pos) / std::max(pos, 1.0), 1.0, o.max_class_weight));
        }
    // One scale for every label's weights (the same L2 shrink for all); weights of a column are
    // side by side (column-major by label), so a row's columns cost one cache line each, not `labels`.
    double scale = 1.0;
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(o.seed);
    const double t0 = 1.0 / (o.alpha * o.eta0);
    double t = 0;
    std::vector<double> z(labels), step(labels);
    float* w = m.weights_.data();
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), rng);
        for (const std::size_t r : order) {
            const auto& row = rows[r];
            const double eta = 1.0 / (o.alpha * (t0 + t));
            t += 1;
            for (std::size_t l = 0; l < labels; ++l) z[l] = 0;
            for (std::size_t k = 0; k < row.size(); ++k) {
                const float* wc = w + std::size_t(row.index[k]) * labels;
                for (std::size_t l = 0; l < labels; ++l) z[l] += double(wc[l]) * row.value[k];
            }
            for (std::size_t l = 0; l < labels; ++l) z[l] = m.bias_[l] + z[l] * scale;  // the margins
            scale *= 1.0 - eta * o.alpha;  // the L2 shrink of every weight at once
            if (scale < 1e-9) {           // fold the scale into the weights before it underflows
                for (auto& v : m.weights_) v = float(v * scale);
                scale = 1.0;
            }
            for (std::size_t l = 0; l < labels; ++l) {
                const bool y = targets[r * labels + l] != 0;
                const double g = (double(sigmoid(z[l])) - (y ? 1.0 : 0.0)) * (y ? m.class_weights_[l] : 1.0);
                step[l] = eta * g / scale;
                m.bias_[l] -= float(eta * g * 0.01);  // the intercept learns slower (sklearn's intercept_decay)
            }
            for (std::size_t k = 0; k < row.size(); ++k) {
                float* wc = w + std::size_t(row.index[k]) * labels;
                for (std::size_t l = 0; l < labels; ++l) wc[l] -= float(step[l] * row.value[k]);
            }
        }
    }
    for (auto& v : m.weights_) v = float(v * scale);
    return m;
}

std::vector<float> SparseLogistic::predict(const SparseRow& row) const {
    std::vector<float> out(bias_.size());
    for (std::size_t l = 0; l < bias_.size(); ++l) {
        double z = bias_[l];
        for (std::size_t k = 0; k < row.size(); ++k)
            if (row.index[k] < width_) z += double(weight(l, row.index[k])) * row.value[k];
        out[l] = sigmoid(z);
    }
    return out;
}

nlohmann::json SparseLogistic::to_json() const {
    nlohmann::json weights = nlohmann::json::array();
    for (std::size_t l = 0; l < bias_.size(); ++l) {
        nlohmann::json nonzero = nlohmann::json::array();
        for (std::uint32_t c = 0; c < width_; ++c)
            if (const float v = weight(l, c); v != 0) nonzero.push_back({c, v});
        weights.push_back(std::move(nonzero));
    }
    return {{"width", width_}, {"bias", bias_}, {"class_weights", class_weights_}, {"weights", weights}};
}

SparseLogistic SparseLogistic::from_json(const nlohmann::json& doc, const std::string& subject) {
    SparseLogistic m;
    try {
        m.width_ = doc.at("width").get<std::uint32_t>();
        if (m.width_ == 0 || m.width_ > (1u << 26))
            throw Error(ErrorCode::InvalidData, "malformed text model: width out of range", subject);
        m.bias_ = doc.at("bias").get<std::vector<float>>();
        m.class_weights_ = doc.value("class_weights", std::vector<float>(m.bias_.size(), 1.f));
        const auto& weights = doc.at("weights");
        if (weights.size() != m.bias_.size() || m.bias_.empty())
            throw Error(ErrorCode::InvalidData, "malformed text model: one weight list per label expected", subject);
        const std::size_t labels = m.bias_.size();
        m.weights_.assign(std::size_t(m.width_) * labels, 0.f);
        for (std::size_t l = 0; l < labels; ++l)
            for (const auto& pair : weights[l]) {
                const auto c = pair.at(0).get<std::uint32_t>();
                if (c >= m.width_) throw Error(ErrorCode::InvalidData, "malformed text model: a weight beyond the width", subject);
                m.weights_[std::size_t(c) * labels + l] = pair.at(1).get<float>();
            }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed text model: ") + e.what(), subject);
    }
    return m;
}

}  // namespace vidseg::text

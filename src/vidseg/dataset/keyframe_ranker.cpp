#include "vidseg/dataset/keyframe_ranker.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"

namespace vidseg::dataset {

namespace {

constexpr double kMaxMagnitude = 1e6;  // bound on every stored number
constexpr double kMinScale = 1e-9;

using Vector = std::vector<double>;
using Matrix = std::vector<Vector>;

// Solves H x = g for a symmetric positive definite H (Cholesky); H gets the l2 term, so it is SPD.
Vector solve_spd(Matrix h, Vector g) {
    const size_t n = g.size();
    for (size_t j = 0; j < n; ++j) {
        double d = h[j][j];
        for (size_t k = 0; k < j; ++k) d -= h[j][k] * h[j][k];
        d = std::sqrt(std::max(d, 1e-12));
        h[j][j] = d;
        for (size_t i = j + 1; i < n; ++i) {
            double v = h[i][j];
            for (size_t k = 0; k < j; ++k) v -= h[i][k] * h[j][k];
            h[i][j] = v / d;
        }
    }
    for (size_t i = 0; i < n; ++i) {  // L y = g
        for (size_t k = 0; k < i; ++k) g[i] -= h[i][k] * g[k];
        g[i] /= h[i][i];
    }
    for (size_t i = n; i-- > 0;) {  // L^T x = y
        for (size_t k = i + 1; k < n; ++k) g[i] -= h[k][i] * g[k];
        g[i] /= h[i][i];
    }
    return g;
}

double dot(const Vector& a, const Vector& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

struct Standardised {
    std::vector<Matrix> z;  // per example, per candidate
    std::vector<size_t> target;
    Vector weight;
    double total_weight = 0;
};

// Mean log-likelihood loss + l2, and optionally its gradient and Hessian.
double objective(const Standardised& d, const Vector& w, double l2, Vector* grad, Matrix* hess) {
    const size_t n = w.size();
    double loss = 0;
    if (grad) grad->assign(n, 0);
    if (hess) hess->assign(n, Vector(n, 0));
    Vector expect(n);
    for (size_t e = 0; e < d.z.size(); ++e) {
        const Matrix& z = d.z[e];
        Vector s(z.size());
        double top = -1e300;
        for (size_t k = 0; k < z.size(); ++k) top = std::max(top, s[k] = dot(w, z[k]));
        double sum = 0;
        for (double v : s) sum += std::exp(v - top);
        const double weight = d.weight[e] / d.total_weight;
        loss += weight * (top + std::log(sum) - s[d.target[e]]);
        if (!grad) continue;
        std::fill(expect.begin(), expect.end(), 0);
        Vector p(z.size());
        for (size_t k = 0; k < z.size(); ++k) {
            p[k] = std::exp(s[k] - top) / sum;
            for (size_t i = 0; i < n; ++i) expect[i] += p[k] * z[k][i];
        }
        for (size_t i = 0; i < n; ++i) (*grad)[i] += weight * (expect[i] - z[d.target[e]][i]);
        if (!hess) continue;
        for (size_t k = 0; k < z.size(); ++k)
            for (size_t i = 0; i < n; ++i) {
                const double di = z[k][i] - expect[i];
                for (size_t j = 0; j <= i; ++j) (*hess)[i][j] += weight * p[k] * di * (z[k][j] - expect[j]);
            }
    }
    loss += 0.5 * l2 * dot(w, w);
    if (grad)
        for (size_t i = 0; i < n; ++i) (*grad)[i] += l2 * w[i];
    if (hess)
        for (size_t i = 0; i < n; ++i) {
            (*hess)[i][i] += l2;
            for (size_t j = 0; j < i; ++j) (*hess)[j][i] = (*hess)[i][j];
        }
    return loss;
}

[[noreturn]] void refuse(const std::string& subject, const std::string& why) {
    throw Error(ErrorCode::InvalidData, "not a valid keyframe model: " + why, subject);
}

Vector bounded_vector(const nlohmann::json& j, const char* key, size_t n, const std::string& subject) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array() || it->size() != n)
        refuse(subject, std::string("'") + key + "' must be a list of " + std::to_string(n) + " numbers");
    Vector out;
    for (const auto& v : *it) {
        if (!v.is_number() || !std::isfinite(v.get<double>()) || std::abs(v.get<double>()) > kMaxMagnitude)
            refuse(subject, std::string("'") + key + "' holds a value that is not a finite number within ±1e6");
        out.push_back(v.get<double>());
    }
    return out;
}

}  // namespace

KeyframeRanker KeyframeRanker::train(const std::vector<ChoiceExample>& examples, const RankerTrainingOptions& options) {
    const size_t n = keyframe_feature_names().size();
    Standardised d;
    KeyframeRanker r;
    r.mean_.assign(n, 0);
    r.scale_.assign(n, 0);
    size_t rows = 0;
    for (const auto& e : examples) {
        if (e.features.size() < 2 || e.weight <= 0) continue;
        for (const auto& x : e.features) {
            if (x.size() != n) throw Error(ErrorCode::Internal, "keyframe features of the wrong length");
            for (size_t i = 0; i < n; ++i) r.mean_[i] += x[i];
            ++rows;
        }
    }
    if (rows == 0)
        throw Error(ErrorCode::InvalidData,
                    "no review decision to learn from (a keyframe pick, or a kept fragment, among at least two candidates)");
    for (auto& m : r.mean_) m /= static_cast<double>(rows);
    for (const auto& e : examples) {
        if (e.features.size() < 2 || e.weight <= 0) continue;
        for (const auto& x : e.features)
            for (size_t i = 0; i < n; ++i) r.scale_[i] += (x[i] - r.mean_[i]) * (x[i] - r.mean_[i]);
    }
    for (auto& s : r.scale_) {
        s = std::sqrt(s / static_cast<double>(rows));
        if (s < kMinScale) s = 1;  // a constant feature: its weight stays 0 (the l2 term)
    }
    for (const auto& e : examples) {
        if (e.features.size() < 2 || e.weight <= 0) continue;
        Matrix z;
        for (const auto& x : e.features) {
            Vector v(n);
            for (size_t i = 0; i < n; ++i) v[i] = (x[i] - r.mean_[i]) / r.scale_[i];
            z.push_back(std::move(v));
        }
        d.z.push_back(std::move(z));
        d.target.push_back(e.target);
        d.weight.push_back(e.weight);
        d.total_weight += e.weight;
    }
    Vector w(n, 0), grad;
    Matrix hess;
    double loss = objective(d, w, options.l2, &grad, &hess);
    for (int it = 0; it < options.max_iterations; ++it) {
        const Vector step = solve_spd(hess, grad);
        // Backtracking: Newton's full step may overshoot far from the optimum.
        double t = 1;
        Vector next(n);
        double next_loss = loss;
        for (int half = 0; half < 30; ++half, t /= 2) {
            for (size_t i = 0; i < n; ++i) next[i] = w[i] - t * step[i];
            next_loss = objective(d, next, options.l2, nullptr, nullptr);
            if (next_loss <= loss) break;
        }
        if (!(next_loss <= loss)) break;
        const double moved = t * std::sqrt(dot(step, step));
        w = next;
        loss = objective(d, w, options.l2, &grad, &hess);
        if (moved < 1e-9) break;
    }
    for (auto& v : w) v = std::clamp(v, -kMaxMagnitude, kMaxMagnitude);
    r.weights_ = std::move(w);
    return r;
}

KeyframeRanker KeyframeRanker::parse(const std::string& text, const std::string& subject) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        refuse(subject, std::string("not JSON: ") + e.what());
    }
    if (!j.is_object()) refuse(subject, "not a JSON object");
    const auto format = j.find("format");
    if (format == j.end() || !format->is_string() || format->get<std::string>() != kKeyframeRankerFormat)
        refuse(subject, std::string("'format' must be \"") + kKeyframeRankerFormat + "\"");
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer())
        refuse(subject, "'version' must be an integer");
    if (version->get<long long>() != kKeyframeRankerVersion)
        throw Error(ErrorCode::InvalidData,
                    "keyframe model version " + std::to_string(version->get<long long>()) +
                        " is not supported (this vidseg reads version " + std::to_string(kKeyframeRankerVersion) + ")",
                    subject);
    const auto& names = keyframe_feature_names();
    const auto features = j.find("features");
    bool same = features != j.end() && features->is_array() && features->size() == names.size();
    for (size_t i = 0; same && i < names.size(); ++i)
        same = (*features)[i].is_string() && (*features)[i].get<std::string>() == names[i];
    if (!same) refuse(subject, "'features' must list this vidseg's keyframe features in order");
    KeyframeRanker r;
    r.mean_ = bounded_vector(j, "mean", names.size(), subject);
    r.scale_ = bounded_vector(j, "scale", names.size(), subject);
    r.weights_ = bounded_vector(j, "weights", names.size(), subject);
    for (double s : r.scale_)
        if (s < kMinScale) refuse(subject, "'scale' values must be > 0");
    if (j.contains("training") && !j["training"].is_object()) refuse(subject, "'training' must be an object");
    return r;
}

KeyframeRanker KeyframeRanker::load(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorCode::InputNotFound, "keyframe model file not found", path.string());
    return parse(read_limited_file(path), path.string());
}

std::string KeyframeRanker::render(const nlohmann::json& training) const {
    nlohmann::ordered_json j;
    j["format"] = kKeyframeRankerFormat;
    j["version"] = kKeyframeRankerVersion;
    j["features"] = keyframe_feature_names();
    j["mean"] = mean_;
    j["scale"] = scale_;
    j["weights"] = weights_;
    j["training"] = training;
    return j.dump(1) + "\n";
}

double KeyframeRanker::score(const std::vector<double>& x) const {
    double s = 0;
    for (size_t i = 0; i < weights_.size() && i < x.size(); ++i) s += weights_[i] * (x[i] - mean_[i]) / scale_[i];
    return s;
}

size_t KeyframeRanker::choose(const std::vector<std::vector<double>>& features, const std::vector<double>& times,
                              double middle) const {
    if (features.empty() || features.size() != times.size())
        throw Error(ErrorCode::InvalidArgument, "keyframe model: need one time per candidate and at least one candidate");
    size_t best = 0;
    double best_score = score(features[0]);
    for (size_t k = 1; k < features.size(); ++k) {
        const double s = score(features[k]);
        const double d = s - best_score;
        if (d > 1e-12 || (std::abs(d) <= 1e-12 && std::abs(times[k] - middle) < std::abs(times[best] - middle))) {
            best = k;
            best_score = s;
        }
    }
    return best;
}

size_t KeyframeRanker::choose(const FragmentCandidates& f) const {
    std::vector<std::vector<double>> features;
    std::vector<double> times;
    for (size_t k = 0; k < f.candidates.size(); ++k) {
        features.push_back(keyframe_features(f, k));
        times.push_back(f.candidates[k].time);
    }
    return choose(features, times, f.start + (f.end - f.start) / 2);
}

std::string KeyframeRanker::digest() const {
    std::string out;
    char buf[40];
    for (const auto* v : {&mean_, &scale_, &weights_})
        for (double x : *v) {
            std::snprintf(buf, sizeof buf, "%.17g,", x);
            out += buf;
        }
    return out;
}

}  // namespace vidseg::dataset

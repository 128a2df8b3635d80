#include "vidseg/models/utterance_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/features/text_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/models/threshold_tuning.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;
constexpr const char* kFormat = "vidseg.text-model";
constexpr float kContextWeight = 0.5f;

}  // namespace

std::vector<text::SparseRow> UtteranceModel::rows_of(const std::vector<timeline::TranscriptSegment>& segments) const {
    std::vector<text::SparseRow> own;
    own.reserve(segments.size());
    for (const auto& s : segments) own.push_back(lexical_.transform(s.text));
    if (!context_) return own;
    const std::uint32_t width = lexical_.width(), n = lexical_.config().n_features;
    const std::string main = features::main_speaker(segments);
    // The words of a neighbour (its word block), weighed down, in their own columns.
    const auto words_of = [&](const text::SparseRow& row, std::uint32_t offset) {
        text::SparseRow out;
        for (std::size_t k = 0; k < row.size() && row.index[k] < n; ++k) {
            out.index.push_back(row.index[k] + offset);
            out.value.push_back(kContextWeight * row.value[k]);
        }
        return out;
    };
    std::vector<text::SparseRow> rows;
    rows.reserve(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i) {
        text::SparseRow row = own[i];
        if (neighbours_ && i > 0) row = text::concatenate(row, words_of(own[i - 1], 0), width);
        if (neighbours_ && i + 1 < segments.size()) row = text::concatenate(row, words_of(own[i + 1], 0), width + n);
        const std::string& speaker = segments[i].speaker;
        if (!speaker.empty()) {
            row.index.push_back(width + 2 * n + (speaker == main ? 0 : 1));
            row.value.push_back(1.f);
            if (i > 0 && !segments[i - 1].speaker.empty() && segments[i - 1].speaker != speaker) {
                row.index.push_back(width + 2 * n + 2);
                row.value.push_back(1.f);
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

UtteranceModel UtteranceModel::train(const std::vector<text::LessonUtterances>& lessons,
                                     const UtteranceTrainOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    std::set<std::string> names;
    std::size_t utterances = 0;
    for (const auto& l : lessons)
        for (const auto& u : l.utterances) {
            names.insert(u.labels.begin(), u.labels.end());
            ++utterances;
        }
    if (names.empty()) throw Error(ErrorCode::InvalidData, "no utterance carries a label: nothing to learn");
    UtteranceModel m;
    m.labels_.assign(names.begin(), names.end());
    m.context_ = options.context;
    m.neighbours_ = options.neighbours;
    const std::size_t labels = m.labels_.size();

    // Whole lessons held out for the thresholds: utterances of one lesson are not independent.
    std::vector<std::size_t> order(lessons.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(options.seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t n_val = 0;
    if (options.val_fraction > 0 && lessons.size() >= 2)
        n_val = std::clamp<std::size_t>(std::size_t(std::lround(options.val_fraction * double(lessons.size()))), 1,
                                        lessons.size() - 1);
    const std::vector<std::size_t> val(order.begin(), order.begin() + long(n_val));
    const std::vector<std::size_t> train(order.begin() + long(n_val), order.end());

    std::vector<std::string> texts;
    for (const auto i : train)
        for (const auto& u : lessons[i].utterances) texts.push_back(u.segment.text);
    m.lexical_ = text::LexicalVectorizer::fit(texts, options.lexical);
    const std::uint32_t width =
        m.context_ ? m.lexical_.width() + 2 * m.lexical_.config().n_features + 3 : m.lexical_.width();

    const auto rows_and_targets = [&](const std::vector<std::size_t>& which, std::vector<text::SparseRow>& rows,
                                      std::vector<std::uint8_t>& targets) {
        for (const auto i : which) {
            auto r = m.rows_of(text::segments_of(lessons[i]));
            for (std::size_t k = 0; k < r.size(); ++k) {
                rows.push_back(std::move(r[k]));
                for (const auto& name : m.labels_) {
                    const auto& ls = lessons[i].utterances[k].labels;
                    targets.push_back(std::find(ls.begin(), ls.end(), name) != ls.end());
                }
            }
        }
    };
    std::vector<text::SparseRow> rows;
    std::vector<std::uint8_t> targets;
    rows_and_targets(train, rows, targets);
    const std::size_t train_rows = rows.size();
    std::vector<std::size_t> positives(labels, 0);
    for (std::size_t i = 0; i < targets.size(); ++i) positives[i % labels] += targets[i];
    if (std::all_of(positives.begin(), positives.end(), [&](std::size_t p) { return p == rows.size(); }))
        throw Error(ErrorCode::InvalidData, "a single class: every training utterance carries every label");
    text::LogisticOptions logistic = options.logistic;
    logistic.dual.seed = logistic.sgd.seed = options.seed;
    m.classifier_ = text::SparseLogistic::train(rows, targets, labels, width, logistic);

    m.thresholds_.assign(labels, 0.5);
    nlohmann::json thresholds = nlohmann::json::array(), calibration = nlohmann::json::array();
    if (!val.empty()) {
        std::vector<text::SparseRow> val_rows;
        std::vector<std::uint8_t> val_targets;
        rows_and_targets(val, val_rows, val_targets);
        const std::size_t n_val_rows = val_rows.size();
        std::vector<double> margins(n_val_rows * labels);
        for (std::size_t r = 0; r < n_val_rows; ++r) {
            const auto z = m.classifier_.margins(val_rows[r]);
            std::copy(z.begin(), z.end(), margins.begin() + long(r * labels));
        }
        // Platt scaling per pattern where the held-out lessons show both classes and the margin says
        // something (a < 0: a higher margin, a likelier pattern); else the logistic of the margin.
        std::vector<text::PlattScaling> scalings(labels);
        bool calibrated = false;
        for (std::size_t l = 0; l < labels && options.calibrate; ++l) {
            std::vector<double> f(n_val_rows);
            std::vector<bool> y(n_val_rows);
            std::size_t pos = 0;
            for (std::size_t r = 0; r < n_val_rows; ++r) {
                f[r] = margins[r * labels + l];
                y[r] = val_targets[r * labels + l] != 0;
                pos += y[r];
            }
            if (pos == 0 || pos == n_val_rows) continue;
            const auto s = text::PlattScaling::fit(f, y);
            if (!(s.a < 0)) continue;
            scalings[l] = s;
            calibrated = true;
            calibration.push_back({{"label", m.labels_[l]}, {"a", s.a}, {"b", s.b}, {"val_positive_utterances", pos}});
        }
        if (calibrated) m.classifier_.set_calibration(scalings);
        // Thresholds on the calibrated scores, each pattern's fallback the score of margin 0: the
        // boundary the balanced class weights draw, which held-out lessons move only as far as their F1
        // clearly asks for (tune_thresholds).
        std::vector<float> scores(n_val_rows * labels), y(val_targets.begin(), val_targets.end());
        for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = float(m.classifier_.score_of_margin(i % labels, margins[i]));
        for (std::size_t l = 0; l < labels; ++l) {
            const double fallback = m.classifier_.score_of_margin(l, 0.0);
            std::vector<float> one(n_val_rows), truth(n_val_rows);
            for (std::size_t r = 0; r < n_val_rows; ++r) {
                one[r] = scores[r * labels + l];
                truth[r] = y[r * labels + l];
            }
            const auto tuned = tune_thresholds(one, truth, 1, fallback).front();
            m.thresholds_[l] = tuned.threshold;
            thresholds.push_back({{"label", m.labels_[l]},
                                  {"threshold", tuned.threshold},
                                  {"val_f1", tuned.f1},
                                  {"val_positive_utterances", tuned.positives},
                                  {"tuned", tuned.tuned}});
        }
        if (options.refit) {  // every lesson's utterances for the final weights, the calibration kept
            const auto kept = m.classifier_.calibration();
            std::vector<text::SparseRow> all_rows = std::move(rows);
            std::vector<std::uint8_t> all_targets = std::move(targets);
            all_rows.insert(all_rows.end(), std::make_move_iterator(val_rows.begin()),
                            std::make_move_iterator(val_rows.end()));
            all_targets.insert(all_targets.end(), val_targets.begin(), val_targets.end());
            m.classifier_ = text::SparseLogistic::train(all_rows, all_targets, labels, width, logistic);
            m.classifier_.set_calibration(kept);
        }
    }
    m.training_ = {{"lessons", lessons.size()},
                   {"val_lessons", val.size()},
                   {"utterances", utterances},
                   {"train_utterances", train_rows},
                   {"refit_on_all_lessons", !val.empty() && options.refit},
                   {"positive_utterances", positives},
                   {"class_weights", m.classifier_.class_weights()},
                   {"solver", logistic.solver == text::LogisticSolver::Sgd ? "sgd" : "dual-coordinate-descent"},
                   {"c", logistic.c},
                   {"epochs", m.classifier_.epochs()},
                   {"converged", m.classifier_.converged()},
                   {"calibration", calibration},
                   {"thresholds", thresholds},
                   {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
    return m;
}

nlohmann::json UtteranceModel::to_json() const {
    return {{"labels", labels_},       {"thresholds", thresholds_},
            {"context", context_},     {"neighbours", neighbours_}, {"lexical", lexical_.to_json()},
            {"classifier", classifier_.to_json()}, {"training", training_}};
}

// A short header line names the format (what `predict` looks at to tell a text model from a network),
// the model follows on the second line.
void UtteranceModel::save(const fs::path& path) const {
    const nlohmann::json header = {{"format", kFormat}, {"version", 1}};
    write_file_atomic(path, header.dump() + "\n" + to_json().dump() + "\n");
}

bool UtteranceModel::is_text_model_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(128, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    head.resize(std::size_t(in.gcount()));
    head = head.substr(0, head.find('\n'));
    try {
        const auto doc = nlohmann::json::parse(head);
        return doc.is_object() && doc.value("format", "") == kFormat;
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

UtteranceModel UtteranceModel::load(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw Error(ErrorCode::InputNotFound, "model not found", path.string());
    const std::string content = read_limited_file(path, kMaxModelFileBytes);
    const auto newline = content.find('\n');
    nlohmann::json header, doc;
    try {
        header = nlohmann::json::parse(content.substr(0, newline));
        if (newline != std::string::npos) doc = nlohmann::json::parse(content.substr(newline + 1));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("not a vidseg text model: ") + e.what(), path.string());
    }
    // json::value() throws when the member has another type, and a float version must not be cast.
    bool is_text_model = false;
    int version = 0;
    try {
        is_text_model = header.is_object() && header.value("format", "") == kFormat && doc.is_object();
        version = is_text_model ? json_integer_or<int>(header, "version", 0) : 0;
    } catch (const nlohmann::json::exception&) {
    }
    if (!is_text_model) throw Error(ErrorCode::InvalidData, "not a vidseg text model", path.string());
    if (version != 1)
        throw Error(ErrorCode::Unsupported, "text model version is not supported (this vidseg reads 1)", path.string());
    UtteranceModel m;
    try {
        m.labels_ = doc.at("labels").get<std::vector<std::string>>();
        m.thresholds_ = doc.at("thresholds").get<std::vector<double>>();
        m.context_ = doc.at("context").get<bool>();
        m.neighbours_ = doc.contains("neighbours") ? doc.at("neighbours").get<bool>() : true;  // older files: true
        m.training_ = doc.value("training", nlohmann::json::object());
        m.lexical_ = text::LexicalVectorizer::from_json(doc.at("lexical"), path.string());
        m.classifier_ = text::SparseLogistic::from_json(doc.at("classifier"), path.string());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed text model: ") + e.what(), path.string());
    }
    const std::uint32_t width =
        m.context_ ? m.lexical_.width() + 2 * m.lexical_.config().n_features + 3 : m.lexical_.width();
    if (m.labels_.empty() || m.thresholds_.size() != m.labels_.size() || m.classifier_.labels() != m.labels_.size() ||
        m.classifier_.width() != width)
        throw Error(ErrorCode::InvalidData, "malformed text model: labels, thresholds and weights do not agree",
                    path.string());
    return m;
}

std::vector<float> UtteranceModel::predict_utterances(const std::vector<timeline::TranscriptSegment>& segments) const {
    std::vector<float> out;
    out.reserve(segments.size() * labels_.size());
    for (const auto& row : rows_of(segments)) {
        const auto p = classifier_.predict(row);
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

std::vector<float> project_to_rows(const std::vector<timeline::TranscriptSegment>& segments,
                                   const std::vector<float>& probabilities, std::size_t labels,
                                   const std::vector<double>& times, double window) {
    std::vector<float> out(times.size() * labels, 0.f);
    std::vector<double> best(times.size(), 0.0);
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const auto& seg = segments[s];
        auto r = std::size_t(std::lower_bound(times.begin(), times.end(), seg.start - window) - times.begin());
        for (; r < times.size() && times[r] < seg.end; ++r) {
            const double overlap = std::min(seg.end, times[r] + window) - std::max(seg.start, times[r]);
            if (overlap > best[r]) {
                best[r] = overlap;
                std::copy_n(probabilities.begin() + long(s * labels), labels, out.begin() + long(r * labels));
            }
        }
    }
    return out;
}

Prediction UtteranceModel::predict(const std::string& source, const std::vector<timeline::TranscriptSegment>& segments,
                                   double duration, double step, std::optional<double> threshold, double merge_gap,
                                   double min_length) const {
    if (threshold && !(*threshold > 0 && *threshold < 1))
        throw Error(ErrorCode::InvalidArgument, "--threshold must lie in (0, 1)");
    Prediction p;
    p.source = source;
    p.labels = labels_;
    const std::size_t rows = features::grid_rows(duration, step);
    for (std::size_t r = 0; r < rows; ++r) p.times.push_back(double(r) * step);
    p.probabilities = project_to_rows(segments, predict_utterances(segments), labels_.size(), p.times, step);
    p.decisions.resize(p.probabilities.size());
    for (std::size_t i = 0; i < p.probabilities.size(); ++i)
        p.decisions[i] = p.probabilities[i] >= (threshold ? *threshold : thresholds_[i % labels_.size()]);
    p.detections = decode_detections(p, step, Task::Patterns, merge_gap, min_length);
    return p;
}

std::vector<NgramWeight> UtteranceModel::explain(const std::vector<timeline::TranscriptSegment>& segments,
                                                 const timeline::Interval& span, const std::string& label,
                                                 std::size_t top) const {
    const auto it = std::find(labels_.begin(), labels_.end(), label);
    if (it == labels_.end()) return {};
    const auto l = std::size_t(it - labels_.begin());
    std::map<std::string, double> sum;
    for (const auto& seg : segments) {
        if (std::min(seg.end, span.end) - std::max(seg.start, span.start) <= 0) continue;
        const auto row = lexical_.transform(seg.text);
        std::set<std::string> seen;
        for (const auto& g : lexical_.ngrams_of(seg.text)) {
            if (!g.word || !seen.insert(g.ngram).second) continue;  // words read better than character pieces
            const auto k = std::lower_bound(row.index.begin(), row.index.end(), g.column) - row.index.begin();
            if (std::size_t(k) < row.size() && row.index[std::size_t(k)] == g.column)
                sum[g.ngram] += double(classifier_.weight(l, g.column)) * row.value[std::size_t(k)];
        }
    }
    std::vector<NgramWeight> out;
    for (const auto& [ngram, weight] : sum)
        if (weight > 0) out.push_back({ngram, weight});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.weight > b.weight; });
    if (out.size() > top) out.resize(top);
    return out;
}

}  // namespace vidseg::models

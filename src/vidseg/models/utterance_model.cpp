#include "vidseg/models/utterance_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
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

// What held-out margins say about each pattern: its Platt scaling (identity where the held-out rows
// show one class only or the margin says nothing) and its threshold on the calibrated score.
struct HeldOutChoice {
    std::vector<text::PlattScaling> scalings;
    bool calibrated = false;
    std::vector<text::ChainCrf> chain;  // with a sequence model: one per pattern (the scores are its marginals)
    std::vector<double> thresholds;
    double macro_f1 = 0;  // the mean over patterns of the held-out F1 at the chosen thresholds
    double c = 1;
    nlohmann::json calibration_json = nlohmann::json::array(), thresholds_json = nlohmann::json::array();
};

std::vector<double> margins_of(const text::SparseLogistic& classifier, const std::vector<text::SparseRow>& rows) {
    std::vector<double> out;
    out.reserve(rows.size() * classifier.labels());
    for (const auto& row : rows) {
        const auto z = classifier.margins(row);
        out.insert(out.end(), z.begin(), z.end());
    }
    return out;
}

// margins, targets: rows * labels.
// Row ranges [first, second) of the held-out lessons, in order: the sequences of the chain CRF.
using Sequences = std::vector<std::pair<std::size_t, std::size_t>>;

// The chain CRF of each pattern fitted on the held-out sequences; scores: its marginals (rows * labels).
std::vector<text::ChainCrf> fit_chains(const std::vector<double>& margins, const std::vector<std::uint8_t>& targets,
                                       std::size_t labels, const Sequences& sequences, std::vector<double>& scores) {
    std::vector<text::ChainCrf> chains;
    scores.assign(margins.size(), 0.0);
    for (std::size_t l = 0; l < labels; ++l) {
        std::vector<std::vector<double>> z;
        std::vector<std::vector<std::uint8_t>> y;
        for (const auto& [first, last] : sequences) {
            z.emplace_back();
            y.emplace_back();
            for (std::size_t r = first; r < last; ++r) {
                z.back().push_back(margins[r * labels + l]);
                y.back().push_back(targets[r * labels + l]);
            }
        }
        chains.push_back(text::ChainCrf::fit(z, y));
        for (std::size_t k = 0; k < sequences.size(); ++k) {
            const auto p = chains.back().marginals(z[k]);
            for (std::size_t i = 0; i < p.size(); ++i) scores[(sequences[k].first + i) * labels + l] = p[i];
        }
    }
    return chains;
}

// F1 of the rows whose score is >= threshold.
double f1_at(const std::vector<float>& scores, const std::vector<float>& truth, double threshold) {
    std::size_t tp = 0, fp = 0, fn = 0;
    for (std::size_t r = 0; r < scores.size(); ++r) {
        const bool yes = scores[r] >= threshold, positive = truth[r] > 0.5f;
        tp += yes && positive;
        fp += yes && !positive;
        fn += !yes && positive;
    }
    return tp == 0 ? 0.0 : 2.0 * double(tp) / double(2 * tp + fp + fn);
}

HeldOutChoice choose_on_held_out(const std::vector<double>& margins, const std::vector<std::uint8_t>& targets,
                                 const std::vector<std::string>& names, bool calibrate, bool tune,
                                 const Sequences* chain) {
    const std::size_t labels = names.size(), rows = margins.size() / labels;
    HeldOutChoice out;
    out.scalings.resize(labels);
    std::vector<double> chain_scores;
    if (chain) {
        out.chain = fit_chains(margins, targets, labels, *chain, chain_scores);
        calibrate = false;  // the chain's unary a z + b is its calibration
    }
    // Platt scaling per pattern where the held-out lessons show both classes and the margin says
    // something (a < 0: a higher margin, a likelier pattern); else the logistic of the margin.
    for (std::size_t l = 0; l < labels && calibrate; ++l) {
        std::vector<double> f(rows);
        std::vector<bool> y(rows);
        std::size_t pos = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            f[r] = margins[r * labels + l];
            y[r] = targets[r * labels + l] != 0;
            pos += y[r];
        }
        if (pos == 0 || pos == rows) continue;
        const auto s = text::PlattScaling::fit(f, y);
        if (!(s.a < 0)) continue;
        out.scalings[l] = s;
        out.calibrated = true;
        out.calibration_json.push_back({{"label", names[l]}, {"a", s.a}, {"b", s.b}, {"val_positive_utterances", pos}});
    }
    // Thresholds on the calibrated scores, each pattern's fallback the score of margin 0: the boundary
    // the balanced class weights draw, which held-out lessons move only as far as their F1 clearly asks
    // for (tune_thresholds).
    for (std::size_t l = 0; l < labels; ++l) {
        std::vector<float> one(rows), truth(rows);
        for (std::size_t r = 0; r < rows; ++r) {
            one[r] = float(chain ? chain_scores[r * labels + l] : out.scalings[l](margins[r * labels + l]));
            truth[r] = targets[r * labels + l];
        }
        const double boundary = chain ? 0.5 : out.scalings[l](0.0);
        auto tuned = tune_thresholds(one, truth, 1, boundary).front();
        if (!tune) {  // the balanced boundary; its held-out F1 still ranks the C values of the cross-validation
            tuned.threshold = boundary;
            tuned.f1 = f1_at(one, truth, boundary);
            tuned.tuned = false;
        }
        out.thresholds.push_back(tuned.threshold);
        out.macro_f1 += tuned.f1 / double(labels);
        out.thresholds_json.push_back({{"label", names[l]},
                                       {"threshold", tuned.threshold},
                                       {"val_f1", tuned.f1},
                                       {"val_positive_utterances", tuned.positives},
                                       {"tuned", tuned.tuned}});
    }
    return out;
}

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
    const bool cross_validate = options.folds >= 2;
    if (cross_validate && std::size_t(options.folds) > lessons.size())
        throw Error(ErrorCode::InvalidArgument, "--folds " + std::to_string(options.folds) + " needs at least as many "
                    "lessons; the table has " + std::to_string(lessons.size()));
    if (!cross_validate && options.c_grid.size() > 1)
        throw Error(ErrorCode::InvalidArgument, "several --c values need --folds K to choose among them");
    if (options.val_fraction > 0 && lessons.size() >= 2 && !cross_validate)
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

    // Rows of the lessons `which` (fold of each row: the lesson's position in `which` mod `folds`).
    std::vector<int> row_fold;
    Sequences sequences;  // of the last call
    const auto rows_and_targets = [&](const std::vector<std::size_t>& which, std::vector<text::SparseRow>& rows,
                                      std::vector<std::uint8_t>& targets) {
        sequences.clear();
        for (std::size_t p = 0; p < which.size(); ++p) {
            const auto i = which[p];
            auto r = m.rows_of(text::segments_of(lessons[i]));
            sequences.emplace_back(rows.size(), rows.size() + r.size());
            for (std::size_t k = 0; k < r.size(); ++k) {
                rows.push_back(std::move(r[k]));
                row_fold.push_back(cross_validate ? int(p % std::size_t(options.folds)) : 0);
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
    const Sequences train_sequences = sequences;
    const std::size_t train_rows = rows.size();
    if (options.chain && val.empty() && !cross_validate)
        throw Error(ErrorCode::InvalidArgument,
                    "the sequence model (--arch crf) learns from held-out lessons: give --val-fraction > 0 or --folds K");
    std::vector<std::size_t> positives(labels, 0);
    for (std::size_t i = 0; i < targets.size(); ++i) positives[i % labels] += targets[i];
    if (std::all_of(positives.begin(), positives.end(), [&](std::size_t p) { return p == rows.size(); }))
        throw Error(ErrorCode::InvalidData, "a single class: every training utterance carries every label");
    text::LogisticOptions logistic = options.logistic;
    logistic.dual.seed = logistic.sgd.seed = options.seed;

    m.thresholds_.assign(labels, 0.5);
    nlohmann::json thresholds = nlohmann::json::array(), calibration = nlohmann::json::array();
    nlohmann::json cv = nullptr;
    if (cross_validate) {
        // Every C: margins of each fold's lessons from the model fitted on the other folds; the choice
        // (calibration, thresholds) made on all of them; the C whose choice scores best kept.
        const std::vector<double> grid = options.c_grid.empty() ? std::vector<double>{logistic.c} : options.c_grid;
        cv = {{"folds", options.folds}, {"c", nlohmann::json::array()}};
        std::optional<HeldOutChoice> best;
        for (const double c : grid) {
            text::LogisticOptions o = logistic;
            o.c = c;
            std::vector<double> oof(rows.size() * labels);
            for (int f = 0; f < options.folds; ++f) {
                std::vector<text::SparseRow> fit_rows;
                std::vector<std::uint8_t> fit_targets;
                for (std::size_t r = 0; r < rows.size(); ++r)
                    if (row_fold[r] != f) {
                        fit_rows.push_back(rows[r]);
                        fit_targets.insert(fit_targets.end(), targets.begin() + long(r * labels),
                                           targets.begin() + long((r + 1) * labels));
                    }
                const auto fold_model = text::SparseLogistic::train(fit_rows, fit_targets, labels, width, o);
                for (std::size_t r = 0; r < rows.size(); ++r)
                    if (row_fold[r] == f) {
                        const auto z = fold_model.margins(rows[r]);
                        std::copy(z.begin(), z.end(), oof.begin() + long(r * labels));
                    }
            }
            auto choice = choose_on_held_out(oof, targets, m.labels_, options.calibrate, options.tune_thresholds,
                                             options.chain ? &train_sequences : nullptr);
            choice.c = c;
            cv["c"].push_back({{"c", c}, {"macro_f1", choice.macro_f1}});
            if (!best || choice.macro_f1 > best->macro_f1) best = std::move(choice);
        }
        logistic.c = best->c;
        cv["chosen_c"] = best->c;
        m.classifier_ = text::SparseLogistic::train(rows, targets, labels, width, logistic);
        if (best->calibrated) m.classifier_.set_calibration(best->scalings);
        m.chain_ = best->chain;
        m.thresholds_ = best->thresholds;
        thresholds = best->thresholds_json;
        calibration = best->calibration_json;
    } else {
        m.classifier_ = text::SparseLogistic::train(rows, targets, labels, width, logistic);
    }
    if (!val.empty()) {
        std::vector<text::SparseRow> val_rows;
        std::vector<std::uint8_t> val_targets;
        rows_and_targets(val, val_rows, val_targets);
        const auto choice = choose_on_held_out(margins_of(m.classifier_, val_rows), val_targets, m.labels_,
                                               options.calibrate, options.tune_thresholds, options.chain ? &sequences : nullptr);
        m.chain_ = choice.chain;
        if (choice.calibrated) m.classifier_.set_calibration(choice.scalings);
        m.thresholds_ = choice.thresholds;
        thresholds = choice.thresholds_json;
        calibration = choice.calibration_json;
        if (options.refit) {
            // Every lesson's utterances for the final weights, the calibration kept — and for the final
            // vocabulary and IDF too: the n-grams only the held-out lessons had would otherwise stay unseen,
            // left out of every row (LexicalVectorizer::transform), as if those lessons were not there.
            const auto kept = m.classifier_.calibration();
            std::vector<std::size_t> all = train;
            all.insert(all.end(), val.begin(), val.end());
            texts.clear();
            for (const auto i : all)
                for (const auto& u : lessons[i].utterances) texts.push_back(u.segment.text);
            m.lexical_ = text::LexicalVectorizer::fit(texts, options.lexical);
            std::vector<text::SparseRow> all_rows;
            std::vector<std::uint8_t> all_targets;
            rows.clear();
            rows.shrink_to_fit();
            targets.clear();
            rows_and_targets(all, all_rows, all_targets);
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
                   {"sublinear_tf", options.lexical.sublinear_tf},
                   {"cross_validation", cv},
                   {"arch", m.arch()},
                   {"epochs", m.classifier_.epochs()},
                   {"converged", m.classifier_.converged()},
                   {"calibration", calibration},
                   {"thresholds", thresholds},
                   {"thresholds_tuned", options.tune_thresholds},
                   {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
    return m;
}

nlohmann::json UtteranceModel::to_json() const {
    nlohmann::json doc = {{"labels", labels_},       {"thresholds", thresholds_},
            {"context", context_},     {"neighbours", neighbours_}, {"lexical", lexical_.to_json()},
            {"classifier", classifier_.to_json()}, {"training", training_}};
    if (!chain_.empty()) {
        doc["chain"] = nlohmann::json::array();
        for (const auto& c : chain_) doc["chain"].push_back(c.to_json());
    }
    return doc;
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
        if (doc.contains("chain")) {
            if (!doc.at("chain").is_array() || doc.at("chain").size() != m.labels_.size())
                throw Error(ErrorCode::InvalidData, "malformed text model: one chain CRF per label", path.string());
            for (const auto& c : doc.at("chain")) m.chain_.push_back(text::ChainCrf::from_json(c, path.string()));
        }
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
    if (!chain_.empty()) {  // the lesson's margins through each pattern's chain CRF
        const auto margins = margins_of(classifier_, rows_of(segments));
        const std::size_t labels = labels_.size();
        out.assign(segments.size() * labels, 0.f);
        for (std::size_t l = 0; l < labels; ++l) {
            std::vector<double> z(segments.size());
            for (std::size_t r = 0; r < z.size(); ++r) z[r] = margins[r * labels + l];
            const auto p = chain_[l].marginals(z);
            for (std::size_t r = 0; r < z.size(); ++r) out[r * labels + l] = float(p[r]);
        }
        return out;
    }
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

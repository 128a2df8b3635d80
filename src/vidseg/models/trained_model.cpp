#include "vidseg/models/trained_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/models/threshold_tuning.hpp"
#include "vidseg/models/torch_backend.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

bool has_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
    if (prefixes.empty()) return true;
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string& p) { return name.compare(0, p.size(), p) == 0; });
}

std::vector<float> gather_columns(const features::FeatureMatrix& m, const std::vector<std::size_t>& cols,
                                  const ModelInfo& info) {
    std::vector<float> x(m.rows() * cols.size());
    for (std::size_t r = 0; r < m.rows(); ++r)
        for (std::size_t c = 0; c < cols.size(); ++c)
            x[r * cols.size() + c] = (m.at(r, cols[c]) - info.mean[c]) / info.scale[c];
    return x;
}

// What the feature file says of its chroma; nullopt when it does not say (CSV) or has no audio columns.
std::optional<ChromaTuning> chroma_of(const features::FeatureMatrix& m) {
    if (!m.chroma_tuning) return std::nullopt;
    if (m.chroma_tuning_estimated) return ChromaTuning{.estimated = true};
    return ChromaTuning{.estimated = false, .fixed = *m.chroma_tuning};
}

// The chroma tuning of the training features (those that say it); they must agree, else the model's
// chroma columns would mean different things from file to file.
ChromaTuning training_chroma(const TrainingSet& set) {
    std::optional<ChromaTuning> found;
    std::string found_source;
    for (const auto& s : set.sequences) {
        const auto c = chroma_of(s.features);
        if (!c) continue;
        if (!found) {
            found = c;
            found_source = s.features.source;
        } else if (c->estimated != found->estimated || (!c->estimated && std::abs(c->fixed - found->fixed) > 1e-6)) {
            throw Error(ErrorCode::InvalidData,
                        "training features mix chroma tunings: " + found_source + " has " + describe(*found) + ", " +
                            s.features.source + " has " + describe(*c) +
                            " (compute them all with the same `vidseg features --chroma-tuning`)");
        }
    }
    return found.value_or(ChromaTuning{});
}

// What the user can do about missing columns: text columns come from a transcript, speaker columns
// from one that names the speakers; anything else means features computed with other settings.
std::string missing_columns_hint(const std::vector<std::string>& missing) {
    const auto is_speaker = [](const std::string& c) { return c.compare(0, 8, "speaker_") == 0; };
    const bool all_text = std::all_of(missing.begin(), missing.end(), [](const std::string& c) {
        return features::column_group(c) == features::ColumnGroup::Text;
    });
    if (!all_text) return "they were computed differently (other step, groups or options of `vidseg features`)";
    if (std::all_of(missing.begin(), missing.end(), is_speaker))
        return "the model reads who spoke: its transcript must name the speaker of each segment (\"speaker\" in the "
               "JSON segments, WebVTT voice tags <v Name>)";
    return "the model reads text columns computed from the lesson's transcript: give --transcript FILE (.json, "
           ".srt, .vtt) or --whisper-backend to `vidseg predict` / `patterns find` with the video, or compute the "
           "features with `vidseg features VIDEO --transcript FILE`";
}

}  // namespace

TrainedModel::TrainedModel(ModelInfo info, std::string weights)
    : info_(std::move(info)), weights_(std::move(weights)), network_(torch_backend().load(info_, weights_)) {}
TrainedModel::TrainedModel(TrainedModel&&) noexcept = default;
TrainedModel& TrainedModel::operator=(TrainedModel&&) noexcept = default;
TrainedModel::~TrainedModel() = default;

const ModelInfo& TrainedModel::info() const noexcept { return info_; }

TrainedModel TrainedModel::train(const TrainingSet& set, const TrainOptions& options,
                                 const std::vector<std::string>& column_prefixes,
                                 const std::function<void(const EpochReport&)>& on_epoch) {
    if (set.sequences.empty()) throw Error(ErrorCode::InvalidData, "empty dataset: nothing to train on");
    if (options.epochs < 1) throw Error(ErrorCode::InvalidArgument, "--epochs must be at least 1");
    if (!(options.lr > 0)) throw Error(ErrorCode::InvalidArgument, "--lr must be > 0");
    if (options.val_fraction < 0 || options.val_fraction >= 1)
        throw Error(ErrorCode::InvalidArgument, "--val-fraction must be in [0, 1)");
    const auto& spec = set.sequences.front().features.spec;
    ModelInfo info;
    info.arch = options.arch;
    info.task = options.task;
    info.hyper = options.hyper;
    info.seed = options.seed;
    info.labels = set.labels;
    info.spec.step = spec.step;
    info.spec.window = spec.window;
    std::vector<std::size_t> cols;
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        if (has_prefix(spec.columns[c], column_prefixes)) {
            cols.push_back(c);
            info.spec.columns.push_back(spec.columns[c]);
        }
    if (cols.empty()) throw Error(ErrorCode::InvalidArgument, "no feature column starts with the given --columns prefixes");
    if (reads_chroma(info.spec)) info.chroma = training_chroma(set);

    // Standardisation over every training row, stored in the model.
    std::vector<double> sum(cols.size(), 0), sq(cols.size(), 0);
    double n = 0;
    for (const auto& s : set.sequences) {
        check_finite(s.features);
        for (std::size_t r = 0; r < s.features.rows(); ++r, n += 1)
            for (std::size_t c = 0; c < cols.size(); ++c) {
                const double v = s.features.at(r, cols[c]);
                sum[c] += v;
                sq[c] += v * v;
            }
    }
    for (std::size_t c = 0; c < cols.size(); ++c) {
        const double mean = sum[c] / n;
        const double var = std::max(0.0, sq[c] / n - mean * mean);
        info.mean.push_back(float(mean));
        info.scale.push_back(var > 1e-12 ? float(std::sqrt(var)) : 1.f);
    }

    TrainingData data;
    data.cols = cols.size();
    data.labels = set.labels.size();
    std::vector<double> positives(data.labels, 0);
    double rows = 0;
    for (const auto& s : set.sequences) {
        SequenceData seq;
        seq.source = s.features.source;
        seq.rows = s.features.rows();
        seq.x = gather_columns(s.features, cols, info);
        seq.y.assign(s.targets.begin(), s.targets.end());
        for (std::size_t i = 0; i < s.targets.size(); ++i) positives[i % data.labels] += s.targets[i];
        rows += double(seq.rows);
        data.sequences.push_back(std::move(seq));
    }
    // Class weights: a label's positive rows weigh negatives/positives (at most 100).
    for (double p : positives) data.pos_weight.push_back(float(std::clamp((rows - p) / std::max(p, 1.0), 1.0, 100.0)));

    auto result = torch_backend().train(data, info, options, on_epoch);
    info.training = result.report;
    info.training["arch"] = architecture_name(options.arch);
    info.training["epochs"] = options.epochs;
    info.training["lr"] = options.lr;
    info.training["k_folds"] = options.folds;
    info.training["val_fraction"] = options.val_fraction;
    info.training["sources"] = set.sequences.size();
    info.training["class_weights"] = data.pos_weight;
    // Per-pattern thresholds from the validation rows (not for the CRF: Viterbi decides, not a threshold).
    if (options.task == Task::Patterns && options.arch != Architecture::TransformerCrf &&
        !result.val_probabilities.empty()) {
        const auto tuned = tune_thresholds(result.val_probabilities, result.val_targets, info.labels.size());
        nlohmann::json report = nlohmann::json::array();
        for (std::size_t l = 0; l < tuned.size(); ++l) {
            info.thresholds.push_back(tuned[l].threshold);
            report.push_back({{"label", info.labels[l]},
                              {"threshold", tuned[l].threshold},
                              {"val_f1", tuned[l].f1},
                              {"val_positive_rows", tuned[l].positives},
                              {"tuned", tuned[l].tuned}});
        }
        info.training["thresholds"] = report;
    }
    return TrainedModel(std::move(info), std::move(result.weights));
}

void TrainedModel::save(const fs::path& path) const {
    write_file_atomic(path, to_json(info_).dump() + "\n" + weights_);
}

ModelInfo parse_model_header(const std::string& content, const std::string& subject) {
    const auto newline = content.find('\n');
    if (content.empty() || content[0] != '{' || newline == std::string::npos)
        throw Error(ErrorCode::InvalidData, "not a vidseg model (no JSON header line)", subject);
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(content.substr(0, newline));
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("not a vidseg model (header: ") + e.what() + ")", subject);
    }
    return model_info_from_json(header, subject);
}

TrainedModel TrainedModel::load(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "model not found", path.string());
    if (fs::is_directory(path, ec)) throw Error(ErrorCode::InvalidArgument, "is a directory, not a model file", path.string());
    const std::string content = read_limited_file(path, kMaxModelFileBytes);
    auto info = parse_model_header(content, path.string());
    try {
        return TrainedModel(std::move(info), content.substr(content.find('\n') + 1));
    } catch (const Error& e) {
        throw Error(e.code(), e.cause(), path.string());
    }
}

std::vector<std::size_t> TrainedModel::column_map(const features::FeatureSpec& spec, const std::string& source) const {
    const auto& want = info_.spec;
    if (std::abs(spec.step - want.step) > 1e-6 || std::abs(spec.window - want.window) > 1e-6) {
        std::ostringstream s;
        s << "features have step " << spec.step << " s / window " << spec.window << " s, the model was trained on step "
          << want.step << " s / window " << want.window << " s";
        throw Error(ErrorCode::InvalidData, s.str(), source);
    }
    std::vector<std::size_t> map;
    std::vector<std::string> missing;
    for (const auto& name : want.columns) {
        const auto it = std::find(spec.columns.begin(), spec.columns.end(), name);
        if (it == spec.columns.end()) missing.push_back(name);
        else map.push_back(std::size_t(it - spec.columns.begin()));
    }
    if (!missing.empty()) {
        std::string list;
        for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
        if (missing.size() > 5) list += ", ...";
        throw Error(ErrorCode::InvalidData,
                    "features lack " + std::to_string(missing.size()) + " of the model's " +
                        std::to_string(want.columns.size()) + " columns (" + list + "): " + missing_columns_hint(missing),
                    source);
    }
    return map;
}

Prediction TrainedModel::predict(const features::FeatureMatrix& matrix, std::optional<double> threshold) const {
    if (threshold && info_.arch == Architecture::TransformerCrf)
        throw Error(ErrorCode::InvalidArgument,
                    "--threshold does not apply to transformer-crf models (their Viterbi path decides)");
    if (threshold && !(*threshold > 0 && *threshold < 1))
        throw Error(ErrorCode::InvalidArgument, "--threshold must lie in (0, 1)");
    const auto cols = column_map(matrix.spec, matrix.source);
    if (const auto chroma = chroma_of(matrix); chroma && reads_chroma(info_.spec)) {
        const bool same = chroma->estimated == info_.chroma.estimated &&
                          (chroma->estimated || std::abs(chroma->fixed - info_.chroma.fixed) <= 1e-6);
        if (!same)
            throw Error(ErrorCode::InvalidData,
                        "features have chroma tuning " + describe(*chroma) + ", the model was trained on chroma tuning " +
                            describe(info_.chroma) + " (vidseg features --chroma-tuning " +
                            (info_.chroma.estimated ? std::string("auto") : nlohmann::json(info_.chroma.fixed).dump()) +
                            " gives matching features)",
                        matrix.source);
    }
    if (matrix.rows() == 0) throw Error(ErrorCode::InvalidData, "feature file has no rows", matrix.source);
    if (matrix.values.size() != matrix.rows() * matrix.cols())
        throw Error(ErrorCode::InvalidData, "feature values do not fill rows x columns", matrix.source);
    for (std::size_t r = 0; r < matrix.rows(); ++r)
        for (auto c : cols)
            if (!std::isfinite(matrix.at(r, c))) check_finite(matrix);  // throws with the position
    Prediction p;
    p.source = matrix.source;
    p.labels = info_.labels;
    p.times = matrix.times;
    auto out = network_->predict(gather_columns(matrix, cols, info_), matrix.rows());
    p.probabilities = std::move(out.probabilities);
    p.decisions = std::move(out.decisions);
    if (info_.arch != Architecture::TransformerCrf && (threshold || !info_.thresholds.empty())) {
        const std::size_t labels = info_.labels.size();
        for (std::size_t i = 0; i < p.probabilities.size(); ++i)
            p.decisions[i] = p.probabilities[i] >= (threshold ? *threshold : info_.thresholds[i % labels]);
    }
    const double step = info_.spec.step;
    for (const auto& h : out.heads) {
        if (h.rows == 0 || h.first + h.rows > matrix.rows()) continue;
        const double t0 = matrix.times[h.first];
        const double span = double(h.rows) * step;
        const double a = std::clamp(double(std::min(h.start, h.end)), 0.0, 1.0);
        const double b = std::clamp(double(std::max(h.start, h.end)), 0.0, 1.0);
        p.intro_heads.push_back({{t0, matrix.times[h.first + h.rows - 1] + step}, double(h.presence),
                                 {t0 + a * span, t0 + b * span}});
    }
    p.detections = decode_detections(p, info_.spec.step, info_.task);
    return p;
}

std::vector<Detection> decode_detections(const Prediction& p, double step, Task task, double merge_gap, double min_length) {
    if (task == Task::Intro && !p.intro_heads.empty() && p.labels.size() == 1) {
        constexpr double kPresent = 0.5;
        const auto present = [&](const timeline::Interval& span) {
            return std::any_of(p.intro_heads.begin(), p.intro_heads.end(), [&](const IntroHeads& h) {
                return h.presence >= kPresent && std::min(span.end, h.chunk.end) > std::max(span.start, h.chunk.start);
            });
        };
        Prediction rows_only = p;
        rows_only.intro_heads.clear();
        const auto runs = decode_detections(rows_only, step, Task::Patterns, merge_gap, min_length);
        const Detection* heaviest = nullptr;
        double mass = 0;
        for (const auto& r : runs)
            if (const double m = r.score * r.span.length(); present(r.span) && m > mass) {
                mass = m;
                heaviest = &r;
            }
        if (!heaviest) return {};
        return {*heaviest};
    }
    const std::size_t labels = p.labels.size(), rows = p.times.size();
    std::vector<Detection> out;
    for (std::size_t l = 0; l < labels; ++l) {
        std::vector<std::pair<Detection, double>> runs;  // detection, probability mass
        for (std::size_t r = 0; r < rows;) {
            if (!p.decisions[r * labels + l]) {
                ++r;
                continue;
            }
            std::size_t e = r;
            double mass = 0;
            while (e < rows && p.decisions[e * labels + l]) mass += p.probabilities[e++ * labels + l];
            Detection d{p.labels[l], {p.times[r], p.times[e - 1] + step}, 0};
            if (!runs.empty() && d.span.start - runs.back().first.span.end <= merge_gap + 1e-9) {
                auto& last = runs.back();
                last.first.span.end = d.span.end;
                last.second += mass;
                last.first.score += double(e - r);  // row count, turned into a mean below
            } else {
                d.score = double(e - r);
                runs.push_back({d, mass});
            }
            r = e;
        }
        std::vector<Detection> kept;
        double best_mass = -1;
        for (auto& [d, mass] : runs) {
            const double count = d.score;
            d.score = mass / count;
            if (d.span.length() + 1e-9 < min_length) continue;
            if (task == Task::Intro) {
                if (mass > best_mass) {
                    best_mass = mass;
                    kept.assign(1, d);
                }
            } else {
                kept.push_back(d);
            }
        }
        out.insert(out.end(), kept.begin(), kept.end());
    }
    std::sort(out.begin(), out.end(), [](const Detection& a, const Detection& b) {
        return a.span.start != b.span.start ? a.span.start < b.span.start : a.label < b.label;
    });
    return out;
}

}  // namespace vidseg::models

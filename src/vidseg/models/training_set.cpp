#include "vidseg/models/training_set.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(6);
    s << v;
    return s.str();
}

void read_metadata_jsonl(const fs::path& file, IntervalLabels& out, std::set<std::string>& seen) {
    std::istringstream in(read_limited_file(file));
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = "line " + std::to_string(number) + ": ";
        nlohmann::json row;
        try {
            row = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
            throw Error(ErrorCode::InvalidData, where + "not JSON (" + e.what() + ")", file.string());
        }
        try {
            LabeledInterval item;
            item.source = row.at("source_video").get<std::string>();
            item.span = {row.at("start").get<double>(), row.at("end").get<double>()};
            item.labels = row.at("patterns").get<std::vector<std::string>>();
            if (!(item.span.end > item.span.start) || item.span.start < 0)
                throw Error(ErrorCode::InvalidData,
                            where + "interval [" + fmt(item.span.start) + ", " + fmt(item.span.end) + ") is empty or negative",
                            file.string());
            if (seen.insert(item.source).second) out.sources.push_back(item.source);
            out.intervals.push_back(std::move(item));
        } catch (const nlohmann::json::exception&) {
            throw Error(ErrorCode::InvalidData,
                        where + "needs \"source_video\" (string), \"start\", \"end\" (seconds) and \"patterns\" (list)",
                        file.string());
        }
    }
}

}  // namespace

fs::path dataset_split(const fs::path& data, const std::string& split, std::string* note) {
    std::error_code ec;
    const bool folder = fs::is_directory(data, ec);
    if (split == "all") return data;
    if (split == "train" || split == "test") {
        if (!folder || !fs::is_directory(data / split, ec))
            throw Error(ErrorCode::InvalidArgument, "--split " + split + ": no " + split + "/ folder in the dataset",
                        data.string());
        if (note) *note = "training on the dataset's " + split + "/ split only (--split " + split + ")";
        return data / split;
    }
    if (split != "auto")
        throw Error(ErrorCode::InvalidArgument, "unknown --split '" + split + "' (auto, train, test or all)");
    if (folder && fs::is_directory(data / "train", ec) && fs::is_directory(data / "test", ec)) {
        if (note)
            *note = "training on the dataset's train/ split only: test/ is held out for evaluation (--split all "
                    "trains on both)";
        return data / "train";
    }
    return data;
}

std::string source_key(const std::string& name) {
    std::string key = intro::match_key(fs::path(name).filename().string());
    for (const std::string suffix : {".features", "_features"})
        if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
            key.resize(key.size() - suffix.size());
    return intro::match_key(key);
}

IntervalLabels read_interval_labels(const fs::path& path, Task task) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::InputNotFound, "labels not found", path.string());
    IntervalLabels out;
    std::set<std::string> seen;
    if (fs::is_directory(path, ec)) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::recursive_directory_iterator(path))
            if (entry.is_regular_file() && entry.path().filename() == "metadata.jsonl") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        if (files.empty())
            throw Error(ErrorCode::InvalidData, "no metadata.jsonl in the dataset folder (run 'vidseg dataset build')",
                        path.string());
        for (const auto& f : files) read_metadata_jsonl(f, out, seen);
    } else if (path.extension() == ".jsonl") {
        read_metadata_jsonl(path, out, seen);
    } else if (task == Task::Intro) {
        for (const auto& label : intro::read_intro_labels(path).labels) {
            out.sources.push_back(label.id);
            if (label.intro) out.intervals.push_back({label.id, *label.intro, {"intro"}});
        }
        return out;
    } else {
        throw Error(ErrorCode::InvalidArgument,
                    "pattern labels are a dataset folder or its metadata.jsonl (intro label files need --task intro)",
                    path.string());
    }
    if (task == Task::Intro) {
        // A dataset used for intros: its "intro" intervals (any case) are the labels.
        std::vector<LabeledInterval> intros;
        for (auto& i : out.intervals)
            for (const auto& l : i.labels) {
                std::string lower = l;
                std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
                if (lower == "intro") {
                    intros.push_back({i.source, i.span, {"intro"}});
                    break;
                }
            }
        out.intervals = std::move(intros);
    }
    return out;
}

std::size_t training_chunk_rows(const TrainingSet& set, int chunk_rows) {
    std::size_t len = std::size_t(std::max(1, chunk_rows));
    for (const auto& s : set.sequences) len = std::min(len, s.features.rows());
    return len;
}

std::size_t count_training_chunks(const TrainingSet& set, int chunk_rows) {
    const std::size_t len = training_chunk_rows(set, chunk_rows);
    if (len == 0) return 0;
    std::size_t chunks = 0;
    for (const auto& s : set.sequences) chunks += (s.features.rows() + len - 1) / len;
    return chunks;
}

void check_finite(const features::FeatureMatrix& m) {
    for (std::size_t r = 0; r < m.rows(); ++r)
        for (std::size_t c = 0; c < m.cols(); ++c)
            if (!std::isfinite(m.at(r, c)))
                throw Error(ErrorCode::InvalidData,
                            std::string(std::isnan(m.at(r, c)) ? "NaN" : "infinite") + " feature value in column '" +
                                m.spec.columns[c] + "' at " + fmt(m.times[r]) +
                                " s (fill or drop missing values before training / prediction)",
                            m.source);
}

std::vector<std::uint8_t> row_targets(const features::FeatureMatrix& m, const std::vector<LabeledInterval>& intervals,
                                      const std::vector<std::string>& labels) {
    std::vector<std::uint8_t> y(m.rows() * labels.size(), 0);
    const double duration = m.rows() == 0 ? 0.0 : m.times.back() + m.spec.window;
    // Label files round to whole seconds and the last window may be cut short: allow one row of slack.
    const double slack = std::max(m.spec.step, m.spec.window);
    for (const auto& interval : intervals) {
        if (interval.span.start >= duration || interval.span.end > duration + slack)
            throw Error(ErrorCode::InvalidData,
                        "label interval [" + fmt(interval.span.start) + ", " + fmt(interval.span.end) +
                            ") s lies outside the video's features (0 - " + fmt(duration) + " s)",
                        m.source);
        for (const auto& name : interval.labels) {
            const auto it = std::find(labels.begin(), labels.end(), name);
            if (it == labels.end()) continue;
            const std::size_t l = std::size_t(it - labels.begin());
            for (std::size_t r = 0; r < m.rows(); ++r) {
                const double mid = m.times[r] + m.spec.window / 2;
                if (mid >= interval.span.start && mid < interval.span.end) y[r * labels.size() + l] = 1;
            }
        }
    }
    return y;
}

TrainingSet make_training_set(std::vector<features::FeatureMatrix> features, const IntervalLabels& labels, Task task) {
    if (features.empty()) throw Error(ErrorCode::InvalidData, "empty dataset: no feature files given");
    if (labels.sources.empty()) throw Error(ErrorCode::InvalidData, "empty dataset: the labels name no video");
    if (task == Task::Patterns && labels.intervals.empty())
        throw Error(ErrorCode::InvalidData, "empty dataset: no labelled intervals");

    TrainingSet set;
    if (task == Task::Intro) {
        set.labels = {"intro"};
    } else {
        std::set<std::string> names;
        for (const auto& i : labels.intervals) names.insert(i.labels.begin(), i.labels.end());
        set.labels.assign(names.begin(), names.end());
        if (set.labels.empty()) throw Error(ErrorCode::InvalidData, "empty dataset: the intervals carry no pattern");
    }

    std::map<std::string, std::vector<LabeledInterval>> by_source;
    std::set<std::string> labelled;
    for (const auto& s : labels.sources) labelled.insert(source_key(s));
    for (const auto& i : labels.intervals) by_source[source_key(i.source)].push_back(i);

    std::set<std::string> matched;
    std::optional<features::FeatureSpec> first_spec;
    std::string first_source;
    for (auto& m : features) {
        if (m.rows() == 0) throw Error(ErrorCode::InvalidData, "feature file has no rows", m.source);
        if (first_spec && !(m.spec == *first_spec))
            throw Error(ErrorCode::InvalidData,
                        "features differ from those of '" + first_source +
                            "' (step, window or columns); compute all of them with the same settings",
                        m.source);
        check_finite(m);
        const std::string key = source_key(m.source);
        if (!labelled.count(key)) {
            set.unlabeled_features.push_back(m.source);
            continue;
        }
        if (!matched.insert(key).second)
            throw Error(ErrorCode::InvalidData, "two feature files for the same video '" + key + "'", m.source);
        auto targets = row_targets(m, by_source[key], set.labels);
        if (!first_spec) {
            first_spec = m.spec;
            first_source = m.source;
        }
        set.sequences.push_back({std::move(m), std::move(targets)});
    }
    for (const auto& s : labels.sources)
        if (!matched.count(source_key(s))) set.missing_features.push_back(s);
    if (set.sequences.empty())
        throw Error(ErrorCode::InvalidData,
                    "no feature file matches a labelled video (features are matched to labels by file name, e.g. "
                    "'lesson1.features.csv' to 'lesson1.mp4')");

    std::size_t positive = 0, cells = 0;
    std::vector<std::size_t> per_label(set.labels.size(), 0);
    for (const auto& s : set.sequences) {
        cells += s.targets.size();
        for (std::size_t i = 0; i < s.targets.size(); ++i)
            if (s.targets[i]) {
                ++positive;
                ++per_label[i % set.labels.size()];
            }
    }
    if (positive == 0 || positive == cells)
        throw Error(ErrorCode::InvalidData,
                    std::string("a single class: ") + (positive == 0 ? "no row carries a label" : "every row carries every label") +
                        " in the matched features, nothing to learn");
    for (std::size_t l = 0; l < set.labels.size(); ++l)
        if (per_label[l] == 0)
            throw Error(ErrorCode::InvalidData, "label '" + set.labels[l] + "' covers no feature row (intervals shorter than a row?)");
    return set;
}

}  // namespace vidseg::models

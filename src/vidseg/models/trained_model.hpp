// A trained detector: train it on a TrainingSet, save / load it, run it on a FeatureMatrix.
// Torch-free (the networks live in the libtorch module, models/torch_backend.hpp).
//
// Model file: one line of JSON (the ModelInfo header: arch, hyper-parameters, feature spec, labels,
// normalisation, training report), a newline, then the parameters as a torch archive.
// predict() checks the features against the header: the same step and window and every column the
// model reads (extra columns are ignored) and, when it reads chroma columns, the chroma tuning the
// file says it was computed with (ModelInfo::chroma; files that do not say, CSV, are not checked);
// anything else is Error(InvalidData) saying what differs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/models/model_config.hpp"
#include "vidseg/models/training_set.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::models {

class Network;
struct EpochReport;

struct Detection {
    std::string label;
    timeline::Interval span;
    double score = 0;  // mean probability of the label over the interval's rows
};

// The intro heads of one chunk of rows (BiLSTM, intro task): whether the chunk holds an intro and
// where the start/end regression head puts it, in seconds of the video.
struct IntroHeads {
    timeline::Interval chunk;   // the rows the heads saw: [first row start, last row start + step)
    double presence = 0;        // probability of an intro (part of one) in the chunk
    timeline::Interval intro;   // the regression head's intro within the chunk
};

struct Prediction {
    std::string source;
    std::vector<std::string> labels;
    std::vector<double> times;                // row start times
    std::vector<float> probabilities;         // rows * labels
    std::vector<std::uint8_t> decisions;      // rows * labels
    std::vector<Detection> detections;        // ordered by start, then label
    std::vector<IntroHeads> intro_heads;      // per chunk, when the network has the heads; else empty
};

class TrainedModel {
public:
    // Columns: every column of the features whose name starts with one of `column_prefixes`
    // (all columns when empty). on_epoch sees every epoch (and may throw to stop).
    static TrainedModel train(const TrainingSet& set, const TrainOptions& options,
                              const std::vector<std::string>& column_prefixes = {},
                              const std::function<void(const EpochReport&)>& on_epoch = {});
    // InputNotFound when missing, InvalidData when not a vidseg model.
    static TrainedModel load(const std::filesystem::path& path);
    // Atomic write; OutputError when it cannot.
    void save(const std::filesystem::path& path) const;

    const ModelInfo& info() const noexcept;
    // Rows carry a label when its probability reaches the label's threshold (ModelInfo::thresholds,
    // else ::threshold), or `threshold` when given (--threshold; InvalidArgument for transformer-crf).
    Prediction predict(const features::FeatureMatrix& matrix, std::optional<double> threshold = std::nullopt) const;
    // The model's columns in `matrix` (index per model column); throws InvalidData on a mismatch.
    std::vector<std::size_t> column_map(const features::FeatureSpec& spec, const std::string& source) const;

    TrainedModel(TrainedModel&&) noexcept;
    TrainedModel& operator=(TrainedModel&&) noexcept;
    ~TrainedModel();

private:
    TrainedModel(ModelInfo info, std::string weights);
    ModelInfo info_;
    std::string weights_;
    std::unique_ptr<Network> network_;
};

// Runs of rows decided for a label become intervals [first row start, last row start + step);
// runs separated by at most `merge_gap` seconds are joined, runs shorter than `min_length` dropped.
// For Task::Intro only the run with the largest probability mass is kept (one intro per video).
// With intro heads (prediction.intro_heads, the BiLSTM), an intro model's presence head decides:
// runs of rows in chunks whose presence is below 0.5 are dropped (none left = no intro, whatever
// the rows say), and the heaviest remaining run is the intro, with the rows' boundaries. The heads'
// start/end regression is not used for the boundaries: on the intro benchmark (bench/RESULTS.md,
// "BiLSTM heads at prediction") taking the regression's interval, averaging it with the rows' ends,
// or letting it pick the run all scored below the rows' boundaries (mean IoU 0.57 / 0.71 / 0.87 vs
// 0.91); it stays in Prediction::intro_heads for callers.
std::vector<Detection> decode_detections(const Prediction& prediction, double step, Task task,
                                         double merge_gap = 0, double min_length = 0);

// The header of a model file's bytes (its first line, JSON), checked as TrainedModel::load checks it,
// without the libtorch parameters after it. Throws Error(InvalidData / Unsupported) naming subject.
ModelInfo parse_model_header(const std::string& content, const std::string& subject);

}  // namespace vidseg::models

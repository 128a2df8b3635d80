// What a learned detector is: its architecture, task, hyper-parameters and the contract with its
// input (feature spec, label set, normalisation). Plain data without libtorch, shared by the
// library front (training_set, trained_model) and the libtorch module (torch/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::models {

enum class Architecture {
    Linear,          // per-row logistic regression: the fast baseline
    BiLstm,          // bidirectional LSTM, per-row labels + start/end regression + presence heads
    CnnLstm,         // 1-D convolutions over time (MFCC/contrast windows) then an LSTM
    TransformerCrf,  // Transformer encoder, a binary CRF per label with learned transitions, Viterbi
};
enum class Task { Patterns, Intro };

const char* architecture_name(Architecture arch) noexcept;  // "linear", "bilstm", "cnn-lstm", "transformer-crf"
const char* task_name(Task task) noexcept;                  // "patterns", "intro"
// Throw Error(InvalidArgument) naming the accepted values.
Architecture parse_architecture(const std::string& name);
Task parse_task(const std::string& name);
const std::vector<std::string>& architecture_names();

struct Hyperparameters {
    int hidden = 32;        // LSTM / Transformer width
    int layers = 1;         // LSTM or encoder layers
    int heads = 4;          // Transformer attention heads
    int kernel = 5;         // CNN kernel (rows)
    int chunk = 64;         // rows per training / inference sequence
    double dropout = 0.1;
    bool operator==(const Hyperparameters&) const = default;
};

struct TrainOptions {
    Architecture arch = Architecture::Linear;
    Task task = Task::Patterns;
    Hyperparameters hyper;
    int epochs = 40;
    double lr = 0.01;
    std::uint64_t seed = 1;
    int folds = 0;             // k-fold cross-validation before the final fit; 0 or 1 = none
    double val_fraction = 0.2; // chunks held out for early stopping (0 = none: run every epoch)
    int patience = 5;          // epochs without a better validation loss before stopping
    int batch = 16;            // chunks per step
    int threads = 2;           // intra-op threads (libtorch)
};

// How the chroma columns of the model's features were computed (`vidseg features --chroma-tuning`):
// estimated from each file's audio ("auto"), or a fixed offset from A440 in fractions of a semitone.
// Part of the model's feature spec: features computed for a video at prediction time use the same;
// feature files that say otherwise are refused. Model files without it: fixed 0 (the default).
struct ChromaTuning {
    bool estimated = false;
    double fixed = 0;  // when !estimated
    bool operator==(const ChromaTuning&) const = default;
};
// "auto (estimated per file)" / "fixed at 0.1": for messages.
std::string describe(const ChromaTuning& tuning);
// Whether the model reads a chroma column (chroma_k): only then does its ChromaTuning matter.
bool reads_chroma(const features::FeatureSpec& spec);

// The header saved with a model: everything needed to check its input and rebuild the network.
struct ModelInfo {
    Architecture arch = Architecture::Linear;
    Task task = Task::Patterns;
    Hyperparameters hyper;
    features::FeatureSpec spec;       // step, window and the columns the model reads, in order
    ChromaTuning chroma;              // how the chroma columns were computed (header: features.chroma_tuning)
    std::vector<std::string> labels;  // output columns: pattern names, or {"intro"}
    std::vector<float> mean, scale;   // per column: x' = (x - mean) / scale
    double threshold = 0.5;           // a row carries a label when its probability >= threshold
    // Per label, tuned on the validation rows at training (best F1; header "thresholds"); empty = `threshold`
    // for every label (models without validation, older model files).
    std::vector<double> thresholds;
    std::uint64_t seed = 1;
    nlohmann::json training;          // what training reported (epochs, losses, folds, timing)
};

nlohmann::json to_json(const ModelInfo& info);
// Throws Error(InvalidData) naming the missing / malformed field.
ModelInfo model_info_from_json(const nlohmann::json& doc, const std::string& subject);

}  // namespace vidseg::models

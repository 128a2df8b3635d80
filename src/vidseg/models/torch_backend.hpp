// The boundary between libvidseg and the libtorch code. Debian's libtorch drags ~280 shared
// libraries (Qt, GDAL, OpenCV highgui...) into any process that links it, which costs ~0.35 s of
// dynamic relocation at every start; so the networks live in a separate module
// (libvidseg_torch.so, built from models/torch/) that is dlopen()ed on the first train / predict
// and never by `vidseg --help` or the commands that need no model. This header is torch-free; data
// crosses as plain vectors of normalised floats.
//
// The module does not link libvidseg: it throws std::exception (std::invalid_argument for bad
// input, anything else for failures); torch_backend() wraps it so callers only see vidseg::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/models/model_config.hpp"

namespace vidseg::models {

// One labelled source, already normalised and reduced to the model's columns.
struct SequenceData {
    std::string source;
    std::size_t rows = 0;
    std::vector<float> x;  // rows * cols
    std::vector<float> y;  // rows * labels, 0 or 1
};

struct TrainingData {
    std::size_t cols = 0;
    std::size_t labels = 0;
    std::vector<SequenceData> sequences;
    std::vector<float> pos_weight;  // per label: negatives / positives (class weights), clamped
};

struct EpochReport {
    int fold = -1;  // -1 = the final fit
    int epoch = 0;
    double train_loss = 0;
    double val_loss = 0;  // NaN without validation
};

struct TrainResult {
    std::string weights;    // serialized parameters (torch archive)
    nlohmann::json report;  // epochs run, best epoch, losses, per-fold results
    // The final model's probabilities on the held-out validation rows and their targets (rows * labels
    // each; empty without validation): what per-label thresholds are tuned on.
    std::vector<float> val_probabilities;
    std::vector<float> val_targets;
};

// What a network's per-sequence intro heads say about one chunk of rows (the BiLSTM's presence and
// start/end regression heads, SPEC §2; the network sees a video as chunks of hyper.chunk rows).
struct ChunkHeads {
    std::size_t first = 0;  // first row of the chunk
    std::size_t rows = 0;   // rows in the chunk
    float presence = 0;     // probability that an intro (part of one) is in the chunk
    float start = 0, end = 0;  // the intro's start / end as fractions of the chunk's rows
};

// Per-row outputs of a network for one sequence.
struct RowOutputs {
    std::vector<float> probabilities;       // rows * labels
    std::vector<std::uint8_t> decisions;    // rows * labels (Viterbi path for the CRF, else p >= threshold)
    std::vector<ChunkHeads> heads;          // intro task with an architecture that has the heads; else empty
};

class Network {
public:
    virtual ~Network() = default;
    // x: rows * cols normalised values.
    virtual RowOutputs predict(const std::vector<float>& x, std::size_t rows) const = 0;
};

// A user's TorchScript image model (e.g. an exported ResNet18 or CLIP image encoder): one float
// image [1, 3, height, width] (already resized and normalised, channel-major) in, its output
// flattened out. Used by features/image_embedder.cpp for `vidseg features --embed-model X.pt`.
class ImageNetwork {
public:
    virtual ~ImageNetwork() = default;
    virtual std::vector<float> run(const std::vector<float>& chw, int height, int width) const = 0;
};

class TorchBackend {
public:
    virtual ~TorchBackend() = default;
    // on_epoch is called after every epoch (the caller may throw to stop, e.g. on Ctrl-C).
    virtual TrainResult train(const TrainingData& data, const ModelInfo& info, const TrainOptions& options,
                              const std::function<void(const EpochReport&)>& on_epoch) = 0;
    virtual std::unique_ptr<Network> load(const ModelInfo& info, const std::string& weights) = 0;
    // torch::jit::load of a TorchScript file; bad files are std::invalid_argument (InvalidData).
    virtual std::unique_ptr<ImageNetwork> load_image_model(const std::string& path) = 0;
};

// Loads the module on first use: $VIDSEG_TORCH_MODULE, else libvidseg_torch.so next to the running
// executable, else the path of the build tree. Throws Error(Unsupported) when none loads.
// Every call through the returned object converts module exceptions into vidseg::Error.
TorchBackend& torch_backend();

// The module's entry point (extern "C", resolved with dlsym).
inline constexpr const char* kTorchBackendSymbol = "vidseg_torch_backend";
using TorchBackendFactory = TorchBackend* (*)();

}  // namespace vidseg::models

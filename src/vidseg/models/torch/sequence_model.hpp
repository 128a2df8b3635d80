// The libtorch side of a learned detector: every architecture maps a batch of feature sequences
// [batch, rows, cols] to per-row label logits [batch, rows, labels], has a training loss and turns
// logits into per-row decisions. Only the module (libvidseg_torch.so) includes this header.
#pragma once

#include <torch/torch.h>

#include "vidseg/models/model_config.hpp"

namespace vidseg::models {

class SequenceModel : public torch::nn::Module {
public:
    // x [B, T, F] normalised features -> logits [B, T, L].
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;

    // Mean training loss; y [B, T, L] in {0, 1}; pos_weight [L] (class weights: negatives/positives).
    // The default: per-row binary cross-entropy with the positive rows weighted.
    virtual torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& pos_weight,
                               Task /*task*/) {
        return row_loss(forward(x), y, pos_weight);
    }

    // Per-sequence intro heads [B, 3]: presence probability, start and end as fractions of the T
    // rows (architectures that have them: BiLstmModel); an undefined tensor when there are none.
    virtual torch::Tensor sequence_heads(const torch::Tensor& /*x*/) { return {}; }

    // Per-row decisions [B, T, L] (uint8) from the logits.
    virtual torch::Tensor decide(const torch::Tensor& logits, double threshold) {
        return (torch::sigmoid(logits) >= threshold).to(torch::kUInt8);
    }

    static torch::Tensor row_loss(const torch::Tensor& logits, const torch::Tensor& y,
                                  const torch::Tensor& pos_weight) {
        return torch::nn::functional::binary_cross_entropy_with_logits(
            logits, y, torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(pos_weight));
    }
};

// Builds the network of info.arch for info.spec.columns.size() inputs and info.labels.size() outputs.
std::shared_ptr<SequenceModel> make_sequence_model(const ModelInfo& info);

}  // namespace vidseg::models

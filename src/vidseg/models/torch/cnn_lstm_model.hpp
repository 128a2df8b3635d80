// The users' second intro model (SPEC §2): 1-D convolutions over time on MFCC / spectral-contrast
// windows, then an LSTM whose states give the per-row labels.
#pragma once

#include "vidseg/models/torch/sequence_model.hpp"

namespace vidseg::models {

class CnnLstmModel final : public SequenceModel {
public:
    CnnLstmModel(int64_t cols, int64_t labels, const Hyperparameters& h)
        : conv1_(register_module("conv1", torch::nn::Conv1d(torch::nn::Conv1dOptions(cols, h.hidden, h.kernel)
                                                                 .padding(h.kernel / 2)))),
          conv2_(register_module("conv2", torch::nn::Conv1d(torch::nn::Conv1dOptions(h.hidden, h.hidden, h.kernel)
                                                                 .padding(h.kernel / 2)))),
          dropout_(register_module("dropout", torch::nn::Dropout(h.dropout))),
          lstm_(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(h.hidden, h.hidden)
                                                             .num_layers(h.layers)
                                                             .batch_first(true)
                                                             .bidirectional(true)))),
          rows_(register_module("rows", torch::nn::Linear(2 * h.hidden, labels))) {}

    torch::Tensor forward(const torch::Tensor& x) override {
        const int64_t t = x.size(1);
        auto c = x.transpose(1, 2);                          // [B, F, T]
        c = torch::relu(conv1_(c));
        c = torch::relu(conv2_(c)).narrow(2, 0, t);         // an even kernel adds a column
        c = dropout_(c.transpose(1, 2));                     // [B, T, H]
        return rows_(std::get<0>(lstm_(c)));
    }

private:
    torch::nn::Conv1d conv1_, conv2_;
    torch::nn::Dropout dropout_;
    torch::nn::LSTM lstm_;
    torch::nn::Linear rows_;
};

}  // namespace vidseg::models

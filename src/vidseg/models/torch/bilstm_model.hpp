// The users' intro model (SPEC §2) generalised to several labels: a bidirectional LSTM over the rows,
// a per-row label head, and over each sequence a start/end regression head and a presence head.
// For the intro task the loss adds 0.7 * MSE(start, end) + 0.3 * BCE(presence) to the per-row loss,
// as the users' model; start and end are the first and last labelled rows as fractions of the chunk.
#pragma once

#include "vidseg/models/torch/sequence_model.hpp"

namespace vidseg::models {

class BiLstmModel final : public SequenceModel {
public:
    BiLstmModel(int64_t cols, int64_t labels, const Hyperparameters& h)
        : lstm_(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(cols, h.hidden)
                                                             .num_layers(h.layers)
                                                             .batch_first(true)
                                                             .bidirectional(true)
                                                             .dropout(h.layers > 1 ? h.dropout : 0.0)))),
          rows_(register_module("rows", torch::nn::Linear(2 * h.hidden, labels))),
          bounds_(register_module("bounds", torch::nn::Linear(2 * h.hidden, 2))),
          presence_(register_module("presence", torch::nn::Linear(2 * h.hidden, 1))) {}

    torch::Tensor forward(const torch::Tensor& x) override { return rows_(encode(x)); }

    // [B, 3]: sigmoid(presence), start, end (fractions of the rows): what loss() trains for Task::Intro.
    torch::Tensor sequence_heads(const torch::Tensor& x) override {
        const auto pooled = encode(x).mean(1);
        return torch::cat({torch::sigmoid(presence_(pooled)), torch::sigmoid(bounds_(pooled))}, 1);
    }

    torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& pos_weight,
                       Task task) override {
        const auto h = encode(x);
        auto total = row_loss(rows_(h), y, pos_weight);
        if (task != Task::Intro) return total;
        const auto pooled = h.mean(1);                                   // [B, 2H]
        const auto bounds = torch::sigmoid(bounds_(pooled));             // [B, 2]
        const auto presence_logit = presence_(pooled).squeeze(-1);      // [B]
        const auto first = y.select(2, 0);                               // [B, T] the intro label
        const auto present = (first.sum(1) > 0).to(torch::kFloat);       // [B]
        const int64_t t = y.size(1);
        const auto index = torch::arange(t, torch::kFloat).unsqueeze(0);  // [1, T]
        const auto big = torch::full_like(first, float(t));
        const auto start = torch::where(first > 0, index.expand_as(first), big).amin(1) / float(t);
        const auto end = (torch::where(first > 0, index.expand_as(first), -torch::ones_like(first)).amax(1) + 1) / float(t);
        const auto target = torch::stack({start, end}, 1) * present.unsqueeze(1);
        const auto mse = ((bounds - target).pow(2).sum(1) * present).sum() / present.sum().clamp_min(1.0);
        const auto bce = torch::nn::functional::binary_cross_entropy_with_logits(presence_logit, present);
        return total + 0.7 * mse + 0.3 * bce;
    }

private:
    torch::Tensor encode(const torch::Tensor& x) { return std::get<0>(lstm_(x)); }

    torch::nn::LSTM lstm_;
    torch::nn::Linear rows_, bounds_, presence_;
};

}  // namespace vidseg::models

// The users' third intro model (SPEC §2): a Transformer encoder over the rows (sinusoidal positions
// within the chunk) and a CRF with learned transitions, decoded with Viterbi. Training minimises the
// CRF negative log-likelihood plus the class-weighted per-row loss on the same logits (the CRF alone
// has no class weights); probabilities shown to users are the per-row sigmoids.
#pragma once

#include <cmath>

#include "vidseg/models/torch/binary_crf.hpp"
#include "vidseg/models/torch/sequence_model.hpp"

namespace vidseg::models {

class TransformerCrfModel final : public SequenceModel {
public:
    TransformerCrfModel(int64_t cols, int64_t labels, const Hyperparameters& h)
        : width_(h.hidden),
          input_(register_module("input", torch::nn::Linear(cols, h.hidden))),
          encoder_(register_module(
              "encoder",
              torch::nn::TransformerEncoder(torch::nn::TransformerEncoderOptions(
                  torch::nn::TransformerEncoderLayerOptions(h.hidden, h.heads)
                      .dim_feedforward(2 * h.hidden)
                      .dropout(h.dropout),
                  h.layers)))),
          rows_(register_module("rows", torch::nn::Linear(h.hidden, labels))),
          crf_(register_module("crf", std::make_shared<BinaryCrf>(labels))) {}

    torch::Tensor forward(const torch::Tensor& x) override {
        auto h = input_(x) + positions(x.size(1));        // [B, T, E]
        h = encoder_(h.transpose(0, 1)).transpose(0, 1);   // the encoder wants [T, B, E]
        return rows_(h);
    }

    torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& pos_weight,
                       Task) override {
        const auto z = forward(x);
        return crf_->nll(z, y) + row_loss(z, y, pos_weight);
    }

    torch::Tensor decide(const torch::Tensor& logits, double) override { return crf_->viterbi(logits); }

private:
    torch::Tensor positions(int64_t t) const {
        auto pos = torch::arange(t, torch::kFloat).unsqueeze(1);                       // [T, 1]
        auto div = torch::exp(torch::arange(0, width_, 2, torch::kFloat) * (-std::log(10000.0) / width_));
        auto pe = torch::zeros({t, width_});
        pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                      torch::sin(pos * div));
        pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                      torch::cos(pos * div).narrow(1, 0, width_ / 2));
        return pe.unsqueeze(0);
    }

    int64_t width_;
    torch::nn::Linear input_;
    torch::nn::TransformerEncoder encoder_;
    torch::nn::Linear rows_;
    std::shared_ptr<BinaryCrf> crf_;
};

}  // namespace vidseg::models

// The fast baseline: logistic regression of every row's labels on that row's features alone.
#pragma once

#include "vidseg/models/torch/sequence_model.hpp"

namespace vidseg::models {

class LinearModel final : public SequenceModel {
public:
    LinearModel(int64_t cols, int64_t labels) : linear_(register_module("linear", torch::nn::Linear(cols, labels))) {}
    torch::Tensor forward(const torch::Tensor& x) override { return linear_(x); }

private:
    torch::nn::Linear linear_;
};

}  // namespace vidseg::models

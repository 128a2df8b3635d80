// A linear-chain CRF per label over two states (off / on) with learned start, end and transition
// scores. Emissions come from a logit z per row and label: score(off) = 0, score(on) = z, so with
// zero transitions it is exactly independent logistic regression; the learned transitions make
// short flickers costly (the "closing of short gaps" the users did by hand). Vectorised over the
// batch and the labels; Viterbi decoding finds the best path of every label.
#pragma once

#include <torch/torch.h>

namespace vidseg::models {

class BinaryCrf : public torch::nn::Module {
public:
    explicit BinaryCrf(int64_t labels)
        : start_(register_parameter("start", torch::zeros({labels, 2}))),
          end_(register_parameter("end", torch::zeros({labels, 2}))),
          transitions_(register_parameter("transitions", torch::zeros({labels, 2, 2}))) {}

    // Mean negative log-likelihood per row and label; z [B, T, L], y [B, T, L] in {0, 1}.
    torch::Tensor nll(const torch::Tensor& z, const torch::Tensor& y) {
        const auto e = emissions(z);                 // [B, T, L, 2]
        const auto tags = y.to(torch::kLong);        // [B, T, L]
        const int64_t b = z.size(0), t = z.size(1), l = z.size(2);
        const auto label_index = torch::arange(l, torch::kLong).unsqueeze(0).expand({b, l});
        // Score of the gold path.
        auto gold = start_.index({label_index, tags.select(1, 0)});                       // [B, L]
        gold = gold + e.gather(3, tags.unsqueeze(3)).squeeze(3).sum(1);                   // emissions
        for (int64_t i = 1; i < t; ++i)
            gold = gold + transitions_.index({label_index, tags.select(1, i - 1), tags.select(1, i)});
        gold = gold + end_.index({label_index, tags.select(1, t - 1)});
        // Log partition (forward algorithm).
        auto alpha = start_.unsqueeze(0) + e.select(1, 0);                                // [B, L, 2]
        for (int64_t i = 1; i < t; ++i)
            alpha = torch::logsumexp(alpha.unsqueeze(3) + transitions_.unsqueeze(0), 2) + e.select(1, i);
        const auto log_z = torch::logsumexp(alpha + end_.unsqueeze(0), 2);                // [B, L]
        return (log_z - gold).sum() / double(b * t * l);
    }

    // Best path per sequence and label: [B, T, L] uint8.
    torch::Tensor viterbi(const torch::Tensor& z) {
        const auto e = emissions(z);
        const int64_t b = z.size(0), t = z.size(1), l = z.size(2);
        auto score = start_.unsqueeze(0) + e.select(1, 0);                                // [B, L, 2]
        std::vector<torch::Tensor> back;                                                   // [B, L, 2] each
        back.reserve(size_t(t));
        for (int64_t i = 1; i < t; ++i) {
            const auto [best, arg] = (score.unsqueeze(3) + transitions_.unsqueeze(0)).max(2);
            back.push_back(arg);
            score = best + e.select(1, i);
        }
        auto state = (score + end_.unsqueeze(0)).argmax(2);                               // [B, L]
        auto path = torch::empty({b, t, l}, torch::kLong);
        path.select(1, t - 1).copy_(state);
        for (int64_t i = t - 1; i >= 1; --i) {
            state = back[size_t(i - 1)].gather(2, state.unsqueeze(2)).squeeze(2);
            path.select(1, i - 1).copy_(state);
        }
        return path.to(torch::kUInt8);
    }

private:
    static torch::Tensor emissions(const torch::Tensor& z) {
        return torch::stack({torch::zeros_like(z), z}, 3);
    }

    torch::Tensor start_, end_, transitions_;
};

}  // namespace vidseg::models

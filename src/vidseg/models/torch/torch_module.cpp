// libvidseg_torch.so: training and inference of the SequenceModel architectures behind the
// TorchBackend interface (models/torch_backend.hpp). Self-contained: it links libtorch only and
// reports bad input as std::invalid_argument, which libvidseg turns into vidseg::Error.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

#include <torch/torch.h>

#include "vidseg/models/torch/bilstm_model.hpp"
#include "vidseg/models/torch/cnn_lstm_model.hpp"
#include "vidseg/models/torch/linear_model.hpp"
#include "vidseg/models/torch/sequence_model.hpp"
#include "vidseg/models/torch/torchscript_image_model.hpp"
#include "vidseg/models/torch/transformer_crf_model.hpp"
#include "vidseg/models/torch_backend.hpp"

namespace vidseg::models {

std::shared_ptr<SequenceModel> make_sequence_model(const ModelInfo& info) {
    const auto cols = int64_t(info.spec.columns.size());
    const auto labels = int64_t(info.labels.size());
    const auto& h = info.hyper;
    if (h.hidden < 2 || h.layers < 1 || h.heads < 1 || h.kernel < 1 || h.chunk < 2)
        throw std::invalid_argument("invalid model hyper-parameters");
    switch (info.arch) {
        case Architecture::Linear: return std::make_shared<LinearModel>(cols, labels);
        case Architecture::BiLstm: return std::make_shared<BiLstmModel>(cols, labels, h);
        case Architecture::CnnLstm: return std::make_shared<CnnLstmModel>(cols, labels, h);
        case Architecture::TransformerCrf:
            if (h.hidden % h.heads != 0 || h.hidden % 2 != 0)
                throw std::invalid_argument("transformer width must be even and divisible by the heads");
            return std::make_shared<TransformerCrfModel>(cols, labels, h);
    }
    throw std::invalid_argument("unknown architecture");
}

namespace {

// Every sequence is cut into chunks of `len` rows starting at 0, len, 2len, ... and, when the rows
// are not a multiple, one last chunk ending at the last row (it overlaps the previous one).
struct Chunk {
    std::size_t sequence = 0;
    std::size_t first = 0;
};

std::vector<std::size_t> chunk_starts(std::size_t rows, std::size_t len) {
    std::vector<std::size_t> starts;
    for (std::size_t s = 0; s + len <= rows; s += len) starts.push_back(s);
    if (starts.empty() || starts.back() + len < rows) starts.push_back(rows - len);
    return starts;
}

torch::Tensor stack_chunks(const std::vector<SequenceData>& seqs, const std::vector<Chunk>& chunks,
                           std::size_t len, bool targets, std::size_t width) {
    auto out = torch::empty({int64_t(chunks.size()), int64_t(len), int64_t(width)}, torch::kFloat);
    float* dst = out.data_ptr<float>();
    for (const auto& c : chunks) {
        const auto& v = targets ? seqs[c.sequence].y : seqs[c.sequence].x;
        std::copy_n(v.data() + c.first * width, len * width, dst);
        dst += len * width;
    }
    return out;
}

class Trainer {
public:
    Trainer(const TrainingData& data, const ModelInfo& info, const TrainOptions& options,
            const std::function<void(const EpochReport&)>& on_epoch)
        : data_(data), info_(info), options_(options), on_epoch_(on_epoch) {
        std::size_t shortest = std::numeric_limits<std::size_t>::max();
        for (const auto& s : data.sequences) shortest = std::min(shortest, s.rows);
        len_ = std::min<std::size_t>(std::size_t(info.hyper.chunk), shortest);
        if (len_ < 1) throw std::invalid_argument("a training sequence has no rows");
        for (std::size_t i = 0; i < data.sequences.size(); ++i)
            for (auto first : chunk_starts(data.sequences[i].rows, len_)) chunks_.push_back({i, first});
        pos_weight_ = torch::tensor(data.pos_weight, torch::kFloat);
    }

    TrainResult run() {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::size_t> order(chunks_.size());
        std::iota(order.begin(), order.end(), 0);
        std::mt19937_64 rng(options_.seed);
        std::shuffle(order.begin(), order.end(), rng);

        nlohmann::json folds = nlohmann::json::array();
        const std::size_t k = options_.folds >= 2 ? std::size_t(options_.folds) : 0;
        if (k > 0) {
            if (order.size() < k)
                throw std::invalid_argument(std::to_string(k) + "-fold cross-validation needs at least " +
                                            std::to_string(k) + " chunks of " + std::to_string(len_) +
                                            " rows, the data has " + std::to_string(order.size()));
            for (std::size_t f = 0; f < k; ++f) {
                std::vector<std::size_t> train, val;
                for (std::size_t i = 0; i < order.size(); ++i) (i % k == f ? val : train).push_back(order[i]);
                auto fit = fit_model(train, val, int(f));
                folds.push_back({{"fold", f}, {"val_loss", fit.best_val}, {"epochs", fit.epochs},
                                 {"val_micro_f1", micro_f1(*fit.model, val)}});
            }
        }
        std::vector<std::size_t> train, val;
        std::size_t n_val = 0;
        if (options_.val_fraction > 0 && order.size() >= 2)
            n_val = std::clamp<std::size_t>(std::size_t(std::lround(options_.val_fraction * double(order.size()))), 1,
                                            order.size() - 1);
        val.assign(order.begin(), order.begin() + long(n_val));
        train.assign(order.begin() + long(n_val), order.end());
        auto fit = fit_model(train, val, -1);

        std::ostringstream weights;
        torch::serialize::OutputArchive archive;
        fit.model->save(archive);
        archive.save_to(weights);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        nlohmann::json report = {{"chunk_rows", len_},        {"train_chunks", train.size()},
                                 {"val_chunks", val.size()},  {"epochs_run", fit.epochs},
                                 {"best_epoch", fit.best_epoch}, {"train_loss", fit.last_train},
                                 {"seconds", seconds},        {"folds", folds}};
        TrainResult result;
        if (!val.empty()) {
            report["val_loss"] = fit.best_val;
            report["val_micro_f1"] = micro_f1(*fit.model, val);
            torch::NoGradGuard no_grad;
            const auto p = torch::sigmoid(fit.model->forward(batch(val, 0, val.size(), false))).contiguous();
            const auto y = batch(val, 0, val.size(), true).contiguous();
            result.val_probabilities.assign(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
            result.val_targets.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
        }
        if (k > 0) {
            double sum = 0;
            for (const auto& f : folds) sum += f["val_micro_f1"].get<double>();
            report["cv_micro_f1"] = sum / double(k);
        }
        result.weights = weights.str();
        result.report = std::move(report);
        return result;
    }

private:
    struct Fit {
        std::shared_ptr<SequenceModel> model;
        int epochs = 0;
        int best_epoch = 0;
        double best_val = std::numeric_limits<double>::quiet_NaN();
        double last_train = 0;
    };

    torch::Tensor batch(const std::vector<std::size_t>& idx, std::size_t from, std::size_t to, bool targets) const {
        std::vector<Chunk> picked;
        for (std::size_t i = from; i < to; ++i) picked.push_back(chunks_[idx[i]]);
        return stack_chunks(data_.sequences, picked, len_, targets, targets ? data_.labels : data_.cols);
    }

    double evaluate(SequenceModel& model, const std::vector<std::size_t>& idx) const {
        torch::NoGradGuard no_grad;
        model.eval();
        double sum = 0;
        const auto step = std::size_t(std::max(1, options_.batch)) * 4;
        for (std::size_t i = 0; i < idx.size(); i += step) {
            const std::size_t j = std::min(idx.size(), i + step);
            sum += model.loss(batch(idx, i, j, false), batch(idx, i, j, true), pos_weight_, info_.task).item<double>() *
                   double(j - i);
        }
        return sum / double(idx.size());
    }

    double micro_f1(SequenceModel& model, const std::vector<std::size_t>& idx) const {
        torch::NoGradGuard no_grad;
        model.eval();
        const auto x = batch(idx, 0, idx.size(), false);
        const auto y = batch(idx, 0, idx.size(), true).to(torch::kUInt8);
        const auto d = model.decide(model.forward(x), info_.threshold);
        const double tp = (d & y).sum().item<double>();
        const double fp = (d & (1 - y)).sum().item<double>();
        const double fn = ((1 - d) & y).sum().item<double>();
        return tp == 0 ? 0.0 : 2 * tp / (2 * tp + fp + fn);
    }

    Fit fit_model(std::vector<std::size_t> train, const std::vector<std::size_t>& val, int fold) {
        torch::manual_seed(options_.seed + std::uint64_t(fold + 1));
        Fit fit;
        fit.model = make_sequence_model(info_);
        torch::optim::Adam optimizer(fit.model->parameters(), torch::optim::AdamOptions(options_.lr));
        std::mt19937_64 rng(options_.seed * 7919 + std::uint64_t(fold + 1));
        std::vector<torch::Tensor> best_state;
        const auto snapshot = [&] {
            best_state.clear();
            for (const auto& p : fit.model->parameters()) best_state.push_back(p.detach().clone());
        };
        int stale = 0;
        const auto batch_size = std::size_t(std::max(1, options_.batch));
        for (int epoch = 1; epoch <= options_.epochs; ++epoch) {
            fit.model->train();
            std::shuffle(train.begin(), train.end(), rng);
            double sum = 0;
            for (std::size_t i = 0; i < train.size(); i += batch_size) {
                const std::size_t j = std::min(train.size(), i + batch_size);
                optimizer.zero_grad();
                auto loss = fit.model->loss(batch(train, i, j, false), batch(train, i, j, true), pos_weight_, info_.task);
                loss.backward();
                optimizer.step();
                sum += loss.item<double>() * double(j - i);
            }
            fit.last_train = sum / double(train.size());
            if (!std::isfinite(fit.last_train)) throw std::runtime_error("training diverged (loss is not finite); try a lower --lr");
            fit.epochs = epoch;
            EpochReport report{fold, epoch, fit.last_train, std::numeric_limits<double>::quiet_NaN()};
            if (!val.empty()) {
                report.val_loss = evaluate(*fit.model, val);
                if (!(report.val_loss >= fit.best_val - 1e-6)) {  // also true while best_val is NaN
                    fit.best_val = report.val_loss;
                    fit.best_epoch = epoch;
                    snapshot();
                    stale = 0;
                } else if (++stale >= options_.patience) {
                    if (on_epoch_) on_epoch_(report);
                    break;
                }
            } else {
                fit.best_epoch = epoch;
            }
            if (on_epoch_) on_epoch_(report);
        }
        if (!best_state.empty()) {
            torch::NoGradGuard no_grad;
            auto params = fit.model->parameters();
            for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best_state[i]);
        }
        fit.model->eval();
        return fit;
    }

    const TrainingData& data_;
    const ModelInfo& info_;
    const TrainOptions& options_;
    const std::function<void(const EpochReport&)>& on_epoch_;
    std::size_t len_ = 0;
    std::vector<Chunk> chunks_;
    torch::Tensor pos_weight_;
};

class TorchNetwork final : public Network {
public:
    TorchNetwork(const ModelInfo& info, std::shared_ptr<SequenceModel> model) : info_(info), model_(std::move(model)) {
        model_->eval();
    }

    RowOutputs predict(const std::vector<float>& x, std::size_t rows) const override {
        const std::size_t cols = info_.spec.columns.size(), labels = info_.labels.size();
        if (x.size() != rows * cols) throw std::invalid_argument("feature values do not match rows x columns");
        RowOutputs out;
        out.probabilities.assign(rows * labels, 0.f);
        out.decisions.assign(rows * labels, 0);
        if (rows == 0) return out;
        torch::InferenceMode guard;
        const std::size_t len = std::min<std::size_t>(std::size_t(info_.hyper.chunk), rows);
        std::vector<SequenceData> one(1);
        one[0].rows = rows;
        one[0].x = x;
        std::vector<Chunk> chunks;
        for (auto first : chunk_starts(rows, len)) chunks.push_back({0, first});
        const auto input = stack_chunks(one, chunks, len, false, cols);
        const auto logits = model_->forward(input);
        const auto probs = torch::sigmoid(logits).contiguous();
        const auto decisions = model_->decide(logits, info_.threshold).contiguous();
        const float* p = probs.data_ptr<float>();
        const std::uint8_t* d = decisions.data_ptr<std::uint8_t>();
        // Later chunks overwrite the overlap of the last one: same values where both cover a row
        // would need the same context, so the tail chunk simply wins.
        for (std::size_t c = 0; c < chunks.size(); ++c) {
            const std::size_t offset = c * len * labels;
            std::copy_n(p + offset, len * labels, out.probabilities.begin() + long(chunks[c].first * labels));
            std::copy_n(d + offset, len * labels, out.decisions.begin() + long(chunks[c].first * labels));
        }
        if (info_.task == Task::Intro) {
            const auto heads = model_->sequence_heads(input);
            if (heads.defined()) {
                const auto h = heads.contiguous();
                const float* v = h.data_ptr<float>();
                for (std::size_t c = 0; c < chunks.size(); ++c)
                    out.heads.push_back({chunks[c].first, len, v[3 * c], v[3 * c + 1], v[3 * c + 2]});
            }
        }
        return out;
    }

private:
    ModelInfo info_;
    std::shared_ptr<SequenceModel> model_;
};

void configure(const TrainOptions* options) {
    static const bool once = [] {
        at::globalContext().setDeterministicAlgorithms(true, false);
        return true;
    }();
    (void)once;
    torch::set_num_threads(options ? std::max(1, options->threads) : 2);
}

class ModuleBackend final : public TorchBackend {
public:
    TrainResult train(const TrainingData& data, const ModelInfo& info, const TrainOptions& options,
                      const std::function<void(const EpochReport&)>& on_epoch) override {
        configure(&options);
        if (data.sequences.empty()) throw std::invalid_argument("no training sequences");
        return Trainer(data, info, options, on_epoch).run();
    }

    std::unique_ptr<Network> load(const ModelInfo& info, const std::string& weights) override {
        configure(nullptr);
        auto model = make_sequence_model(info);
        try {
            torch::serialize::InputArchive archive;
            std::istringstream in(weights);
            archive.load_from(in);
            model->load(archive);
        } catch (const c10::Error& e) {
            throw std::invalid_argument(std::string("model weights do not fit the header: ") + e.what_without_backtrace());
        }
        return std::make_unique<TorchNetwork>(info, std::move(model));
    }

    std::unique_ptr<ImageNetwork> load_image_model(const std::string& path) override {
        configure(nullptr);
        return load_torchscript_image_model(path);
    }
};

}  // namespace

}  // namespace vidseg::models

extern "C" __attribute__((visibility("default"))) vidseg::models::TorchBackend* vidseg_torch_backend() {
    static vidseg::models::ModuleBackend backend;
    return &backend;
}

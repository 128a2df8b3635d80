#include "vidseg/models/torch_backend.hpp"

#include <stdexcept>

#include "vidseg/core/error.hpp"
#include "vidseg/core/module_loader.hpp"
#include "vidseg/models/text_network.hpp"

#ifndef VIDSEG_TORCH_MODULE_PATH
#define VIDSEG_TORCH_MODULE_PATH ""
#endif

namespace vidseg::models {

namespace {

constexpr ModuleErrors kErrors{"the model", "libtorch: "};

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
    return call_module(kErrors, std::forward<F>(f));
}

class GuardedNetwork final : public Network {
public:
    explicit GuardedNetwork(std::unique_ptr<Network> inner) : inner_(std::move(inner)) {}
    RowOutputs predict(const std::vector<float>& x, std::size_t rows) const override {
        return guarded([&] { return inner_->predict(x, rows); });
    }

private:
    std::unique_ptr<Network> inner_;
};

class GuardedImageNetwork final : public ImageNetwork {
public:
    explicit GuardedImageNetwork(std::unique_ptr<ImageNetwork> inner) : inner_(std::move(inner)) {}
    std::vector<float> run(const std::vector<float>& chw, int height, int width) const override {
        return guarded([&] { return inner_->run(chw, height, width); });
    }

private:
    std::unique_ptr<ImageNetwork> inner_;
};

class GuardedTextNetwork final : public TextNetwork {
public:
    explicit GuardedTextNetwork(std::unique_ptr<TextNetwork> inner) : inner_(std::move(inner)) {}
    std::vector<float> run(const std::string& text, const std::vector<std::string>& words) const override {
        return guarded([&] { return inner_->run(text, words); });
    }
    bool takes_words() const override { return inner_->takes_words(); }

private:
    std::unique_ptr<TextNetwork> inner_;
};

class GuardedBackend final : public TorchBackend {
public:
    explicit GuardedBackend(TorchBackend* inner) : inner_(inner) {}
    TrainResult train(const TrainingData& data, const ModelInfo& info, const TrainOptions& options,
                      const std::function<void(const EpochReport&)>& on_epoch) override {
        return guarded([&] { return inner_->train(data, info, options, on_epoch); });
    }
    std::unique_ptr<Network> load(const ModelInfo& info, const std::string& weights) override {
        return std::make_unique<GuardedNetwork>(guarded([&] { return inner_->load(info, weights); }));
    }
    std::unique_ptr<ImageNetwork> load_image_model(const std::string& path) override {
        return std::make_unique<GuardedImageNetwork>(guarded([&] { return inner_->load_image_model(path); }));
    }

private:
    TorchBackend* inner_;  // owned by the module, which stays loaded for the life of the process
};

// Never dlclose()d: libtorch's static state must outlive every model.
constexpr ModuleSpec kTorchModule{"libvidseg_torch.so", "VIDSEG_TORCH_MODULE", VIDSEG_TORCH_MODULE_PATH,
                                  "the libtorch model module"};

}  // namespace

TorchBackend& torch_backend() {
    // Loaded on first use; a failed load throws and is tried again on the next call.
    static GuardedBackend backend(load_module_factory<TorchBackendFactory>(kTorchModule, kTorchBackendSymbol)());
    return backend;
}

std::unique_ptr<TextNetwork> load_text_network(const std::string& path) {
    // Loaded on first use, like torch_backend() (the same module: dlopen() hands back its handle).
    static const auto loader = load_module_factory<TorchTextModelLoader>(kTorchModule, kTorchTextModelSymbol);
    std::unique_ptr<TextNetwork> inner;
    guarded([&] { loader(path, inner); });
    return std::make_unique<GuardedTextNetwork>(std::move(inner));
}

}  // namespace vidseg::models

#include "vidseg/models/torch_backend.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "vidseg/core/error.hpp"

#ifndef VIDSEG_TORCH_MODULE_PATH
#define VIDSEG_TORCH_MODULE_PATH ""
#endif

namespace vidseg::models {

namespace {

namespace fs = std::filesystem;
constexpr const char* kModuleName = "libvidseg_torch.so";

// Runs f, turning the module's std exceptions into typed errors (vidseg::Error passes through:
// on_epoch callbacks may throw Interrupted).
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const std::invalid_argument& e) {
        throw Error(ErrorCode::InvalidData, e.what());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorCode::Internal, "out of memory in the model");
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Internal, std::string("libtorch: ") + e.what());
    }
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

std::vector<std::string> candidates() {
    std::vector<std::string> paths;
    if (const char* env = std::getenv("VIDSEG_TORCH_MODULE"); env && *env) paths.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        paths.push_back((exe.parent_path() / kModuleName).string());
        paths.push_back((exe.parent_path().parent_path() / "lib" / "vidseg" / kModuleName).string());
    }
    if (*VIDSEG_TORCH_MODULE_PATH) paths.emplace_back(VIDSEG_TORCH_MODULE_PATH);
    return paths;
}

TorchBackend* open_backend() {
    std::string tried;
    for (const auto& path : candidates()) {
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            tried += "\n  " + path + " (missing)";
            continue;
        }
        // Never dlclose()d: libtorch's static state must outlive every model.
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            tried += "\n  " + path + " (" + dlerror() + ")";
            continue;
        }
        auto factory = reinterpret_cast<TorchBackendFactory>(dlsym(handle, kTorchBackendSymbol));
        if (!factory) {
            tried += "\n  " + path + " (no " + kTorchBackendSymbol + ")";
            continue;
        }
        static GuardedBackend backend(factory());
        return &backend;
    }
    throw Error(ErrorCode::Unsupported, std::string("the libtorch model module ") + kModuleName +
                                            " could not be loaded; tried:" + tried);
}

}  // namespace

TorchBackend& torch_backend() {
    static std::mutex mutex;
    static TorchBackend* backend = nullptr;
    std::lock_guard lock(mutex);
    if (!backend) backend = open_backend();
    return *backend;
}

}  // namespace vidseg::models

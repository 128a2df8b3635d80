#include "vidseg/models/torch/torchscript_image_model.hpp"

#include <stdexcept>

#include <torch/script.h>

#include "vidseg/models/torch/torchscript_output.hpp"

namespace vidseg::models {

namespace {

class TorchScriptImageModel final : public ImageNetwork {
public:
    explicit TorchScriptImageModel(torch::jit::Module module) : module_(std::move(module)) { module_.eval(); }

    std::vector<float> run(const std::vector<float>& chw, int height, int width) const override {
        if (height <= 0 || width <= 0 || chw.size() != std::size_t(3) * std::size_t(height) * std::size_t(width))
            throw std::invalid_argument("image does not match 3 x height x width");
        torch::NoGradGuard no_grad;
        // from_blob does not copy: the input outlives forward().
        auto input = torch::from_blob(const_cast<float*>(chw.data()), {1, 3, height, width}, torch::kFloat);
        at::Tensor out;
        try {
            out = first_tensor(module_.forward({input}), "model").to(torch::kFloat).contiguous();
        } catch (const c10::Error& e) {
            throw std::invalid_argument(std::string("the TorchScript model failed on a frame: ") +
                                        e.what_without_backtrace());
        }
        const float* p = out.data_ptr<float>();
        return std::vector<float>(p, p + out.numel());
    }

private:
    mutable torch::jit::Module module_;  // forward() is not const in libtorch
};

}  // namespace

std::unique_ptr<ImageNetwork> load_torchscript_image_model(const std::string& path) {
    try {
        return std::make_unique<TorchScriptImageModel>(torch::jit::load(path, torch::kCPU));
    } catch (const c10::Error& e) {
        throw std::invalid_argument(std::string("not a loadable TorchScript model: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("not a loadable TorchScript model: ") + e.what());
    }
}

}  // namespace vidseg::models

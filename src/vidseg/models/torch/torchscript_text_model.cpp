#include "vidseg/models/torch/torchscript_text_model.hpp"

#include <sstream>
#include <stdexcept>

#include <torch/script.h>

#include "vidseg/models/torch/torchscript_output.hpp"

namespace vidseg::models {

namespace {

// Whether forward(self, x) takes List[str] (true) or str (false); anything else is refused here, at
// load time, rather than on the first utterance.
bool forward_takes_words(torch::jit::Module& module) {
    const auto method = module.find_method("forward");
    if (!method) throw std::invalid_argument("the TorchScript text encoder has no forward()");
    const auto& args = method->function().getSchema().arguments();
    if (args.size() == 2) {
        const auto& type = args[1].type();
        if (type->kind() == c10::TypeKind::StringType) return false;
        if (const auto list = type->cast<c10::ListType>();
            list && list->getElementType()->kind() == c10::TypeKind::StringType)
            return true;
    }
    std::ostringstream schema;
    schema << method->function().getSchema();
    throw std::invalid_argument(
        "a text encoder's forward() must take one List[str] (the words) or one str (the text), "
        "not " +
        schema.str());
}

class TorchScriptTextModel final : public TextNetwork {
  public:
    explicit TorchScriptTextModel(torch::jit::Module module) : module_(std::move(module)) {
        module_.eval();
        takes_words_ = forward_takes_words(module_);
    }

    bool takes_words() const override { return takes_words_; }

    std::vector<float> run(const std::string& text, const std::vector<std::string>& words) const override {
        torch::NoGradGuard no_grad;
        at::Tensor out;
        try {
            c10::IValue input;
            if (takes_words_) {
                c10::List<std::string> list;
                list.reserve(words.size());
                for (const auto& w : words) list.push_back(w);
                input = std::move(list);
            } else {
                input = text;
            }
            out = first_tensor(module_.forward({std::move(input)}), "text encoder").to(torch::kFloat).contiguous();
        } catch (const c10::Error& e) {
            throw std::invalid_argument(std::string("the TorchScript text encoder failed on an utterance: ") +
                                        e.what_without_backtrace());
        }
        const float* p = out.data_ptr<float>();
        return std::vector<float>(p, p + out.numel());
    }

  private:
    mutable torch::jit::Module module_;  // forward() is not const in libtorch
    bool takes_words_ = true;
};

}  // namespace

std::unique_ptr<TextNetwork> load_torchscript_text_model(const std::string& path) {
    torch::jit::Module module;
    try {
        module = torch::jit::load(path, torch::kCPU);
    } catch (const c10::Error& e) {
        throw std::invalid_argument(std::string("not a loadable TorchScript model: ") +
                                    e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("not a loadable TorchScript model: ") + e.what());
    }
    return std::make_unique<TorchScriptTextModel>(std::move(module));
}

}  // namespace vidseg::models

// The module's entry point for models/text_network.hpp (resolved by name with dlsym).
extern "C" __attribute__((visibility("default"))) void vidseg_torch_load_text_model(
    const std::string& path, std::unique_ptr<vidseg::models::TextNetwork>& out) {
    out = vidseg::models::load_torchscript_text_model(path);
}

// A user's TorchScript text encoder (features/text_embedder.hpp), run in the dlopen()ed libtorch module
// (models/torch_backend.hpp) so that libvidseg links no libtorch: one utterance in, a vector out. Its
// forward() takes either the utterance's words (List[str], vidseg's tokens: lower-case runs of word
// characters) or the raw text (str); run() passes what the module's signature asks for.
// A separate entry point of the module (not a TorchBackend method), so that adding it changed no header
// that the module's other sources include.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace vidseg::models {

class TextNetwork {
  public:
    virtual ~TextNetwork() = default;
    virtual std::vector<float> run(const std::string& text, const std::vector<std::string>& words) const = 0;
    // Whether forward() takes the words (else the raw text).
    virtual bool takes_words() const = 0;
};

// torch::jit::load of a TorchScript text encoder through the libtorch module (loaded on first use, as
// torch_backend()). Throws Error(InvalidData) for a file libtorch cannot load or whose forward() takes
// neither one List[str] nor one str, Error(Unsupported) when the module cannot be loaded; run() throws
// vidseg::Error too.
std::unique_ptr<TextNetwork> load_text_network(const std::string& path);

// The module's entry point (extern "C", resolved with dlsym); std::invalid_argument for bad files.
inline constexpr const char* kTorchTextModelSymbol = "vidseg_torch_load_text_model";
using TorchTextModelLoader = void (*)(const std::string& path, std::unique_ptr<TextNetwork>& out);

}  // namespace vidseg::models

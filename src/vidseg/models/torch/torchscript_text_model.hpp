// TorchScript text encoders for `vidseg features --text-encoder X.pt` (the libtorch side of
// features/text_embedder.cpp): torch::jit::load, then forward() on one utterance — its words
// (List[str]) or its text (str), as the module's forward() signature says — output flattened.
#pragma once

#include <memory>
#include <string>

#include "vidseg/models/text_network.hpp"

namespace vidseg::models {

// Throws std::invalid_argument when the file is not a loadable TorchScript module or its forward()
// takes neither one List[str] nor one str.
std::unique_ptr<TextNetwork> load_torchscript_text_model(const std::string& path);

}  // namespace vidseg::models

// TorchScript image models for `vidseg features --embed-model X.pt` (the libtorch side of
// features/image_embedder.cpp): torch::jit::load, then forward() on one normalised image.
#pragma once

#include <memory>
#include <string>

#include "vidseg/models/torch_backend.hpp"

namespace vidseg::models {

// Throws std::invalid_argument when the file is not a loadable TorchScript module.
std::unique_ptr<ImageNetwork> load_torchscript_image_model(const std::string& path);

}  // namespace vidseg::models

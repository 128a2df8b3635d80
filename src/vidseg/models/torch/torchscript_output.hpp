// What TorchScript encoders return, reduced to the one tensor vidseg reads (image and text encoders).
#pragma once

#include <stdexcept>
#include <string>

#include <torch/script.h>

namespace vidseg::models {

// The first tensor of a model's output: a tensor, or the first element of a tuple / list (CLIP-style
// encoders often return several). `what` names the model in the error.
inline at::Tensor first_tensor(const c10::IValue& v, const char* what) {
    if (v.isTensor()) return v.toTensor();
    if (v.isTuple() && !v.toTupleRef().elements().empty()) return first_tensor(v.toTupleRef().elements()[0], what);
    if (v.isList() && v.toListRef().size() > 0) return first_tensor(v.toListRef()[0], what);
    throw std::invalid_argument(std::string("the TorchScript ") + what + "'s forward() returned no tensor");
}

}  // namespace vidseg::models

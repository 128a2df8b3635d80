// A user-supplied image model (see visual_timeline.hpp for the preprocessing): ONNX run through
// OpenCV DNN in the dlopen()ed vision module (vision/vision_backend.hpp), or TorchScript
// (.pt/.pth/.torchscript/.ptl, torch.jit.save of e.g. a ResNet18 or a CLIP image encoder) run
// through libtorch in the dlopen()ed model module (models/torch_backend.hpp), so libvidseg itself
// links neither OpenCV nor libtorch. Both get the same [1, 3, H, W] normalised RGB input (resized by
// OpenCV in the vision module).
// Private to the library: the header does not expose OpenCV or libtorch.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::features {

struct EmbedderOptions {
    std::string model;  // .onnx, or TorchScript (is_torchscript_model)
    int width = 224, height = 224;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// By the file name: .pt, .pth, .torchscript, .ptl (any case) are TorchScript; the rest ONNX.
bool is_torchscript_model(const std::string& path);

class ImageEmbedder {
public:
    // Throws InputNotFound (missing model file), InvalidData (OpenCV / libtorch cannot load it),
    // Unsupported (the vision module, or for TorchScript the libtorch module, cannot be loaded),
    // InvalidArgument (size <= 0, std <= 0).
    explicit ImageEmbedder(EmbedderOptions options);
    ~ImageEmbedder();
    ImageEmbedder(const ImageEmbedder&) = delete;
    ImageEmbedder& operator=(const ImageEmbedder&) = delete;

    // Rgb24 (or Gray8, replicated) image → flattened model output. Throws InvalidData when the
    // model fails on the input (e.g. it expects another input size).
    std::vector<float> embed(const media::Image& image);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vidseg::features

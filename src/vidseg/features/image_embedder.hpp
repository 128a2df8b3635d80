// A user-supplied ONNX image model run through OpenCV DNN (see visual_timeline.hpp for the
// preprocessing). Private to the library: the header does not expose OpenCV.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::features {

struct EmbedderOptions {
    std::string model;  // .onnx
    int width = 224, height = 224;
    std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
    std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

class ImageEmbedder {
public:
    // Throws InputNotFound (missing model file), InvalidData (OpenCV cannot load it),
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

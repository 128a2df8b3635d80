#include "vidseg/features/image_embedder.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/models/torch_backend.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace vidseg::features {

namespace {

std::string lower_extension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

}  // namespace

bool is_torchscript_model(const std::string& path) {
    const auto ext = lower_extension(path);
    return ext == ".pt" || ext == ".pth" || ext == ".torchscript" || ext == ".ptl";
}

struct ImageEmbedder::Impl {
    EmbedderOptions options;
    std::unique_ptr<vision::OnnxImageNetwork> onnx;     // ONNX through OpenCV DNN (the vision module)
    std::unique_ptr<models::ImageNetwork> torchscript;  // TorchScript through the libtorch module
};

ImageEmbedder::ImageEmbedder(EmbedderOptions options) : impl_(std::make_unique<Impl>()) {
    if (options.width <= 0 || options.height <= 0)
        throw Error(ErrorCode::InvalidArgument, "embedding input size must be positive");
    for (float s : options.std)
        if (!(s > 0)) throw Error(ErrorCode::InvalidArgument, "embedding std values must be > 0");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options.model, ec))
        throw Error(ErrorCode::InputNotFound, "embedding model not found", options.model);
    if (is_torchscript_model(options.model)) {
        try {
            impl_->torchscript = models::torch_backend().load_image_model(options.model);
        } catch (const Error& e) {
            throw Error(e.code(), e.cause(), options.model);
        }
    } else {
        try {
            impl_->onnx = vision::vision_backend().load_onnx(options.model);
        } catch (const Error& e) {
            throw Error(e.code(), e.cause(), options.model);
        }
    }
    impl_->options = std::move(options);
}

ImageEmbedder::~ImageEmbedder() = default;

std::vector<float> ImageEmbedder::embed(const media::Image& image) {
    if (image.empty()) throw Error(ErrorCode::InvalidArgument, "empty image");
    const auto& o = impl_->options;
    // [1, 3, H, W], RGB planes, (pixel / 255 - mean) / std: the same input for both runtimes.
    const std::vector<float> chw = vision::vision_backend().normalized_chw(image, o.width, o.height, o.mean, o.std);
    if (impl_->torchscript) {
        try {
            return impl_->torchscript->run(chw, o.height, o.width);
        } catch (const Error& e) {
            throw Error(e.code(), e.cause(), o.model);
        }
    }
    try {
        return impl_->onnx->run(chw, o.height, o.width);
    } catch (const Error& e) {
        throw Error(e.code(), e.cause(), o.model);
    }
}

}  // namespace vidseg::features

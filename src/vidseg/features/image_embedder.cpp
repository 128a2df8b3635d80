#include "vidseg/features/image_embedder.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/models/torch_backend.hpp"

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
    cv::dnn::Net net;                                     // ONNX through OpenCV DNN
    std::unique_ptr<models::ImageNetwork> torchscript;    // TorchScript through the libtorch module
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
            impl_->net = cv::dnn::readNetFromONNX(options.model);
        } catch (const cv::Exception& e) {
            throw Error(ErrorCode::InvalidData, std::string("OpenCV DNN cannot load the ONNX model: ") + e.what(),
                        options.model);
        }
        if (impl_->net.empty()) throw Error(ErrorCode::InvalidData, "OpenCV DNN loaded an empty network", options.model);
        impl_->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        impl_->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    }
    impl_->options = std::move(options);
}

ImageEmbedder::~ImageEmbedder() = default;

std::vector<float> ImageEmbedder::embed(const media::Image& image) {
    if (image.empty()) throw Error(ErrorCode::InvalidArgument, "empty image");
    const auto& o = impl_->options;
    const cv::Mat view(image.height, image.width, image.layout == media::PixelLayout::Rgb24 ? CV_8UC3 : CV_8UC1,
                       const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat rgb;
    if (image.layout == media::PixelLayout::Gray8)
        cv::cvtColor(view, rgb, cv::COLOR_GRAY2RGB);
    else
        rgb = view;
    cv::Mat resized;
    cv::resize(rgb, resized, cv::Size(o.width, o.height), 0, 0, cv::INTER_LINEAR);
    // [1, 3, H, W], RGB planes, (pixel / 255 - mean) / std: the same input for both runtimes.
    const std::size_t plane = static_cast<std::size_t>(o.width) * o.height;
    std::vector<float> chw(3 * plane);
    for (int y = 0; y < o.height; ++y) {
        const uint8_t* row = resized.ptr<uint8_t>(y);
        for (int x = 0; x < o.width; ++x)
            for (int c = 0; c < 3; ++c)
                chw[c * plane + static_cast<std::size_t>(y) * o.width + x] = (row[3 * x + c] / 255.0f - o.mean[c]) / o.std[c];
    }
    if (impl_->torchscript) {
        try {
            return impl_->torchscript->run(chw, o.height, o.width);
        } catch (const Error& e) {
            throw Error(e.code(), e.cause(), o.model);
        }
    }
    const int dims[4] = {1, 3, o.height, o.width};
    cv::Mat blob(4, dims, CV_32F, chw.data());
    try {
        impl_->net.setInput(blob);
        cv::Mat result = impl_->net.forward();
        cv::Mat flat = result.reshape(1, 1);
        std::vector<float> v;
        if (flat.type() != CV_32F) flat.convertTo(flat, CV_32F);
        v.assign(flat.ptr<float>(), flat.ptr<float>() + flat.total());
        return v;
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("the embedding model failed on a frame: ") + e.what(), o.model);
    }
}

}  // namespace vidseg::features

#include "vidseg/vision/vision_backend.hpp"

#include <new>
#include <stdexcept>

#include "vidseg/core/error.hpp"
#include "vidseg/core/module_loader.hpp"

#ifndef VIDSEG_VISION_MODULE_PATH
#define VIDSEG_VISION_MODULE_PATH ""
#endif

namespace vidseg::vision {

namespace {

constexpr ModuleErrors kErrors{"the OpenCV vision module", ""};

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
    return call_module(kErrors, std::forward<F>(f));
}

class GuardedDetector final : public PersonDetectorEngine {
public:
    explicit GuardedDetector(std::unique_ptr<PersonDetectorEngine> inner) : inner_(std::move(inner)) {}
    PersonDetections detect(const media::Image& image) override {
        check_image(image);
        return guarded([&] { return inner_->detect(image); });
    }

private:
    std::unique_ptr<PersonDetectorEngine> inner_;
};

class GuardedOnnx final : public OnnxImageNetwork {
public:
    explicit GuardedOnnx(std::unique_ptr<OnnxImageNetwork> inner) : inner_(std::move(inner)) {}
    std::vector<float> run(const std::vector<float>& chw, int height, int width) override {
        return guarded([&] { return inner_->run(chw, height, width); });
    }

private:
    std::unique_ptr<OnnxImageNetwork> inner_;
};

class GuardedBackend final : public VisionBackend {
public:
    explicit GuardedBackend(VisionBackend* inner) : inner_(inner) {}
    FrameMeasures measure(const media::Image& image, int analysis_width, int clip_low, int clip_high) override {
        check_image(image);
        return guarded([&] { return inner_->measure(image, analysis_width, clip_low, clip_high); });
    }
    ColourStats colour_stats(const media::Image& rgb) override {
        check_image(rgb);
        if (rgb.layout != media::PixelLayout::Rgb24)
            throw Error(ErrorCode::InvalidArgument, "colour statistics need an RGB frame");
        return guarded([&] { return inner_->colour_stats(rgb); });
    }
    std::array<float, 64> dct_low_frequencies(const std::vector<float>& plane) override {
        if (plane.size() != 32 * 32) throw Error(ErrorCode::InvalidArgument, "the DCT plane must be 32 x 32");
        return guarded([&] { return inner_->dct_low_frequencies(plane); });
    }
    std::vector<float> normalized_chw(const media::Image& image, int width, int height,
                                      const std::array<float, 3>& mean, const std::array<float, 3>& std) override {
        check_image(image);
        if (width <= 0 || height <= 0) throw Error(ErrorCode::InvalidArgument, "embedding input size must be positive");
        return guarded([&] { return inner_->normalized_chw(image, width, height, mean, std); });
    }
    std::unique_ptr<PersonDetectorEngine> person_detector(const std::string& cascade_path, int analysis_width,
                                                          bool detect_bodies) override {
        return std::make_unique<GuardedDetector>(
            guarded([&] { return inner_->person_detector(cascade_path, analysis_width, detect_bodies); }));
    }
    std::unique_ptr<OnnxImageNetwork> load_onnx(const std::string& path) override {
        return std::make_unique<GuardedOnnx>(guarded([&] { return inner_->load_onnx(path); }));
    }

private:
    VisionBackend* inner_;  // owned by the module, which stays loaded for the life of the process
};

}  // namespace

void check_image(const media::Image& image) {
    if (image.empty()) throw Error(ErrorCode::InvalidArgument, "empty image");
    const size_t need = static_cast<size_t>(image.width) * image.height * image.channels();
    if (image.pixels.size() < need)
        throw Error(ErrorCode::InvalidArgument, "image pixel buffer is shorter than width * height * channels");
}

VisionBackend& vision_backend() {
    static const ModuleSpec spec{"libvidseg_vision.so", "VIDSEG_VISION_MODULE", VIDSEG_VISION_MODULE_PATH,
                                 "the OpenCV vision module"};
    // Loaded on first use; a failed load throws and is tried again on the next call.
    static GuardedBackend backend(load_module_factory<VisionBackendFactory>(spec, kVisionBackendSymbol)());
    return backend;
}

}  // namespace vidseg::vision

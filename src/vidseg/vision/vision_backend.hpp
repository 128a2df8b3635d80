// The boundary between libvidseg and its OpenCV code. Debian's OpenCV (core, imgproc, objdetect,
// dnn and ~20 libraries they pull in) costs ~10 ms of dynamic linking at every process start, yet
// only a few commands use it (dataset build --keyframe best, features with visual columns); so the
// OpenCV code lives in a separate module (libvidseg_vision.so, built from vision/opencv/) that is
// dlopen()ed on first use, like the libtorch module (models/torch_backend.hpp). This header is
// OpenCV-free: images cross as media::Image, results as plain structs and vectors.
//
// The module does not link libvidseg: it throws std::invalid_argument for bad input (a file that is
// not a cascade / ONNX model, a model that rejects its input) and anything else for failures;
// vision_backend() wraps it so callers only see vidseg::Error (InvalidData resp. Internal), and
// checks every image first (Error(InvalidArgument) for an empty image or a short pixel buffer).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"
#include "vidseg/vision/person_detector.hpp"

namespace vidseg::vision {

// Raw measurements behind KeyframeScorer's sharpness and exposure (see keyframe_scorer.hpp), taken
// on the gray copy of the image scaled down to at most analysis_width pixels.
struct FrameMeasures {
    double laplacian_variance = 0;  // 3x3 Laplacian (ksize 1), interior pixels
    double mean_luma = 0;           // 0..255
    double clipped_share = 0;       // pixels with luma <= clip_low or >= clip_high, 0..1
};

// Colour statistics of an Rgb24 frame for the visual feature columns (features/visual_timeline.hpp):
// OpenCV's 8-bit HSV (H 0..179, S and V 0..255).
inline constexpr int kHueBins = 12;
struct ColourStats {
    float saturation = 0;            // mean S / 255
    std::array<float, kHueBins> hue{};  // share of all pixels with S >= 0.15, V >= 0.1 in bin H / 15
};

// Haar frontal faces + HOG bodies (see person_detector.hpp). Not thread-safe.
class PersonDetectorEngine {
public:
    virtual ~PersonDetectorEngine() = default;
    virtual PersonDetections detect(const media::Image& image) = 0;
};

// An ONNX image model run through OpenCV DNN: [1, 3, height, width] float input (channel-major),
// output flattened.
class OnnxImageNetwork {
public:
    virtual ~OnnxImageNetwork() = default;
    virtual std::vector<float> run(const std::vector<float>& chw, int height, int width) = 0;
};

class VisionBackend {
public:
    virtual ~VisionBackend() = default;
    virtual FrameMeasures measure(const media::Image& image, int analysis_width, int clip_low,
                                  int clip_high) = 0;
    virtual ColourStats colour_stats(const media::Image& rgb) = 0;
    // The 8x8 lowest frequencies (row-major) of the 2-D DCT-II (cv::dct) of a 32x32 float plane.
    virtual std::array<float, 64> dct_low_frequencies(const std::vector<float>& plane32x32) = 0;
    // Rgb24 (or Gray8, replicated) resized bilinearly to width x height, (pixel / 255 - mean) / std per
    // RGB channel, as [3, height, width] planes: the input of both embedding runtimes.
    virtual std::vector<float> normalized_chw(const media::Image& image, int width, int height,
                                              const std::array<float, 3>& mean,
                                              const std::array<float, 3>& std) = 0;
    // cascade_path: an existing file (the caller finds it); std::invalid_argument when it is no cascade.
    virtual std::unique_ptr<PersonDetectorEngine> person_detector(const std::string& cascade_path,
                                                                  int analysis_width, bool detect_bodies) = 0;
    // std::invalid_argument when OpenCV DNN cannot load the file.
    virtual std::unique_ptr<OnnxImageNetwork> load_onnx(const std::string& path) = 0;
};

// Loads the module on first use: $VIDSEG_VISION_MODULE, else libvidseg_vision.so next to the running
// executable, else <exe dir>/../lib/vidseg/, else the path of the build tree (core/module_loader.hpp).
// Throws Error(Unsupported) naming the file and the paths tried when none loads. Every call through
// the returned object converts module exceptions into vidseg::Error.
VisionBackend& vision_backend();

// Error(InvalidArgument) for an empty image or a pixel buffer shorter than width * height * channels.
void check_image(const media::Image& image);

// The module's entry point (extern "C", resolved with dlsym).
inline constexpr const char* kVisionBackendSymbol = "vidseg_vision_backend";
using VisionBackendFactory = VisionBackend* (*)();

}  // namespace vidseg::vision

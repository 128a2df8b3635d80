#include "vidseg/vision/person_detector.hpp"

#include <cstdlib>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/vision/vision_backend.hpp"

namespace fs = std::filesystem;

namespace vidseg::vision {

namespace {

constexpr const char* kFaceCascade = "haarcascade_frontalface_default.xml";

std::vector<std::string> cascade_dirs(const std::string& cascade_dir) {
    if (!cascade_dir.empty()) return {cascade_dir};
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("VIDSEG_OPENCV_CASCADES"); env && *env) dirs.emplace_back(env);
    for (const char* d : {"/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades",
                          "/usr/local/share/opencv4/haarcascades"})
        dirs.emplace_back(d);
    return dirs;
}

}  // namespace

std::string find_face_cascade(const std::string& cascade_dir) {
    for (const auto& d : cascade_dirs(cascade_dir)) {
        const fs::path p = fs::path(d) / kFaceCascade;
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

// The OpenCV work (Haar cascade + HOG) runs in the vision module (vision_backend.hpp); this side
// finds the data file and turns the module's failures into typed errors.
struct PersonDetector::Impl {
    std::string cascade_path;
    std::unique_ptr<PersonDetectorEngine> engine;
};

PersonDetector::PersonDetector(PersonDetectorOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->cascade_path = find_face_cascade(options.cascade_dir);
    if (impl_->cascade_path.empty()) {
        std::string searched;
        for (const auto& d : cascade_dirs(options.cascade_dir))
            searched += (searched.empty() ? "" : ", ") + d;
        throw Error(ErrorCode::InputNotFound,
                    std::string("OpenCV face detector data ") + kFaceCascade + " not found in " + searched +
                        " (Debian package opencv-data; or set VIDSEG_OPENCV_CASCADES)");
    }
    try {
        impl_->engine =
            vision_backend().person_detector(impl_->cascade_path, options.analysis_width, options.detect_bodies);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::InvalidData) throw;
        throw Error(ErrorCode::InvalidData, e.cause(), impl_->cascade_path);
    }
}

PersonDetector::~PersonDetector() = default;
PersonDetector::PersonDetector(PersonDetector&&) noexcept = default;
PersonDetector& PersonDetector::operator=(PersonDetector&&) noexcept = default;

const std::string& PersonDetector::cascade_path() const {
    return impl_->cascade_path;
}

PersonDetections PersonDetector::detect(const media::Image& image) {
    return impl_->engine->detect(image);
}

}  // namespace vidseg::vision

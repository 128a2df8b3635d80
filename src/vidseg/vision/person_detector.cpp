#include "vidseg/vision/person_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/vision/cv_image.hpp"

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

media::PixelRect to_original(const cv::Rect& r, double scale, int width, int height) {
    // Analysis coordinates → coordinates of the image given to detect(), clamped to it.
    const int x0 = std::clamp(static_cast<int>(std::lround(r.x / scale)), 0, width);
    const int y0 = std::clamp(static_cast<int>(std::lround(r.y / scale)), 0, height);
    const int x1 = std::clamp(static_cast<int>(std::lround((r.x + r.width) / scale)), 0, width);
    const int y1 = std::clamp(static_cast<int>(std::lround((r.y + r.height) / scale)), 0, height);
    return {x0, y0, x1 - x0, y1 - y0};
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

struct PersonDetector::Impl {
    PersonDetectorOptions options;
    std::string cascade_path;
    cv::CascadeClassifier faces;
    cv::HOGDescriptor bodies;
};

PersonDetector::PersonDetector(PersonDetectorOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->cascade_path = find_face_cascade(impl_->options.cascade_dir);
    if (impl_->cascade_path.empty()) {
        std::string searched;
        for (const auto& d : cascade_dirs(impl_->options.cascade_dir))
            searched += (searched.empty() ? "" : ", ") + d;
        throw Error(ErrorCode::InputNotFound,
                    std::string("OpenCV face detector data ") + kFaceCascade + " not found in " + searched +
                        " (Debian package opencv-data; or set VIDSEG_OPENCV_CASCADES)");
    }
    bool loaded = false;
    try {
        loaded = impl_->faces.load(impl_->cascade_path);
    } catch (const cv::Exception&) {
        loaded = false;
    }
    if (!loaded || impl_->faces.empty())
        throw Error(ErrorCode::InvalidData, "not an OpenCV cascade classifier", impl_->cascade_path);
    if (impl_->options.detect_bodies)
        impl_->bodies.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
}

PersonDetector::~PersonDetector() = default;
PersonDetector::PersonDetector(PersonDetector&&) noexcept = default;
PersonDetector& PersonDetector::operator=(PersonDetector&&) noexcept = default;

const std::string& PersonDetector::cascade_path() const {
    return impl_->cascade_path;
}

PersonDetections PersonDetector::detect(const media::Image& image) {
    double scale = 1;
    cv::Mat gray = analysis_gray(image, impl_->options.analysis_width, &scale);
    PersonDetections out;
    try {
        cv::Mat equalized;
        cv::equalizeHist(gray, equalized);
        std::vector<cv::Rect> found;
        // minNeighbors 5 is OpenCV's recommended value against false positives on textured
        // backgrounds (blackboards, bookshelves); 24 px is the cascade's own window size.
        impl_->faces.detectMultiScale(equalized, found, 1.1, 5, 0, cv::Size(24, 24));
        const double area = static_cast<double>(image.width) * image.height;
        for (const auto& r : found) {
            out.faces.push_back(to_original(r, scale, image.width, image.height));
            const auto& f = out.faces.back();
            out.largest_face_fraction =
                std::max(out.largest_face_fraction, f.width * static_cast<double>(f.height) / area);
        }
        if (out.faces.empty() && impl_->options.detect_bodies && gray.cols >= 64 && gray.rows >= 128) {
            std::vector<cv::Rect> bodies;
            std::vector<double> weights;
            impl_->bodies.detectMultiScale(gray, bodies, weights, 0, cv::Size(8, 8), cv::Size(0, 0), 1.1, 2);
            for (size_t i = 0; i < bodies.size(); ++i)
                // SVM margin >= 0.5: the weak hits of the default people detector are mostly furniture.
                if (weights[i] >= 0.5)
                    out.bodies.push_back(to_original(bodies[i], scale, image.width, image.height));
        }
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::Internal, std::string("OpenCV person detection failed: ") + e.what());
    }
    return out;
}

}  // namespace vidseg::vision

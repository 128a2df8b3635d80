#include "vidseg/vision/opencv/haar_hog_detector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "vidseg/vision/opencv/cv_image.hpp"

namespace vidseg::vision::cvmod {

namespace {

media::PixelRect to_original(const cv::Rect& r, double scale, int width, int height) {
    // Analysis coordinates → coordinates of the image given to detect(), clamped to it.
    const int x0 = std::clamp(static_cast<int>(std::lround(r.x / scale)), 0, width);
    const int y0 = std::clamp(static_cast<int>(std::lround(r.y / scale)), 0, height);
    const int x1 = std::clamp(static_cast<int>(std::lround((r.x + r.width) / scale)), 0, width);
    const int y1 = std::clamp(static_cast<int>(std::lround((r.y + r.height) / scale)), 0, height);
    return {x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

HaarHogDetector::HaarHogDetector(const std::string& cascade_path, int analysis_width, bool detect_bodies)
    : analysis_width_(analysis_width), detect_bodies_(detect_bodies) {
    bool loaded = false;
    try {
        loaded = faces_.load(cascade_path);
    } catch (const cv::Exception&) {
        loaded = false;
    }
    if (!loaded || faces_.empty()) throw std::invalid_argument("not an OpenCV cascade classifier");
    if (detect_bodies_) bodies_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
}

PersonDetections HaarHogDetector::detect(const media::Image& image) {
    double scale = 1;
    PersonDetections out;
    try {
        cv::Mat gray = analysis_gray(image, analysis_width_, &scale);
        cv::Mat equalized;
        cv::equalizeHist(gray, equalized);
        std::vector<cv::Rect> found;
        // minNeighbors 5 is OpenCV's recommended value against false positives on textured
        // backgrounds (blackboards, bookshelves); 24 px is the cascade's own window size.
        faces_.detectMultiScale(equalized, found, 1.1, 5, 0, cv::Size(24, 24));
        const double area = static_cast<double>(image.width) * image.height;
        for (const auto& r : found) {
            out.faces.push_back(to_original(r, scale, image.width, image.height));
            const auto& f = out.faces.back();
            out.largest_face_fraction =
                std::max(out.largest_face_fraction, f.width * static_cast<double>(f.height) / area);
        }
        if (out.faces.empty() && detect_bodies_ && gray.cols >= 64 && gray.rows >= 128) {
            std::vector<cv::Rect> bodies;
            std::vector<double> weights;
            bodies_.detectMultiScale(gray, bodies, weights, 0, cv::Size(8, 8), cv::Size(0, 0), 1.1, 2);
            for (size_t i = 0; i < bodies.size(); ++i)
                // SVM margin >= 0.5: the weak hits of the default people detector are mostly furniture.
                if (weights[i] >= 0.5)
                    out.bodies.push_back(to_original(bodies[i], scale, image.width, image.height));
        }
    } catch (const cv::Exception& e) {
        throw std::runtime_error(std::string("OpenCV person detection failed: ") + e.what());
    }
    return out;
}

}  // namespace vidseg::vision::cvmod

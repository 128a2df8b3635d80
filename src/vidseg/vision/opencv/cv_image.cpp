#include "vidseg/vision/opencv/cv_image.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace vidseg::vision::cvmod {

cv::Mat view_of(const media::Image& image) {
    if (image.empty()) throw std::invalid_argument("empty image");
    const size_t stride = static_cast<size_t>(image.width) * image.channels();
    if (image.pixels.size() < stride * image.height)
        throw std::invalid_argument("image pixel buffer is shorter than width * height * channels");
    return cv::Mat(image.height, image.width, image.layout == media::PixelLayout::Rgb24 ? CV_8UC3 : CV_8UC1,
                   const_cast<uint8_t*>(image.pixels.data()), stride);
}

cv::Mat analysis_gray(const media::Image& image, int max_width, double* scale) {
    const cv::Mat view = view_of(image);
    // cvtColor / resize below write new buffers; the caller's pixels are never modified.
    cv::Mat gray;
    if (image.layout == media::PixelLayout::Rgb24)
        cv::cvtColor(view, gray, cv::COLOR_RGB2GRAY);
    else
        gray = view.clone();
    double s = 1.0;
    if (max_width > 0 && gray.cols > max_width) {
        s = static_cast<double>(max_width) / gray.cols;
        const int h = std::max(1, static_cast<int>(std::lround(gray.rows * s)));
        cv::Mat small;
        cv::resize(gray, small, cv::Size(max_width, h), 0, 0, cv::INTER_AREA);
        gray = small;
    }
    if (scale) *scale = s;
    return gray;
}

}  // namespace vidseg::vision::cvmod

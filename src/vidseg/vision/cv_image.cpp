#include "vidseg/vision/cv_image.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::vision {

void check_image(const media::Image& image) {
    if (image.empty()) throw Error(ErrorCode::InvalidArgument, "empty image");
    const size_t need = static_cast<size_t>(image.width) * image.height * image.channels();
    if (image.pixels.size() < need)
        throw Error(ErrorCode::InvalidArgument,
                    "image pixel buffer is shorter than width * height * channels");
}

cv::Mat analysis_gray(const media::Image& image, int max_width, double* scale) {
    check_image(image);
    // A header over the caller's pixels (no copy); cvtColor / resize below write new buffers.
    const cv::Mat view(
        image.height, image.width, image.layout == media::PixelLayout::Rgb24 ? CV_8UC3 : CV_8UC1,
        const_cast<uint8_t*>(image.pixels.data()), static_cast<size_t>(image.width) * image.channels());
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

}  // namespace vidseg::vision

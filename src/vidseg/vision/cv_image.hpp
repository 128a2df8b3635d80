// media::Image → cv::Mat for the OpenCV-based analysers of vision/. Private to the library: public
// headers never include OpenCV (it is linked PRIVATE into libvidseg).
#pragma once

#include <opencv2/core.hpp>

#include "vidseg/media/image.hpp"

namespace vidseg::vision {

// Throws InvalidArgument for an empty image or a pixel buffer shorter than width * height * channels.
void check_image(const media::Image& image);

// Gray (Rec.601 luma) copy of the image, scaled down with area averaging so that it is at most
// max_width pixels wide (0 = keep the size). *scale receives analysis size / original size (<= 1).
cv::Mat analysis_gray(const media::Image& image, int max_width, double* scale = nullptr);

}  // namespace vidseg::vision

// media::Image → cv::Mat for the OpenCV code of the vision module (libvidseg_vision.so). Only the
// module includes OpenCV; libvidseg talks to it through vision/vision_backend.hpp.
#pragma once

#include <opencv2/core.hpp>

#include "vidseg/media/image.hpp"

namespace vidseg::vision::cvmod {

// A header over the image's pixels (no copy): CV_8UC3 for Rgb24, CV_8UC1 for Gray8. Throws
// std::invalid_argument for an empty image or a short pixel buffer (libvidseg checks before calling).
cv::Mat view_of(const media::Image& image);

// Gray (Rec.601 luma) copy of the image, scaled down with area averaging so that it is at most
// max_width pixels wide (0 = keep the size). *scale receives analysis size / original size (<= 1).
cv::Mat analysis_gray(const media::Image& image, int max_width, double* scale = nullptr);

}  // namespace vidseg::vision::cvmod

// The person detector of the vision module: OpenCV's Haar frontal-face cascade, then (when no face
// is seen) the HOG pedestrian detector built into objdetect. The file search, options and results
// are documented in vision/person_detector.hpp.
#pragma once

#include <string>

#include <opencv2/objdetect.hpp>

#include "vidseg/vision/vision_backend.hpp"

namespace vidseg::vision::cvmod {

class HaarHogDetector final : public PersonDetectorEngine {
public:
    // std::invalid_argument when cascade_path is not a cascade classifier.
    HaarHogDetector(const std::string& cascade_path, int analysis_width, bool detect_bodies);
    PersonDetections detect(const media::Image& image) override;

private:
    int analysis_width_;
    bool detect_bodies_;
    cv::CascadeClassifier faces_;
    cv::HOGDescriptor bodies_;
};

}  // namespace vidseg::vision::cvmod

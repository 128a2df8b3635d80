// Finds visible people in a picture with the detectors that ship with Debian's OpenCV: the Haar
// frontal-face cascade (opencv-data: haarcascade_frontalface_default.xml) and the HOG pedestrian
// detector built into objdetect (no data file). Used to prefer keyframes where the teacher or a
// pupil is actually visible. The OpenCV work runs in the dlopen()ed vision module
// (vision_backend.hpp, libvidseg_vision.so); the first detector loads it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::vision {

struct PersonDetectorOptions {
    // Folder holding haarcascade_frontalface_default.xml. Empty = the environment variable
    // VIDSEG_OPENCV_CASCADES, then the Debian / upstream install folders
    // (/usr/share/opencv4/haarcascades, /usr/share/opencv/haarcascades,
    // /usr/local/share/opencv4/haarcascades).
    std::string cascade_dir;
    // Pictures are scaled down (never up) to this width before detection: detection cost grows with
    // the pixel count (Haar + HOG ~185 ms per frame at 640 px, ~85 ms at 480 px here), and a face
    // narrower than the cascade's 24-pixel window at 480 px (5 % of the frame width) is not "visible".
    int analysis_width = 480;
    // Run the (slower) HOG body detector when no face was found: a teacher seen from behind still counts.
    bool detect_bodies = true;
};

struct PersonDetections {
    // Rectangles in pixels of the image given to detect() (not of the scaled analysis copy).
    std::vector<media::PixelRect> faces;
    std::vector<media::PixelRect> bodies;  // empty when a face was found (the body pass is skipped)
    // Area of the largest face as a fraction of the picture area (0 without faces).
    double largest_face_fraction = 0;
};

class PersonDetector {
  public:
    // Throws Error(InputNotFound) naming the folders searched when the face cascade is missing
    // (Debian: install opencv-data), Error(InvalidData) when the file is not a cascade,
    // Error(Unsupported) when libvidseg_vision.so cannot be loaded.
    explicit PersonDetector(PersonDetectorOptions options = {});
    ~PersonDetector();
    PersonDetector(PersonDetector&&) noexcept;
    PersonDetector& operator=(PersonDetector&&) noexcept;

    // Rgb24 or Gray8. Throws InvalidArgument for an empty image or a short pixel buffer.
    // Not thread-safe (OpenCV's cascade keeps per-call scratch state): one detector per thread.
    PersonDetections detect(const media::Image& image);

    // The cascade file in use.
    const std::string& cascade_path() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Path of haarcascade_frontalface_default.xml per the search order above, or "" when none exists.
std::string find_face_cascade(const std::string& cascade_dir = {});

}  // namespace vidseg::vision

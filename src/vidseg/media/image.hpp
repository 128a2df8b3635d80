// A decoded picture in plain memory: what the media layer hands to vision/ and to image writers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vidseg::media {

enum class PixelLayout { Rgb24, Gray8 };

struct Image {
    int width = 0;
    int height = 0;
    PixelLayout layout = PixelLayout::Rgb24;
    std::vector<uint8_t> pixels;  // tightly packed rows: width * channels bytes each
    double time = 0;              // presentation time in seconds (relative to the container start)

    int channels() const noexcept { return layout == PixelLayout::Rgb24 ? 3 : 1; }
    bool empty() const noexcept { return width == 0 || height == 0; }
    const uint8_t* row(int y) const noexcept { return pixels.data() + static_cast<size_t>(y) * width * channels(); }
};

// A crop rectangle in pixels of the source image.
struct PixelRect {
    int x = 0, y = 0, width = 0, height = 0;
};

}  // namespace vidseg::media

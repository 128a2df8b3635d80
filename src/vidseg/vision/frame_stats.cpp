#include "vidseg/vision/frame_stats.hpp"

#include <algorithm>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::vision {

namespace {

void check_image(const media::Image& image) {
    if (image.width <= 0 || image.height <= 0)
        throw Error(ErrorCode::InvalidArgument, "empty image (" + std::to_string(image.width) + "x" +
                                                    std::to_string(image.height) + ")");
    const size_t need = static_cast<size_t>(image.width) * static_cast<size_t>(image.height) *
                        static_cast<size_t>(image.channels());
    if (image.pixels.size() < need)
        throw Error(ErrorCode::InvalidArgument, "image buffer holds " + std::to_string(image.pixels.size()) +
                                                    " bytes, " + std::to_string(need) + " needed");
}

}  // namespace

std::vector<float> luma_plane(const media::Image& image) {
    check_image(image);
    const size_t count = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
    std::vector<float> out(count);
    const uint8_t* p = image.pixels.data();
    if (image.layout == media::PixelLayout::Gray8) {
        std::copy(p, p + count, out.begin());
    } else {
        for (size_t i = 0; i < count; ++i, p += 3)
            out[i] = 0.299f * static_cast<float>(p[0]) + 0.587f * static_cast<float>(p[1]) +
                     0.114f * static_cast<float>(p[2]);
    }
    return out;
}

double mean_brightness(const media::Image& image) {
    const auto luma = luma_plane(image);
    double sum = 0;
    for (float y : luma) sum += y;
    return sum / static_cast<double>(luma.size());
}

double sharpness(const media::Image& image) {
    const auto luma = luma_plane(image);
    const int w = image.width, h = image.height;
    if (w < 3 || h < 3) return 0.0;
    // Two-pass-free variance: sum and sum of squares in double (values are at most ~2040 in
    // magnitude, and a 4K frame has ~8M of them, far below double's exact range).
    double sum = 0, sum_sq = 0;
    for (int y = 1; y < h - 1; ++y) {
        const float* up = luma.data() + static_cast<size_t>(y - 1) * w;
        const float* mid = up + w;
        const float* down = mid + w;
        for (int x = 1; x < w - 1; ++x) {
            const double lap = static_cast<double>(up[x]) + down[x] + mid[x - 1] + mid[x + 1] - 4.0 * mid[x];
            sum += lap;
            sum_sq += lap * lap;
        }
    }
    const double n = static_cast<double>(w - 2) * static_cast<double>(h - 2);
    const double mean = sum / n;
    return std::max(0.0, sum_sq / n - mean * mean);
}

std::array<float, 64> luma_histogram(const media::Image& image) {
    const auto luma = luma_plane(image);
    std::array<double, 64> counts{};
    for (float y : luma) {
        // Rounding first keeps an RGB pixel whose luma is 3.9999 (float error on an exact 4) in the
        // bin the integer value belongs to.
        const int v = std::clamp(static_cast<int>(y + 0.5f), 0, 255);
        counts[static_cast<size_t>(v / 4)] += 1.0;
    }
    std::array<float, 64> hist{};
    const double n = static_cast<double>(luma.size());
    for (size_t i = 0; i < hist.size(); ++i) hist[i] = static_cast<float>(counts[i] / n);
    return hist;
}

std::vector<float> downscaled_luma(const media::Image& image, int cols, int rows) {
    if (cols <= 0 || rows <= 0)
        throw Error(ErrorCode::InvalidArgument,
                    "grid must be at least 1x1, got " + std::to_string(cols) + "x" + std::to_string(rows));
    const auto luma = luma_plane(image);
    const int w = image.width, h = image.height;
    std::vector<float> out(static_cast<size_t>(cols) * static_cast<size_t>(rows));
    for (int cy = 0; cy < rows; ++cy) {
        int y0 = static_cast<int>(static_cast<long long>(cy) * h / rows);
        int y1 = std::max(y0 + 1, static_cast<int>(static_cast<long long>(cy + 1) * h / rows));
        y0 = std::min(y0, h - 1);
        y1 = std::min(y1, h);
        for (int cx = 0; cx < cols; ++cx) {
            int x0 = static_cast<int>(static_cast<long long>(cx) * w / cols);
            int x1 = std::max(x0 + 1, static_cast<int>(static_cast<long long>(cx + 1) * w / cols));
            x0 = std::min(x0, w - 1);
            x1 = std::min(x1, w);
            double sum = 0;
            for (int y = y0; y < y1; ++y)
                for (int x = x0; x < x1; ++x) sum += luma[static_cast<size_t>(y) * w + x];
            out[static_cast<size_t>(cy) * cols + cx] =
                static_cast<float>(sum / (static_cast<double>(y1 - y0) * (x1 - x0)));
        }
    }
    return out;
}

}  // namespace vidseg::vision

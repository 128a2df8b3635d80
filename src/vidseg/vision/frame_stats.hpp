// Per-frame picture statistics used to describe segments and to pick usable keyframes:
// brightness (too dark?), sharpness (motion blur / out of focus?) and the luma distribution.
#pragma once

#include <array>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::vision {

// Every function below accepts Rgb24 or Gray8 images and throws InvalidArgument for an empty image
// or one whose pixel buffer is shorter than width * height * channels.

// Rec.601 luma per pixel (0.299 R + 0.587 G + 0.114 B; Gray8 is taken as luma), row-major.
std::vector<float> luma_plane(const media::Image& image);

// Mean Rec.601 luma, 0..255.
double mean_brightness(const media::Image& image);

// Variance of the 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0] of luma over the interior pixels (the
// one-pixel border has no full neighbourhood and is skipped rather than padded, so a padding
// rule cannot invent edges). The usual "variance of Laplacian" focus measure: higher = sharper.
// Images narrower or shorter than 3 pixels score 0.
double sharpness(const media::Image& image);

// 64-bin histogram of luma (bin = floor(luma / 4)), normalised to sum 1.
std::array<float, 64> luma_histogram(const media::Image& image);

// Area-averaged luma on a fixed cols x rows grid (each cell averages the source pixels it covers;
// every cell covers at least one pixel, so images smaller than the grid still work).
// Throws InvalidArgument when cols or rows <= 0.
std::vector<float> downscaled_luma(const media::Image& image, int cols, int rows);

}  // namespace vidseg::vision

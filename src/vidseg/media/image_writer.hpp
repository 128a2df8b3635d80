// JPEG / PNG encoding of Images (FFmpeg mjpeg / png encoders), with optional crop and scale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/media/image.hpp"

namespace vidseg::media {

enum class ImageFormat { Jpeg, Png };

struct ImageWriteOptions {
    std::optional<ImageFormat> format;  // default: from the file extension (.jpg/.jpeg/.png); JPEG for encode_image
    int quality = 90;                   // JPEG quality 1..100 (mapped to the mjpeg qscale 31..1)
    std::optional<PixelRect> crop;      // in pixels of the input image; applied before scaling
    int width = 0, height = 0;          // output size after crop; 0 = derived keeping the aspect (both 0 = keep)
};

// "jpg"/"jpeg"/"png" (case-insensitive, with or without the dot) -> format; nullopt otherwise.
std::optional<ImageFormat> image_format_from_extension(const std::string& extension);

// Output size for an input of in_w x in_h after options.crop / width / height. Throws InvalidArgument for a
// crop rectangle outside the image or negative sizes.
std::pair<int, int> image_output_size(int in_w, int in_h, const ImageWriteOptions& options);

// Encoded file bytes. Thread-safe (no shared state). Throws InvalidArgument (empty image, bad crop,
// quality out of range), Unsupported (encoder missing).
std::vector<uint8_t> encode_image(const Image& image, const ImageWriteOptions& options);

// Encodes and writes atomically (temp file in the same directory + rename).
// Throws additionally InvalidArgument for an unknown extension, OutputError naming path when unwritable.
void write_image(const Image& image, const std::string& path, const ImageWriteOptions& options = {});

}  // namespace vidseg::media

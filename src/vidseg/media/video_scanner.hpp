// Sequential decode of a whole video at a small size, for cheap per-frame features (brightness,
// scene cuts). One pass, flat memory.
#pragma once

#include <functional>
#include <string>

#include "vidseg/core/progress.hpp"
#include "vidseg/media/image.hpp"

namespace vidseg::media {

struct ScanOptions {
    int width = 160;  // output width (height keeps the display aspect); 0 = native size
    PixelLayout layout = PixelLayout::Gray8;
    double max_fps = 0;       // 0 = every decoded frame; otherwise at most this many frames per second
    bool skip_nonref = true;  // the decoder may skip non-reference frames (faster, fewer frames)
    bool apply_rotation = true;
};

// Calls sink with each (kept) frame in presentation order; Image::time is relative to the container start.
// Throws Error: InputNotFound, InvalidMedia ("has no video stream"), Interrupted.
void scan_video(const std::string& path, const ScanOptions& options, const std::function<void(const Image&)>& sink,
                Progress* progress = nullptr);

}  // namespace vidseg::media

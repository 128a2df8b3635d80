// Cheap sampling of an episode's first minutes as small grey pictures at a fixed rate, for
// perceptual hashes (intro detection): one sequential pass that stops at a time limit, skips the
// decoder's non-reference frames and loop filter, and scales only the frames it keeps.
#pragma once

#include <functional>
#include <string>

#include "vidseg/core/progress.hpp"
#include "vidseg/media/image.hpp"

namespace vidseg::media {

struct FrameSampleOptions {
    double fps = 4;        // slots per second; each slot gets the frame on screen at its time
    double end = -1;       // stop after this time (seconds; < 0 = the whole video)
    // Emit only the slots at or after this time (seconds; 0 = from slot 0): the decoder starts at the
    // keyframe before it, so a window costs its own GOPs, not the video before it. Each slot gets the
    // same frame as in a sampling from the start (the frames before `start` are decoded, not emitted).
    double start = 0;
    int width = 64;        // output width (height keeps the display aspect), Gray8
    int threads = 1;       // decoder threads
    bool skip_nonref = true;
};

// Calls sink(slot, image) for slot = 0, 1, ... while slot / fps < end (or the video lasts): image is the
// last decoded frame with pts <= slot / fps (the first frame for slots before it). A frame is scaled
// once and reused for the slots it covers. Returns the container duration (seconds, 0 = unknown).
// Throws Error: InputNotFound, InvalidMedia ("has no video stream").
double sample_frames(const std::string& path, const FrameSampleOptions& options,
                     const std::function<void(std::size_t, const Image&)>& sink, Progress* progress = nullptr);

}  // namespace vidseg::media

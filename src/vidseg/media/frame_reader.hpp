// Frame-accurate random access to the pictures of a video: read_at(t) returns exactly the frame that is
// on screen at t (the last frame with pts <= t), read_many() fetches many such frames in one pass,
// decoding forward between near targets, seeking between far ones, with parallel decoders.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/media/image.hpp"

namespace vidseg::media {

struct FrameReaderOptions {
    int max_width = 0;   // 0 = native; otherwise scale down (never up) keeping the aspect ratio
    int max_height = 0;  // 0 = native
    PixelLayout layout = PixelLayout::Rgb24;
    bool apply_rotation = true;  // honour the display matrix (a 90-degree video comes out portrait)
    int workers = 0;             // parallel decoders used by read_many; 0 = auto (hardware cores)
    // While decoding towards a target, let the decoder drop non-reference frames that provably cannot
    // be the answer (their pts is below that of an already decoded candidate). Output stays exact.
    bool skip_nonref = true;
    // read_many: when false (default) and more than one worker runs, sink is called concurrently from
    // worker threads and must be thread-safe; when true, calls are serialized under a mutex.
    bool serialize_sink = false;
    // Approximate mode (thumbnails when exactness is not needed): every target gives the keyframe
    // (I-frame) nearest to it by the container's index, decoded alone — no other frame of its GOP is
    // decoded. Image::time is that keyframe's time. Without an index: the keyframe at or before t.
    bool nearest_keyframe = false;
};

class FrameReader {
public:
    // Throws Error: InputNotFound, InvalidMedia ("has no video stream", unreadable), Unsupported (no decoder).
    explicit FrameReader(const std::string& path, FrameReaderOptions options = {});
    ~FrameReader();
    FrameReader(const FrameReader&) = delete;
    FrameReader& operator=(const FrameReader&) = delete;

    double duration() const;  // seconds
    // Where the picture ends when the container says (the video stream's own duration), else duration():
    // sound may outlast the picture, and times past the picture show its last frame.
    double picture_duration() const;
    double fps() const;       // average frame rate (0 when unknown)
    int width() const;        // output size after rotation and scaling
    int height() const;

    // The frame displayed at time t (seconds from the container start): the last frame with
    // pts <= t, exact (not the nearest keyframe). Before the first frame: the first frame.
    // Image::time is that frame's presentation time. Throws InvalidArgument when t < 0 or t > duration().
    Image read_at(double t);

    // Many timestamps in one pass (any order, duplicates allowed). Targets are visited sorted; the reader
    // keeps decoding forward when the keyframe before the next target is not after the current
    // position, and seeks otherwise. With several workers, each worker has its own demuxer + decoder
    // over a contiguous share of the sorted targets. sink(index_in_times, image) is called exactly once
    // per entry of times; the order of calls is unspecified, and they may be concurrent unless
    // options.serialize_sink (see FrameReaderOptions). All times are validated before any decoding.
    // The first exception (from decoding or from sink) stops all workers and is rethrown.
    void read_many(const std::vector<double>& times, const std::function<void(size_t, const Image&)>& sink,
                   Progress* progress = nullptr);

    // Every frame shown in [from, to) (both within [0, duration()]): one target per frame period
    // (25 fps when the rate is unknown), each frame once, in time order — several targets can land on
    // one frame when the frame rate varies.
    std::vector<Image> read_span(double from, double to);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vidseg::media

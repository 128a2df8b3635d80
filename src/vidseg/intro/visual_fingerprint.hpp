// Visual fingerprints of an episode's first minutes: one 64-bit perceptual hash (DCT pHash of a
// 32x32 luma thumbnail) per sampling slot at a few frames per second, from low-resolution decoding.
// Two frames of the same picture (another codec, bitrate, resolution, loudness) differ in a few
// bits; unrelated pictures in ~32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/media/image.hpp"
#include "vidseg/timeline/interval.hpp"

namespace vidseg::intro {

struct VisualFingerprint {
    // hashes[k] describes the frame on screen at k * period (the last decoded frame with pts <= that
    // time; before the first frame: the first frame).
    std::vector<uint64_t> hashes;
    // Mean luma (0..255) of the same frames: black frames (cues for boundaries) and flat pictures,
    // whose hashes carry no information.
    std::vector<uint8_t> luma;
    double period = 0.25;  // seconds between slots (4 fps)
    double duration = 0;   // seconds covered
    // Where pictures were decoded (sorted, disjoint, within [0, duration)); empty = everywhere. Slots
    // outside are flat (hash 0). See picture_windows.hpp.
    std::vector<timeline::Interval> windows;

    double slot_time(std::size_t k) const noexcept { return double(k) * period; }
    bool empty() const noexcept { return hashes.empty(); }
    // Whether a run of matching pictures at `run` may go on past what was decoded: one of its ends lies
    // at a window edge that is not an edge of the whole span. Such a run's length is unknown (a test
    // pattern shown all through an episode looks like a window-long run), so the "most of the file"
    // rule must treat it as possibly the whole file.
    bool cut_by_window(const timeline::Interval& run) const noexcept;
};

struct VisualFingerprintOptions {
    double fps = 4;         // sampling slots per second; 0 = no visual fingerprints (audio only, fastest)
    int decode_width = 64;  // frames are scaled down to this width before hashing (height keeps the aspect)
};

// 64-bit DCT perceptual hash of a picture: luma resized to 32x32, 2-D DCT, the 8x8 lowest
// frequencies without the DC term compared with their median (bit set = above).
uint64_t perceptual_hash(const media::Image& image);
// Mean luma of a picture (0..255).
uint8_t mean_luma(const media::Image& image);

// Differing bits of two hashes.
inline int hash_distance(uint64_t a, uint64_t b) noexcept { return __builtin_popcountll(a ^ b); }

// Hashes [0, seconds) of the first video stream (seconds <= 0: all of it).
// Throws Error: InputNotFound, InvalidMedia ("has no video stream").
VisualFingerprint fingerprint_video(const std::string& path, double seconds, const VisualFingerprintOptions& options = {},
                                    Progress* progress = nullptr);

// Builds a fingerprint from pictures already decoded (tests, other front ends): frames in
// presentation order with Image::time set.
VisualFingerprint fingerprint_frames(const std::vector<media::Image>& frames, double seconds, double fps = 4);

}  // namespace vidseg::intro

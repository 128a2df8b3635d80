#include "vidseg/intro/visual_fingerprint.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "vidseg/core/error.hpp"
#include "vidseg/media/frame_sampler.hpp"

namespace vidseg::intro {

namespace {

constexpr int kThumb = 32;  // the thumbnail the DCT runs on
constexpr int kLow = 8;     // the 8x8 lowest frequencies make the 64 bits
// A thumbnail whose luma varies less than this (standard deviation, 0..255) is flat (black, a
// fade, a plain card): its hash would be noise, so it is stored as 0 and never matches.
constexpr double kFlatStdDev = 3.0;

// Area-averaged luma thumbnail (kThumb x kThumb) of a Gray8 or Rgb24 picture.
std::array<float, kThumb * kThumb> thumbnail(const media::Image& image) {
    std::array<float, kThumb * kThumb> out{};
    const int w = image.width, h = image.height, ch = image.channels();
    for (int ty = 0; ty < kThumb; ++ty) {
        const int y0 = ty * h / kThumb, y1 = std::max(y0 + 1, (ty + 1) * h / kThumb);
        for (int tx = 0; tx < kThumb; ++tx) {
            const int x0 = tx * w / kThumb, x1 = std::max(x0 + 1, (tx + 1) * w / kThumb);
            double sum = 0;
            int n = 0;
            for (int y = y0; y < y1 && y < h; ++y) {
                const uint8_t* row = image.row(y);
                for (int x = x0; x < x1 && x < w; ++x, ++n) {
                    const uint8_t* p = row + x * ch;
                    sum += ch == 1 ? p[0] : 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
                }
            }
            out[std::size_t(ty * kThumb + tx)] = n ? float(sum / n) : 0.f;
        }
    }
    return out;
}

const std::array<float, kLow * kThumb>& dct_table() {
    static const auto table = [] {
        std::array<float, kLow * kThumb> t{};
        for (int u = 0; u < kLow; ++u)
            for (int x = 0; x < kThumb; ++x)
                t[std::size_t(u * kThumb + x)] = float(std::cos(M_PI * (2 * x + 1) * u / (2.0 * kThumb)));
        return t;
    }();
    return table;
}

}  // namespace

bool VisualFingerprint::cut_by_window(const timeline::Interval& run) const noexcept {
    // A run of slots covers half a slot either side of them, and its outermost slots inside a window may
    // be flat or disagree for a slot or two (max_gap of align_visual is larger, but a run that stops
    // more than two slots short of a cut edge stopped by itself).
    const double tolerance = 2.5 * period;
    for (const auto& w : windows) {
        if (run.end <= w.start || run.start >= w.end) continue;
        const bool cut_start = w.start > tolerance && run.start <= w.start + tolerance;
        const bool cut_end = w.end < duration - tolerance && run.end >= w.end - tolerance;
        if (cut_start || cut_end) return true;
    }
    return false;
}

uint64_t perceptual_hash(const media::Image& image) {
    if (image.empty()) return 0;
    const auto thumb = thumbnail(image);
    double mean = 0, sq = 0;
    for (float v : thumb) mean += v, sq += double(v) * v;
    mean /= thumb.size();
    if (std::sqrt(std::max(0.0, sq / thumb.size() - mean * mean)) < kFlatStdDev) return 0;
    const auto& c = dct_table();
    // Separable DCT, only the kLow lowest frequencies in each direction.
    std::array<float, kLow * kThumb> rows{};  // rows[v][y] = sum_x c[v][x] * thumb[y][x]
    for (int v = 0; v < kLow; ++v)
        for (int y = 0; y < kThumb; ++y) {
            float s = 0;
            for (int x = 0; x < kThumb; ++x) s += c[std::size_t(v * kThumb + x)] * thumb[std::size_t(y * kThumb + x)];
            rows[std::size_t(v * kThumb + y)] = s;
        }
    std::array<float, kLow * kLow> coeff{};
    for (int u = 0; u < kLow; ++u)
        for (int v = 0; v < kLow; ++v) {
            float s = 0;
            for (int y = 0; y < kThumb; ++y) s += c[std::size_t(u * kThumb + y)] * rows[std::size_t(v * kThumb + y)];
            coeff[std::size_t(u * kLow + v)] = s;
        }
    // The DC term (overall brightness) is left out of the median: brightness changes between
    // encodes must not flip bits.
    std::array<float, kLow * kLow - 1> ac{};
    std::copy(coeff.begin() + 1, coeff.end(), ac.begin());
    std::nth_element(ac.begin(), ac.begin() + ac.size() / 2, ac.end());
    const float median = ac[ac.size() / 2];
    uint64_t hash = 0;
    for (int i = 1; i < kLow * kLow; ++i)
        if (coeff[std::size_t(i)] > median) hash |= uint64_t(1) << i;
    // Bit 0 (the DC position) marks "not flat" so that no informative hash is 0.
    return hash | 1u;
}

uint8_t mean_luma(const media::Image& image) {
    if (image.empty()) return 0;
    const int ch = image.channels();
    double sum = 0;
    for (int y = 0; y < image.height; ++y) {
        const uint8_t* row = image.row(y);
        for (int x = 0; x < image.width; ++x) {
            const uint8_t* p = row + x * ch;
            sum += ch == 1 ? p[0] : 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        }
    }
    return uint8_t(std::lround(sum / (double(image.width) * image.height)));
}

VisualFingerprint fingerprint_video(const std::string& path, double seconds, const VisualFingerprintOptions& options,
                                    Progress* progress) {
    if (!(options.fps > 0)) throw Error(ErrorCode::InvalidArgument, "visual fingerprint fps must be > 0");
    VisualFingerprint fp;
    fp.period = 1.0 / options.fps;
    media::FrameSampleOptions sample;
    sample.fps = options.fps;
    sample.end = seconds > 0 ? seconds : -1;
    sample.width = options.decode_width;
    sample.threads = 1;
    double last_time = -1;  // a frame shown in consecutive slots is hashed once
    media::sample_frames(
        path, sample,
        [&](std::size_t slot, const media::Image& image) {
            fp.hashes.resize(slot + 1, 0);
            fp.luma.resize(slot + 1, 0);
            if (slot > 0 && image.time == last_time) {
                fp.hashes[slot] = fp.hashes[slot - 1];
                fp.luma[slot] = fp.luma[slot - 1];
                return;
            }
            last_time = image.time;
            fp.hashes[slot] = perceptual_hash(image);
            fp.luma[slot] = mean_luma(image);
        },
        progress);
    fp.duration = double(fp.hashes.size()) * fp.period;
    return fp;
}

VisualFingerprint fingerprint_frames(const std::vector<media::Image>& frames, double seconds, double fps) {
    VisualFingerprint fp;
    fp.period = 1.0 / fps;
    if (frames.empty()) return fp;
    const std::size_t slots = std::size_t(std::ceil(seconds * fps - 1e-9));
    std::size_t f = 0;
    for (std::size_t k = 0; k < slots; ++k) {
        const double t = double(k) / fps;
        while (f + 1 < frames.size() && frames[f + 1].time <= t + 1e-9) ++f;
        fp.hashes.push_back(perceptual_hash(frames[f]));
        fp.luma.push_back(mean_luma(frames[f]));
    }
    fp.duration = double(slots) / fps;
    return fp;
}

}  // namespace vidseg::intro

#include "vidseg/intro/picture_windows.hpp"

#include <algorithm>
#include <cmath>

#include "vidseg/core/error.hpp"
#include "vidseg/media/frame_sampler.hpp"

namespace vidseg::intro {

using timeline::Interval;

std::vector<std::vector<Interval>> picture_windows(const std::vector<IntroDetection>& audio_pass, double span) {
    std::vector<std::vector<Interval>> out(audio_pass.size());
    std::size_t usable = 0;
    std::vector<double> lengths;
    for (const auto& d : audio_pass) {
        if (!d.error.empty()) continue;
        ++usable;
        if (d.intro) lengths.push_back(d.intro->length());
    }
    if (usable < 2 || lengths.empty()) return out;
    std::sort(lengths.begin(), lengths.end());
    const std::size_t m = lengths.size();
    const double typical = m % 2 ? lengths[m / 2] : (lengths[m / 2 - 1] + lengths[m / 2]) / 2;
    // As audio_detection_suffices: confirmed by min(3, usable - 1) partners, of the typical length.
    const double wanted = std::min(3.0, double(usable - 1));
    auto confident = [&](const IntroDetection& d) {
        return d.error.empty() && !d.no_audio && d.intro && d.confirmations >= wanted &&
               std::abs(d.intro->length() - typical) <= 0.5;
    };
    bool any_doubtful = false;
    for (const auto& d : audio_pass)
        if (d.error.empty() && !confident(d)) any_doubtful = true;
    if (!any_doubtful) return out;
    for (std::size_t i = 0; i < audio_pass.size(); ++i) {
        const auto& d = audio_pass[i];
        if (!confident(d)) continue;
        const double from = std::max(0.0, d.intro->start - kPictureWindowMargin);
        const double to = std::min(span, d.intro->end + kPictureWindowMargin);
        if (to > from) out[i].push_back({from, to});
    }
    return out;
}

std::vector<Interval> decoded_windows(std::vector<Interval> windows, double duration) {
    std::sort(windows.begin(), windows.end(), [](const Interval& x, const Interval& y) { return x.start < y.start; });
    std::vector<Interval> merged;
    for (auto w : windows) {
        w.start = std::max(0.0, w.start);
        if (duration > 0) w.end = std::min(w.end, duration);
        if (!(w.end > w.start)) continue;
        if (!merged.empty() && w.start <= merged.back().end) merged.back().end = std::max(merged.back().end, w.end);
        else merged.push_back(w);
    }
    return merged;
}

VisualFingerprint fingerprint_video_windows(const std::string& path, double seconds,
                                            const VisualFingerprintOptions& options, std::vector<Interval> windows,
                                            double duration) {
    if (!(options.fps > 0)) throw Error(ErrorCode::InvalidArgument, "visual fingerprint fps must be > 0");
    VisualFingerprint fp;
    fp.period = 1.0 / options.fps;
    const std::vector<Interval> merged = decoded_windows(std::move(windows), 0);
    const double limit = seconds > 0 ? (duration > 0 ? std::min(seconds, duration) : seconds) : duration;
    for (const auto& w : merged) {
        const double end = limit > 0 ? std::min(w.end, limit) : w.end;
        if (!(end > w.start)) continue;
        media::FrameSampleOptions sample;
        sample.fps = options.fps;
        sample.start = w.start;
        sample.end = end;
        sample.width = options.decode_width;
        sample.threads = 1;
        double last_time = -1;  // a frame shown in consecutive slots is hashed once (as fingerprint_video)
        std::size_t last_slot = 0;
        media::sample_frames(path, sample, [&](std::size_t slot, const media::Image& image) {
            if (fp.hashes.size() < slot + 1) {
                fp.hashes.resize(slot + 1, 0);
                fp.luma.resize(slot + 1, 0);
            }
            if (last_time >= 0 && slot == last_slot + 1 && image.time == last_time) {
                fp.hashes[slot] = fp.hashes[slot - 1];
                fp.luma[slot] = fp.luma[slot - 1];
            } else {
                fp.hashes[slot] = perceptual_hash(image);
                fp.luma[slot] = mean_luma(image);
            }
            last_time = image.time;
            last_slot = slot;
        });
    }
    // The whole span's slot count, so durations (the "most of the file" test) stay those of a full decode.
    if (limit > 0) {
        const std::size_t slots = std::size_t(std::ceil(limit * options.fps - 1e-6));
        if (fp.hashes.size() < slots) {
            fp.hashes.resize(slots, 0);
            fp.luma.resize(slots, 0);
        }
    }
    fp.duration = double(fp.hashes.size()) * fp.period;
    fp.windows = decoded_windows(merged, fp.duration);
    return fp;
}

}  // namespace vidseg::intro

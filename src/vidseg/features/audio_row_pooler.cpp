#include "vidseg/features/audio_row_pooler.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "vidseg/audio/tempo.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/features/audio_timeline.hpp"

namespace vidseg::features {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Voice activity (audio_timeline.hpp says the rule) of every frame, from its RMS.
std::vector<bool> voice_activity(const std::vector<float>& rms, const std::vector<bool>& tonal) {
    const std::size_t n = rms.size();
    std::vector<double> level(n);
    for (std::size_t i = 0; i < n; ++i) level[i] = 20.0 * std::log10(std::max(1e-10, static_cast<double>(rms[i])));
    std::vector<double> sorted = level;
    double floor_db = -100;
    if (!sorted.empty()) {
        const std::size_t p10 = sorted.size() / 10;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(p10), sorted.end());
        floor_db = sorted[p10];
    }
    const double threshold = std::max(-50.0, floor_db + 12.0);
    std::vector<bool> active(n);
    for (std::size_t i = 0; i < n; ++i) active[i] = level[i] > threshold && tonal[i];  // flatness < 0.3
    return active;
}

// Means of the `dims` interleaved columns of v (frame-major, v[i * dims + d]) over frames [a, b), in
// one contiguous pass (a strided pass per column walked the same rows `dims` times). Summed in
// double, frames in order: the same values as summing each column on its own.
void column_means(const float* v, std::size_t dims, std::size_t a, std::size_t b, double* mean) {
    std::fill_n(mean, dims, 0.0);
    for (std::size_t i = a; i < b; ++i) {
        const float* row = v + i * dims;
        for (std::size_t d = 0; d < dims; ++d) mean[d] += row[d];
    }
    const double cnt = static_cast<double>(b - a);
    for (std::size_t d = 0; d < dims; ++d) mean[d] /= cnt;
}

// Population standard deviations of the same columns around their means.
void column_stds(const float* v, std::size_t dims, std::size_t a, std::size_t b, const double* mean, double* sd) {
    std::fill_n(sd, dims, 0.0);
    for (std::size_t i = a; i < b; ++i) {
        const float* row = v + i * dims;
        for (std::size_t d = 0; d < dims; ++d) sd[d] += (row[d] - mean[d]) * (row[d] - mean[d]);
    }
    const double cnt = static_cast<double>(b - a);
    for (std::size_t d = 0; d < dims; ++d) sd[d] = std::sqrt(sd[d] / cnt);
}

// Drops the first `frames` frames of an array with `dims` values per frame.
void drop_frames(std::vector<float>& v, std::size_t frames, std::size_t dims) {
    v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), frames * dims)));
}

}  // namespace

AudioRowPooler::AudioRowPooler(const FeatureMatrix& m, double sample_rate, std::size_t hop, std::size_t n_mfcc,
                               std::size_t n_contrast, int threads)
    : times_(m.times),
      window_(m.spec.window),
      sample_rate_(sample_rate),
      frames_per_second_(sample_rate / static_cast<double>(hop)),
      hop_(hop),
      threads_(threads) {
    kept_.n_mfcc = n_mfcc;
    kept_.n_contrast = n_contrast;
    names_ = audio_row_columns(kept_);
    block_.assign(times_.size() * names_.size(), kNaN);
}

std::size_t AudioRowPooler::frame_at(double t) const {
    const double x = std::ceil(t * frames_per_second_ - 1e-9);
    return static_cast<std::size_t>(std::clamp(x, 0.0, 1e15));
}

void AudioRowPooler::add(const audio::AudioFrames& p, std::size_t first_frame) {
    if (first_frame != frames_seen_ || p.n_mfcc != kept_.n_mfcc || p.n_contrast != kept_.n_contrast)
        throw Error(ErrorCode::Internal, "AudioRowPooler: pieces out of order or of another shape");
    audio::append_frames(kept_, p);
    rms_.insert(rms_.end(), p.rms.begin(), p.rms.end());
    onset_.insert(onset_.end(), p.onset.begin(), p.onset.end());
    for (float flatness : p.flatness) tonal_.push_back(flatness < 0.3f);
    frames_seen_ += p.frames;
    pool_ready_rows(frames_seen_, false);
    // Keep only what the rows not yet pooled read.
    const std::size_t keep_from =
        next_row_ < times_.size() ? std::min(frame_at(times_[next_row_]), frames_seen_) : frames_seen_;
    if (keep_from > kept_first_) {
        const std::size_t drop = keep_from - kept_first_;
        drop_frames(kept_.mfcc, drop, kept_.n_mfcc);
        drop_frames(kept_.contrast, drop, kept_.n_contrast);
        drop_frames(kept_.chroma, drop, kept_.n_chroma);
        for (auto* v : {&kept_.rms, &kept_.centroid, &kept_.bandwidth, &kept_.flatness, &kept_.zcr, &kept_.onset})
            drop_frames(*v, drop, 1);
        kept_.frames -= drop;
        kept_first_ = keep_from;
    }
}

// Rows whose frames have all arrived (or all rows, at the end: clipped at the last frame).
void AudioRowPooler::pool_ready_rows(std::size_t frames_end, bool at_end) {
    for (; next_row_ < times_.size(); ++next_row_) {
        const double t = times_[next_row_];
        std::size_t a = frame_at(t), b = frame_at(t + window_);
        if (!at_end && b > frames_end) return;
        a = std::min(a, frames_end);
        b = std::min(b, frames_end);
        if (a < b) pool_row(next_row_, a, b);
    }
}

// Every column but tempo and speech_fraction (finish()) of row r, frames [a, b).
void AudioRowPooler::pool_row(std::size_t r, std::size_t a, std::size_t b) {
    const auto& f = kept_;
    a -= kept_first_;
    b -= kept_first_;
    std::vector<double> mean(std::max({f.n_mfcc, f.n_contrast, f.n_chroma, std::size_t{1}})), sd(mean.size());
    float* out = block_.data() + r * names_.size();
    std::size_t col = 0;
    auto put_means = [&](const std::vector<float>& v, std::size_t dims) {
        column_means(v.data(), dims, a, b, mean.data());
        for (std::size_t d = 0; d < dims; ++d) out[col++] = static_cast<float>(mean[d]);
    };
    auto put_stds = [&](const std::vector<float>& v, std::size_t dims) {  // after put_means of v
        column_stds(v.data(), dims, a, b, mean.data(), sd.data());
        for (std::size_t d = 0; d < dims; ++d) out[col++] = static_cast<float>(sd[d]);
    };
    put_means(f.mfcc, f.n_mfcc);
    put_stds(f.mfcc, f.n_mfcc);
    put_means(f.contrast, f.n_contrast);
    put_means(f.rms, 1);
    put_stds(f.rms, 1);
    for (const auto* v : {&f.centroid, &f.bandwidth, &f.flatness, &f.zcr}) put_means(*v, 1);
    put_means(f.chroma, f.n_chroma);
    put_means(f.onset, 1);
}

void AudioRowPooler::finish(FeatureMatrix& m) {
    pool_ready_rows(frames_seen_, true);
    const std::size_t rows = times_.size(), n = names_.size();
    const auto active = voice_activity(rms_, tonal_);
    const audio::TempoEstimator tempo(onset_, sample_rate_, hop_);
    auto do_rows = [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) {
            const std::size_t a = std::min(frame_at(times_[r]), frames_seen_),
                              b = std::min(frame_at(times_[r] + window_), frames_seen_);
            if (a >= b) continue;
            float* out = block_.data() + r * n;
            out[n - 2] = static_cast<float>(tempo.tempo_bpm(a, b));
            std::size_t on = 0;
            for (std::size_t i = a; i < b; ++i) on += active[i];
            out[n - 1] = static_cast<float>(static_cast<double>(on) / static_cast<double>(b - a));
        }
    };
    const std::size_t nthreads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, threads_)), 1,
                                                         std::max<std::size_t>(1, rows / 8));
    if (nthreads <= 1) {
        do_rows(0, rows);
    } else {
        // Rows are claimed 8 at a time: with fixed halves, a thread that started late or shared its
        // core with another process left the other waiting.
        constexpr std::size_t kRowsPerClaim = 8;
        std::atomic<std::size_t> next{0};
        auto claim_rows = [&] {
            for (std::size_t r = next.fetch_add(kRowsPerClaim); r < rows; r = next.fetch_add(kRowsPerClaim))
                do_rows(r, std::min(rows, r + kRowsPerClaim));
        };
        std::vector<std::thread> pool;
        for (std::size_t t = 1; t < nthreads; ++t) pool.emplace_back(claim_rows);
        claim_rows();
        for (auto& th : pool) th.join();
    }
    append_columns(m, names_, block_);
}

}  // namespace vidseg::features

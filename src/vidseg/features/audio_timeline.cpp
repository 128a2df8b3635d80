#include "vidseg/features/audio_timeline.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "vidseg/audio/tempo.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::features {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<bool> voice_activity(const audio::AudioFrames& f) {
    std::vector<double> level(f.frames);
    for (std::size_t i = 0; i < f.frames; ++i) level[i] = 20.0 * std::log10(std::max(1e-10, static_cast<double>(f.rms[i])));
    std::vector<double> sorted = level;
    double floor_db = -100;
    if (!sorted.empty()) {
        const std::size_t p10 = sorted.size() / 10;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(p10), sorted.end());
        floor_db = sorted[p10];
    }
    const double threshold = std::max(-50.0, floor_db + 12.0);
    std::vector<bool> active(f.frames);
    for (std::size_t i = 0; i < f.frames; ++i) active[i] = level[i] > threshold && f.flatness[i] < 0.3f;
    return active;
}

// Means of the `dims` interleaved columns of v (frame-major, v[i * dims + d]) over frames [a, b), in
// one contiguous pass (a strided pass per column walked the same rows `dims` times). Summed in
// double, frames in order: the same values as summing each column on its own.
void column_means(const std::vector<float>& v, std::size_t dims, std::size_t a, std::size_t b, double* mean) {
    std::fill_n(mean, dims, 0.0);
    for (std::size_t i = a; i < b; ++i) {
        const float* row = v.data() + i * dims;
        for (std::size_t d = 0; d < dims; ++d) mean[d] += row[d];
    }
    const double cnt = static_cast<double>(b - a);
    for (std::size_t d = 0; d < dims; ++d) mean[d] /= cnt;
}

// Population standard deviations of the same columns around their means.
void column_stds(const std::vector<float>& v, std::size_t dims, std::size_t a, std::size_t b, const double* mean,
                 double* sd) {
    std::fill_n(sd, dims, 0.0);
    for (std::size_t i = a; i < b; ++i) {
        const float* row = v.data() + i * dims;
        for (std::size_t d = 0; d < dims; ++d) sd[d] += (row[d] - mean[d]) * (row[d] - mean[d]);
    }
    const double cnt = static_cast<double>(b - a);
    for (std::size_t d = 0; d < dims; ++d) sd[d] = std::sqrt(sd[d] / cnt);
}

}  // namespace

void append_columns(FeatureMatrix& m, const std::vector<std::string>& names, const std::vector<float>& block) {
    const std::size_t rows = m.rows(), old = m.cols(), add = names.size();
    if (block.size() != rows * add) throw Error(ErrorCode::Internal, "append_columns: block size mismatch");
    std::vector<float> values(rows * (old + add));
    for (std::size_t r = 0; r < rows; ++r) {
        std::copy_n(m.values.begin() + static_cast<std::ptrdiff_t>(r * old), old, values.begin() + static_cast<std::ptrdiff_t>(r * (old + add)));
        std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(r * add), add, values.begin() + static_cast<std::ptrdiff_t>(r * (old + add) + old));
    }
    m.values = std::move(values);
    m.spec.columns.insert(m.spec.columns.end(), names.begin(), names.end());
}

std::vector<std::string> audio_row_columns(const audio::AudioFrames& f) {
    std::vector<std::string> c;
    for (std::size_t k = 0; k < f.n_mfcc; ++k) c.push_back("mfcc_mean_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_mfcc; ++k) c.push_back("mfcc_std_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_contrast; ++k) c.push_back("contrast_" + std::to_string(k));
    for (const char* n : {"rms_mean", "rms_std", "centroid", "bandwidth", "flatness", "zcr"}) c.emplace_back(n);
    for (std::size_t k = 0; k < f.n_chroma; ++k) c.push_back("chroma_" + std::to_string(k));
    for (const char* n : {"onset_strength", "tempo", "speech_fraction"}) c.emplace_back(n);
    return c;
}

void append_audio_columns(const audio::AudioFrames& f, double sample_rate, std::size_t hop, FeatureMatrix& m,
                          int threads) {
    const auto names = audio_row_columns(f);
    const std::size_t rows = m.rows(), n = names.size();
    std::vector<float> block(rows * n, kNaN);
    const auto active = voice_activity(f);
    const audio::TempoEstimator tempo(f.onset, sample_rate, hop);
    const double frames_per_second = sample_rate / static_cast<double>(hop);
    auto frame_at = [&](double t) {
        const double x = std::ceil(t * frames_per_second - 1e-9);
        return static_cast<std::size_t>(std::clamp(x, 0.0, static_cast<double>(f.frames)));
    };
    auto do_rows = [&](std::size_t r0, std::size_t r1) {
        std::vector<double> mean(std::max({f.n_mfcc, f.n_contrast, f.n_chroma, std::size_t{1}})), sd(mean.size());
        for (std::size_t r = r0; r < r1; ++r) {
            const std::size_t a = frame_at(m.times[r]), b = frame_at(m.times[r] + m.spec.window);
            if (a >= b) continue;
            const double cnt = static_cast<double>(b - a);
            float* out = block.data() + r * n;
            std::size_t col = 0;
            // Means (and stds) of a frame array with `dims` values per frame, written to the row.
            auto put_means = [&](const std::vector<float>& v, std::size_t dims) {
                column_means(v, dims, a, b, mean.data());
                for (std::size_t d = 0; d < dims; ++d) out[col++] = static_cast<float>(mean[d]);
            };
            auto put_stds = [&](const std::vector<float>& v, std::size_t dims) {  // after put_means of v
                column_stds(v, dims, a, b, mean.data(), sd.data());
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
            out[col++] = static_cast<float>(tempo.tempo_bpm(a, b));
            std::size_t on = 0;
            for (std::size_t i = a; i < b; ++i) on += active[i];
            out[col++] = static_cast<float>(static_cast<double>(on) / cnt);
        }
    };
    const std::size_t nthreads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), 1, std::max<std::size_t>(1, rows / 8));
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
    append_columns(m, names, block);
}

FeatureMatrix audio_frame_matrix(const audio::AudioFrames& f, const std::string& source) {
    FeatureMatrix m;
    m.source = source;
    m.spec.step = m.spec.window = f.frame_period > 0 ? f.frame_period : 1.0;
    for (std::size_t k = 0; k < f.n_mfcc; ++k) m.spec.columns.push_back("mfcc_" + std::to_string(k));
    for (std::size_t k = 0; k < f.n_contrast; ++k) m.spec.columns.push_back("contrast_" + std::to_string(k));
    for (const char* n : {"rms", "centroid", "bandwidth", "flatness", "zcr"}) m.spec.columns.emplace_back(n);
    for (std::size_t k = 0; k < f.n_chroma; ++k) m.spec.columns.push_back("chroma_" + std::to_string(k));
    m.spec.columns.emplace_back("onset_strength");
    const std::size_t n = m.spec.columns.size();
    m.times.resize(f.frames);
    m.values.resize(f.frames * n);
    for (std::size_t i = 0; i < f.frames; ++i) {
        m.times[i] = static_cast<double>(i) * f.frame_period;
        float* out = m.values.data() + i * n;
        std::size_t c = 0;
        for (std::size_t k = 0; k < f.n_mfcc; ++k) out[c++] = f.mfcc[i * f.n_mfcc + k];
        for (std::size_t k = 0; k < f.n_contrast; ++k) out[c++] = f.contrast[i * f.n_contrast + k];
        for (const auto* v : {&f.rms, &f.centroid, &f.bandwidth, &f.flatness, &f.zcr}) out[c++] = (*v)[i];
        for (std::size_t k = 0; k < f.n_chroma; ++k) out[c++] = f.chroma[i * f.n_chroma + k];
        out[c++] = f.onset[i];
    }
    return m;
}

}  // namespace vidseg::features

#include "vidseg/audio/tuning_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {

TuningConfig checked(TuningConfig c) {
    if (c.n_fft < 4 || c.n_fft % 2 != 0)
        throw Error(ErrorCode::InvalidArgument, "tuning estimate: n_fft must be even and >= 4, got " + std::to_string(c.n_fft));
    if (c.hop == 0 || c.hop > c.n_fft) throw Error(ErrorCode::InvalidArgument, "tuning estimate: hop must be in 1..n_fft");
    if (!(c.sample_rate > 0) || !std::isfinite(c.sample_rate))
        throw Error(ErrorCode::InvalidArgument, "tuning estimate: the sample rate must be > 0");
    if (!(c.resolution > 0 && c.resolution < 1))
        throw Error(ErrorCode::InvalidArgument, "tuning estimate: resolution must be in (0, 1)");
    if (c.bins_per_octave < 1) throw Error(ErrorCode::InvalidArgument, "tuning estimate: bins_per_octave must be >= 1");
    return c;
}

}  // namespace

struct TuningEstimator::Impl {
    TuningConfig cfg;
    RealFft fft;
    RealFft::Workspace ws;
    std::vector<float> window;
    std::vector<float> spectrum;       // one frame, n_fft / 2 + 1 bins
    std::size_t first_bin = 0, end_bin = 0;  // bins with fmin <= f < fmax
    double bin_hz = 0;                 // np.fft.rfftfreq's spacing
    std::size_t histogram_bins = 0;
    std::vector<double> edges;         // histogram_bins + 1 bin edges, as np.linspace makes them

    // Zero-padded signal: padded index 0 is n_fft / 2 samples before the first real sample.
    std::vector<float> buffer;
    std::size_t buffer_start = 0;  // padded index of buffer[0]
    std::size_t real_samples = 0;
    std::size_t next_frame = 0;
    bool finished = false;

    // Every peak: its refined spectrum value and its deviation's histogram bin.
    std::vector<float> peak_values;
    std::vector<std::uint16_t> peak_bins;

    explicit Impl(const TuningConfig& c) : cfg(checked(c)), fft(cfg.n_fft), ws(fft), window(hann_window(cfg.n_fft)) {
        const std::size_t bins = fft.bins();
        spectrum.assign(bins, 0.0f);
        const double fmin = std::max(cfg.fmin, 0.0);
        const double fmax = std::min(cfg.fmax, cfg.sample_rate / 2);
        bin_hz = 1.0 / (static_cast<double>(cfg.n_fft) * (1.0 / cfg.sample_rate));
        first_bin = bins;
        for (std::size_t k = 0; k < bins; ++k) {
            const double f = static_cast<double>(k) * bin_hz;
            if (fmin <= f && f < fmax) {
                first_bin = std::min(first_bin, k);
                end_bin = k + 1;
            }
        }
        if (first_bin >= end_bin) first_bin = end_bin = 0;
        // np.linspace(-0.5, 0.5, ceil(1 / resolution) + 1): i * step + start, the last edge exactly 0.5.
        histogram_bins = static_cast<std::size_t>(std::ceil(1.0 / cfg.resolution));
        if (histogram_bins > 65535) throw Error(ErrorCode::InvalidArgument, "tuning estimate: resolution too fine");
        const double step = 1.0 / static_cast<double>(histogram_bins);
        edges.resize(histogram_bins + 1);
        for (std::size_t i = 0; i <= histogram_bins; ++i) edges[i] = static_cast<double>(i) * step + -0.5;
        edges.back() = 0.5;
        buffer.assign(cfg.n_fft / 2, 0.0f);
    }

    // The histogram bin of a deviation r in [-0.5, 0.5): edges[i] <= r < edges[i + 1].
    std::size_t bin_of(double r) const {
        const double n = static_cast<double>(histogram_bins);
        auto i = static_cast<std::ptrdiff_t>(std::floor((r + 0.5) * n));
        i = std::clamp<std::ptrdiff_t>(i, 0, static_cast<std::ptrdiff_t>(histogram_bins) - 1);
        auto u = static_cast<std::size_t>(i);
        while (u > 0 && r < edges[u]) --u;
        while (u + 1 < histogram_bins && r >= edges[u + 1]) ++u;
        return u;
    }

    // librosa.pitch_tuning's residual of one frequency, in float32 like librosa on float32 pitches:
    // mod(bins_per_octave * log2(f / (440 / 16)), 1), moved to [-0.5, 0.5).
    float deviation(float hz) const {
        const float octaves = static_cast<float>(std::log2(static_cast<double>(hz / 27.5f)));
        float r = std::fmod(static_cast<float>(cfg.bins_per_octave) * octaves, 1.0f);
        if (r < 0) r += 1.0f;  // np.mod takes the divisor's sign (frequencies below 27.5 Hz)
        if (r >= 0.5f) r -= 1.0f;
        return r;
    }

    // One frame starting at padded index `at` (inside buffer).
    void analyse_frame(std::size_t at) {
        const float* x = buffer.data() + (at - buffer_start);
        float* in = ws.real();
        for (std::size_t t = 0; t < cfg.n_fft; ++t) in[t] = x[t] * window[t];
        fft.forward(ws);
        const float* c = ws.complex();
        const std::size_t bins = spectrum.size();
        float maximum = 0.0f;
        for (std::size_t k = 0; k < bins; ++k) {
            // |X| as numpy's complex64 abs (glibc hypotf: the double sqrt of the exact sum of squares,
            // rounded to float), without hypotf's call and special cases.
            const double re = c[2 * k], im = c[2 * k + 1];
            const auto m = static_cast<float>(std::sqrt(re * re + im * im));
            const float s = cfg.spectrum == TuningSpectrum::Power ? m * m : m;
            spectrum[k] = s;
            maximum = std::max(maximum, s);
        }
        ++next_frame;
        const float ref = static_cast<float>(cfg.threshold) * maximum;
        const float* S = spectrum.data();
        auto kept = [&](std::size_t k) { return S[k] > ref ? S[k] : 0.0f; };  // S * (S > ref)
        for (std::size_t k = first_bin; k < end_bin; ++k) {
            const float z = kept(k);
            if (z == 0.0f) continue;
            // util.localmax: x[k] > x[k-1] and x[k] >= x[k+1]; the first bin never, the last when > its left.
            if (k == 0) continue;
            if (!(z > kept(k - 1))) continue;
            if (k + 1 < bins && !(z >= kept(k + 1))) continue;
            // _parabolic_interpolation (numba stencil on float32: the sum is float32, the rest double);
            // 0 at the edges and when the optimum would move by more than a bin.
            float shift = 0.0f, slope = 0.0f;
            if (k + 1 < bins) {
                const double a = static_cast<double>(S[k + 1] + S[k - 1]) - 2.0 * static_cast<double>(S[k]);
                const double b = static_cast<double>(S[k + 1] - S[k - 1]) / 2.0;
                if (std::abs(b) < std::abs(a)) shift = static_cast<float>(-b / a);
                slope = (S[k + 1] - S[k - 1]) / 2.0f;  // np.gradient, float32
            }
            const float value = S[k] + (0.5f * slope) * shift;  // S + dskew
            const auto hz = static_cast<float>((static_cast<double>(k) + static_cast<double>(shift)) *
                                               cfg.sample_rate / static_cast<double>(cfg.n_fft));
            if (!(hz > 0.0f)) continue;  // estimate_tuning counts pitches > 0 only
            peak_values.push_back(value);
            peak_bins.push_back(static_cast<std::uint16_t>(bin_of(static_cast<double>(deviation(hz)))));
        }
    }

    // Analyses every frame that ends before padded index `available_end`, up to `frame_limit` frames.
    void run_frames(std::size_t frame_limit) {
        const std::size_t available_end = buffer_start + buffer.size();
        while (next_frame < frame_limit && next_frame * cfg.hop + cfg.n_fft <= available_end)
            analyse_frame(next_frame * cfg.hop);
        const std::size_t keep_from = std::min(next_frame * cfg.hop, available_end);
        const std::size_t drop = keep_from - buffer_start;
        if (drop > 0 && drop >= buffer.size() / 2) {  // amortised: erase when half the buffer is spent
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(drop));
            buffer_start += drop;
        }
    }

    void push(const float* samples, std::size_t count) {
        if (finished) throw Error(ErrorCode::InvalidArgument, "TuningEstimator::push after estimate");
        buffer.insert(buffer.end(), samples, samples + count);
        real_samples += count;
        run_frames(static_cast<std::size_t>(-1));
    }

    double estimate() {
        if (finished) throw Error(ErrorCode::InvalidArgument, "TuningEstimator::estimate called twice");
        finished = true;
        if (real_samples > 0) {
            const std::size_t frames = 1 + real_samples / cfg.hop;  // librosa's centred frame count
            buffer.insert(buffer.end(), cfg.n_fft / 2 + cfg.n_fft, 0.0f);
            run_frames(frames);
        }
        if (peak_values.empty()) return 0.0;
        // np.median in float32: the middle value, or the float32 mean of the two middle values.
        std::vector<float> sorted = peak_values;
        const std::size_t n = sorted.size(), mid = n / 2;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid), sorted.end());
        float median = sorted[mid];
        if (n % 2 == 0) {
            const float below = *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(mid));
            median = (below + median) / 2.0f;
        }
        std::vector<std::size_t> counts(histogram_bins, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (peak_values[i] >= median) ++counts[peak_bins[i]];
        const auto best = std::max_element(counts.begin(), counts.end()) - counts.begin();  // the first of equals
        return edges[static_cast<std::size_t>(best)];
    }
};

TuningEstimator::TuningEstimator(TuningConfig config) : impl_(std::make_unique<Impl>(config)) {}
TuningEstimator::~TuningEstimator() = default;
const TuningConfig& TuningEstimator::config() const noexcept { return impl_->cfg; }
void TuningEstimator::push(const float* samples, std::size_t count) { impl_->push(samples, count); }
double TuningEstimator::estimate() { return impl_->estimate(); }
std::size_t TuningEstimator::frames() const noexcept { return impl_->next_frame; }
std::size_t TuningEstimator::peaks() const noexcept { return impl_->peak_values.size(); }

double estimate_tuning(const float* samples, std::size_t count, const TuningConfig& config) {
    TuningEstimator estimator(config);
    estimator.push(samples, count);
    return estimator.estimate();
}

}  // namespace vidseg::audio

#include "vidseg/audio/tempo.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/float8.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {
// Zero padding to >= 2 win - 1 makes the circular autocorrelation equal the linear one for lags < win.
// The smallest 2^k or 3 * 2^k that fits (768 for librosa's 344: FFTW does it in 2/3 of the time of 1024).
std::size_t fft_size_for(std::size_t win) {
    std::size_t n = 4;
    while (n < 2 * win - 1) n <<= 1;
    if (n % 4 == 0 && n / 4 * 3 >= 2 * win - 1) n = n / 4 * 3;
    return n;
}
// x = seg * window (n values); returns sum(x^2) (eight float lanes, then double).
VIDSEG_SIMD_CLONES
double window_segment(const float* seg, const float* window, float* x, std::size_t n) {
    simd::Float8 acc = simd::splat(0.0f);
    std::size_t i = 0;
    for (; i + simd::kLanes <= n; i += simd::kLanes) {
        const simd::Float8 v = simd::load(seg + i) * simd::load(window + i);
        simd::store(x + i, v);
        acc += v * v;
    }
    double energy = 0;
    for (std::size_t j = 0; j < simd::kLanes; ++j) energy += acc[j];
    for (; i < n; ++i) {
        x[i] = seg[i] * window[i];
        energy += static_cast<double>(x[i]) * x[i];
    }
    return energy;
}

// sum[k] += weight * power[k], in double.
VIDSEG_SIMD_CLONES
void accumulate_power(const float* power, std::size_t bins, double weight, double* sum) {
    typedef double Double4 __attribute__((vector_size(32), aligned(8)));
    typedef float Float4 __attribute__((vector_size(16), aligned(4)));
    std::size_t k = 0;
    for (; k + 4 <= bins; k += 4) {
        Float4 p;
        Double4 s;
        std::memcpy(&p, power + k, sizeof p);
        std::memcpy(&s, sum + k, sizeof s);
        s += weight * __builtin_convertvector(p, Double4);
        std::memcpy(sum + k, &s, sizeof s);
    }
    for (; k < bins; ++k) sum[k] += weight * static_cast<double>(power[k]);
}

}  // namespace

TempoEstimator::TempoEstimator(const std::vector<float>& onset, double sample_rate, std::size_t hop,
                               std::size_t win_length)
    : frames_(onset.size()),
      win_(win_length ? win_length
                      : static_cast<std::size_t>(std::floor(8.0 * sample_rate / static_cast<double>(std::max<std::size_t>(hop, 1))))),
      sample_rate_(sample_rate),
      hop_(hop),
      fft_size_(fft_size_for(win_)),
      fft_(fft_size_) {
    if (sample_rate <= 0 || hop == 0) throw Error(ErrorCode::InvalidArgument, "bad tempo parameters");
    if (win_ < 2) throw Error(ErrorCode::InvalidArgument, "tempo window too short");
    const std::size_t pad = win_ / 2;
    padded_.assign(frames_ + 2 * pad, 0.0f);
    if (frames_ > 0) {
        // numpy.pad(mode="linear_ramp", end_values=0): ramps from 0 at the far end towards the edge value.
        const double left = onset.front(), right = onset.back();
        for (std::size_t i = 0; i < pad; ++i)
            padded_[i] = static_cast<float>(left * static_cast<double>(i) / static_cast<double>(pad));
        // Right ramp: element i (0 next to the edge) = right * (pad - 1 - i) / pad + ... see numpy:
        // linspace(0, right, pad, endpoint=False) reversed → right * (pad - 1 - i) / pad.
        for (std::size_t i = 0; i < pad; ++i)
            padded_[pad + frames_ + i] = static_cast<float>(right * static_cast<double>(pad - 1 - i) / static_cast<double>(pad));
        for (std::size_t i = 0; i < frames_; ++i) padded_[pad + i] = onset[i];
    }
    window_ = hann_window(win_);
    log_prior_.resize(win_);
    for (std::size_t k = 0; k < win_; ++k) {
        if (k == 0) {
            log_prior_[k] = -std::numeric_limits<double>::infinity();
            continue;
        }
        const double bpm = 60.0 * sample_rate_ / (static_cast<double>(hop_) * static_cast<double>(k));
        const double z = std::log2(bpm) - std::log2(120.0);
        log_prior_[k] = bpm >= 320.0 ? -std::numeric_limits<double>::infinity() : -0.5 * z * z;
    }
}

void TempoEstimator::column_into(std::size_t t, RealFft::Workspace& ws, double* out) const {
    // Autocorrelation through the power spectrum: ac = IFFT(|FFT(x)|^2), x zero-padded to >= 2 win - 1
    // so that the circular correlation equals the linear one for lags < win.
    float* x = ws.real();
    const float* seg = padded_.data() + t;
    for (std::size_t i = 0; i < win_; ++i) x[i] = seg[i] * window_[i];
    for (std::size_t i = win_; i < fft_size_; ++i) x[i] = 0.0f;
    fft_.forward(ws);
    float* c = ws.complex();
    for (std::size_t k = 0; k < fft_.bins(); ++k) {
        c[2 * k] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1];
        c[2 * k + 1] = 0.0f;
    }
    fft_.inverse(ws);  // fft_size_ times the autocorrelation
    const double scale = 1.0 / static_cast<double>(fft_size_);
    double peak = 0;
    for (std::size_t k = 0; k < win_; ++k) {
        out[k] = x[k] * scale;
        peak = std::max(peak, std::abs(out[k]));
    }
    if (peak >= std::numeric_limits<float>::min())
        for (std::size_t k = 0; k < win_; ++k) out[k] /= peak;
}

std::vector<double> TempoEstimator::column(std::size_t t) const {
    RealFft::Workspace ws(fft_);
    std::vector<double> ac(win_);
    column_into(t, ws, ac.data());
    return ac;
}

std::vector<double> TempoEstimator::mean_columns(std::size_t first, std::size_t last) const {
    std::vector<double> mean(win_, 0.0);
    last = std::min(last, frames_);
    if (first >= last) return mean;
    // A column is an autocorrelation divided by its maximum, and an autocorrelation's maximum is its
    // lag-0 value, the windowed segment's energy e_t (Cauchy-Schwarz). The inverse FFT is linear, so
    // the mean column is ONE inverse FFT of the mean of |X_t|^2 / e_t: a forward FFT per frame and
    // one inverse per range, instead of both per frame. (librosa leaves a column whose maximum is
    // below float32's tiny unnormalised: weight 1.)
    RealFft::Workspace ws(fft_);
    const std::size_t bins = fft_.bins();
    std::vector<double> power_sum(bins, 0.0);
    std::vector<float> power(bins);
    float* x = ws.real();
    for (std::size_t i = win_; i < fft_size_; ++i) x[i] = 0.0f;
    for (std::size_t t = first; t < last; ++t) {
        const double energy = window_segment(padded_.data() + t, window_.data(), x, win_);
        fft_.power(ws, power.data());  // keeps x
        const double weight = energy >= std::numeric_limits<float>::min() ? 1.0 / energy : 1.0;
        accumulate_power(power.data(), bins, weight, power_sum.data());
    }
    float* spectrum = ws.complex();
    for (std::size_t k = 0; k < bins; ++k) {
        spectrum[2 * k] = static_cast<float>(power_sum[k]);
        spectrum[2 * k + 1] = 0.0f;
    }
    fft_.inverse(ws);  // fft_size_ times the summed normalised autocorrelations
    const double scale = 1.0 / (static_cast<double>(fft_size_) * static_cast<double>(last - first));
    for (std::size_t k = 0; k < win_; ++k) mean[k] = x[k] * scale;
    return mean;
}

double TempoEstimator::tempo_of(const std::vector<double>& tempogram) const {
    std::size_t best = 1;
    double best_score = -std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < win_ && k < tempogram.size(); ++k) {
        const double score = std::log1p(1e6 * tempogram[k]) + log_prior_[k];
        if (score > best_score) {
            best_score = score;
            best = k;
        }
    }
    return 60.0 * sample_rate_ / (static_cast<double>(hop_) * static_cast<double>(best));
}

}  // namespace vidseg::audio

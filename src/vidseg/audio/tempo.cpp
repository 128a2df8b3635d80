#include "vidseg/audio/tempo.hpp"

#include <cmath>
#include <limits>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {
// Zero padding to >= 2 win - 1 makes the circular autocorrelation equal the linear one for lags < win.
std::size_t fft_size_for(std::size_t win) {
    std::size_t n = 4;
    while (n < 2 * win) n <<= 1;
    return n;
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

std::vector<double> TempoEstimator::column(std::size_t t) const {
    // Autocorrelation through the power spectrum: ac = IFFT(|FFT(x)|^2); the power spectrum is real
    // and even, so its inverse transform equals its forward transform divided by N.
    static thread_local std::vector<float> scratch;
    const RealFft& fft = fft_;
    std::vector<float> x(fft_size_, 0.0f), re(fft.bins()), im(fft.bins());
    for (std::size_t i = 0; i < win_; ++i) x[i] = padded_[t + i] * window_[i];
    fft.forward(x.data(), re.data(), im.data(), scratch);
    std::vector<float> p(fft_size_);
    for (std::size_t k = 0; k < fft.bins(); ++k) p[k] = re[k] * re[k] + im[k] * im[k];
    for (std::size_t k = fft.bins(); k < fft_size_; ++k) p[k] = p[fft_size_ - k];
    fft.forward(p.data(), re.data(), im.data(), scratch);
    std::vector<double> ac(win_);
    double peak = 0;
    for (std::size_t k = 0; k < win_; ++k) {
        ac[k] = re[k] / static_cast<double>(fft_size_);
        peak = std::max(peak, std::abs(ac[k]));
    }
    if (peak >= std::numeric_limits<float>::min())
        for (double& v : ac) v /= peak;
    return ac;
}

std::vector<double> TempoEstimator::mean_columns(std::size_t first, std::size_t last) const {
    std::vector<double> mean(win_, 0.0);
    last = std::min(last, frames_);
    if (first >= last) return mean;
    for (std::size_t t = first; t < last; ++t) {
        const auto c = column(t);
        for (std::size_t k = 0; k < win_; ++k) mean[k] += c[k];
    }
    for (double& v : mean) v /= static_cast<double>(last - first);
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

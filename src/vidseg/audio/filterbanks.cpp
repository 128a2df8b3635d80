#include "vidseg/audio/filterbanks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {

constexpr double kSlaneyStep = 200.0 / 3.0;  // Hz per mel below 1 kHz
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = kMinLogHz / kSlaneyStep;  // 15
const double kLogStep = std::log(6.4) / 27.0;

void set_spans(Filterbank& fb) {
    fb.first.assign(fb.filters, 0);
    fb.last.assign(fb.filters, 0);
    for (std::size_t f = 0; f < fb.filters; ++f) {
        const float* row = fb.weights.data() + f * fb.bins;
        std::size_t a = 0, b = fb.bins;
        while (a < fb.bins && row[a] == 0.0f) ++a;
        while (b > a && row[b - 1] == 0.0f) --b;
        fb.first[f] = a;
        fb.last[f] = b;
    }
}

}  // namespace

double hz_to_mel(double hz) {
    if (hz >= kMinLogHz) return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
    return hz / kSlaneyStep;
}

double mel_to_hz(double mel) {
    if (mel >= kMinLogMel) return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
    return mel * kSlaneyStep;
}

std::vector<double> fft_frequencies(double sr, std::size_t n_fft) {
    // numpy.fft.rfftfreq(n, 1/sr) = k / (n * (1/sr)); computed the same way for bitwise agreement.
    std::vector<double> f(n_fft / 2 + 1);
    const double d = 1.0 / sr;
    for (std::size_t k = 0; k < f.size(); ++k) f[k] = static_cast<double>(k) / (static_cast<double>(n_fft) * d);
    return f;
}

Filterbank mel_filterbank(double sr, std::size_t n_fft, std::size_t n_mels, double fmin, double fmax) {
    if (fmax <= 0) fmax = sr / 2.0;
    if (sr <= 0 || n_fft < 2 || n_mels == 0 || fmin < 0 || fmin >= fmax)
        throw Error(ErrorCode::InvalidArgument, "bad mel filterbank parameters");
    const auto freqs = fft_frequencies(sr, n_fft);
    // n_mels + 2 points evenly spaced in mel (numpy.linspace semantics).
    const double lo = hz_to_mel(fmin), hi = hz_to_mel(fmax);
    std::vector<double> mel_f(n_mels + 2);
    const double step = (hi - lo) / static_cast<double>(n_mels + 1);
    for (std::size_t i = 0; i < mel_f.size(); ++i) mel_f[i] = mel_to_hz(lo + static_cast<double>(i) * step);
    mel_f.back() = mel_to_hz(hi);
    Filterbank fb{n_mels, freqs.size(), std::vector<float>(n_mels * freqs.size()), {}, {}};
    for (std::size_t m = 0; m < n_mels; ++m) {
        const double fdiff_lo = mel_f[m + 1] - mel_f[m];
        const double fdiff_hi = mel_f[m + 2] - mel_f[m + 1];
        const double enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
        for (std::size_t k = 0; k < freqs.size(); ++k) {
            const double lower = -(mel_f[m] - freqs[k]) / fdiff_lo;
            const double upper = (mel_f[m + 2] - freqs[k]) / fdiff_hi;
            const double w = std::max(0.0, std::min(lower, upper));
            fb.weights[m * fb.bins + k] = static_cast<float>(w * enorm);
        }
    }
    set_spans(fb);
    return fb;
}

Filterbank chroma_filterbank(double sr, std::size_t n_fft, double tuning, std::size_t n_chroma) {
    if (sr <= 0 || n_fft < 2 || n_chroma == 0) throw Error(ErrorCode::InvalidArgument, "bad chroma filterbank parameters");
    const double nc = static_cast<double>(n_chroma);
    const double a440 = 440.0 * std::pow(2.0, tuning / nc);
    // frqbins over the full FFT (0 .. n_fft-1); bin 0 gets a virtual value 1.5 octaves below bin 1.
    std::vector<double> frqbins(n_fft);
    for (std::size_t k = 1; k < n_fft; ++k) {
        const double f = static_cast<double>(k) * sr / static_cast<double>(n_fft);
        frqbins[k] = nc * std::log2(f / (a440 / 16.0));
    }
    frqbins[0] = frqbins[1] - 1.5 * nc;
    std::vector<double> binwidth(n_fft);
    for (std::size_t k = 0; k + 1 < n_fft; ++k) binwidth[k] = std::max(frqbins[k + 1] - frqbins[k], 1.0);
    binwidth[n_fft - 1] = 1.0;
    const double half = std::nearbyint(nc / 2.0);
    std::vector<double> wts(n_chroma * n_fft);
    for (std::size_t c = 0; c < n_chroma; ++c)
        for (std::size_t k = 0; k < n_fft; ++k) {
            double d = frqbins[k] - static_cast<double>(c) + half + 10.0 * nc;
            d = d - nc * std::floor(d / nc) - half;  // numpy.remainder (sign of divisor)
            const double z = 2.0 * d / binwidth[k];
            wts[c * n_fft + k] = std::exp(-0.5 * z * z);
        }
    // L2-normalise each column (FFT bin), then the octave-dominance Gaussian around ctroct = 5.
    for (std::size_t k = 0; k < n_fft; ++k) {
        double norm = 0;
        for (std::size_t c = 0; c < n_chroma; ++c) norm += wts[c * n_fft + k] * wts[c * n_fft + k];
        norm = std::sqrt(norm);
        const double octave = std::exp(-0.5 * std::pow((frqbins[k] / nc - 5.0) / 2.0, 2));
        for (std::size_t c = 0; c < n_chroma; ++c) {
            double& w = wts[c * n_fft + k];
            if (norm >= std::numeric_limits<double>::min()) w /= norm;
            w *= octave;
        }
    }
    // base_c: roll so that row 0 is C (np.roll by -3 for 12 bins).
    const std::size_t shift = 3 * (n_chroma / 12);
    Filterbank fb{n_chroma, n_fft / 2 + 1, std::vector<float>(n_chroma * (n_fft / 2 + 1)), {}, {}};
    for (std::size_t c = 0; c < n_chroma; ++c) {
        const std::size_t src = (c + shift) % n_chroma;
        for (std::size_t k = 0; k < fb.bins; ++k) fb.weights[c * fb.bins + k] = static_cast<float>(wts[src * n_fft + k]);
    }
    set_spans(fb);
    return fb;
}

std::vector<double> dct_ortho_matrix(std::size_t n_out, std::size_t n_in) {
    std::vector<double> d(n_out * n_in);
    const double n = static_cast<double>(n_in);
    for (std::size_t k = 0; k < n_out; ++k) {
        const double s = k == 0 ? std::sqrt(1.0 / n) : std::sqrt(2.0 / n);
        for (std::size_t i = 0; i < n_in; ++i)
            d[k * n_in + i] = s * std::cos(std::numbers::pi * static_cast<double>(k) * (2.0 * static_cast<double>(i) + 1.0) / (2.0 * n));
    }
    return d;
}

std::vector<float> hann_window(std::size_t n) {
    std::vector<float> w(n);
    for (std::size_t t = 0; t < n; ++t)
        w[t] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(t) / static_cast<double>(n)));
    return w;
}

}  // namespace vidseg::audio

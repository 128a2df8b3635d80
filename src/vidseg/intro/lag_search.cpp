#include "vidseg/intro/lag_search.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "vidseg/audio/real_fft.hpp"

namespace vidseg::intro {

namespace {

// Sums of x*y, x*x and y*y over n samples in four interleaved double lanes: independent chains that
// the compiler keeps in one 256-bit register each on AVX2 (one sequential chain per sum was 38 % of
// an audio-only season detection, bound by the add latency). Only the rounding differs from the
// sequential sums. Built for AVX2 too and picked at run time (the default build is baseline x86-64).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void products(const float* x, const float* y, long n, double& xy, double& xx, double& yy) {
    double sxy[4] = {}, sxx[4] = {}, syy[4] = {};
    long k = 0;
    for (; k + 4 <= n; k += 4)
        for (int l = 0; l < 4; ++l) {
            const double u = x[k + l], v = y[k + l];
            sxy[l] += u * v, sxx[l] += u * u, syy[l] += v * v;
        }
    for (; k < n; ++k) {
        const double u = x[k], v = y[k];
        sxy[0] += u * v, sxx[0] += u * u, syy[0] += v * v;
    }
    xy = (sxy[0] + sxy[1]) + (sxy[2] + sxy[3]);
    xx = (sxx[0] + sxx[1]) + (sxx[2] + sxx[3]);
    yy = (syy[0] + syy[1]) + (syy[2] + syy[3]);
}

// Lags whose FFT score lies within this of the FFT maximum are re-scored directly. Single-precision
// FFT error on a normalised correlation is ~1e-5 (relative to the norms of the two buffers); the
// margin is 100x that, so the direct maximum is always among the re-scored lags.
constexpr double kRescoreMargin = 2e-3;
// Below this best FFT score nothing correlates (silence, noise): the direct search decides, as cheap
// there as anywhere and exact about the silence floor.
constexpr double kMinFftScore = 0.05;

// FFTW sizes that are fast: 2^k and 3 * 2^k.
std::size_t fft_size(std::size_t at_least) {
    std::size_t n = 16;
    while (n < at_least) n *= 2;
    if (n / 4 * 3 >= at_least && n / 4 * 3 >= 16) return n / 4 * 3;
    return n;
}

// One plan per size and thread (plans are made under FFTW's planner mutex; sizes repeat).
const audio::RealFft& plan(std::size_t n) {
    thread_local std::map<std::size_t, std::unique_ptr<audio::RealFft>> plans;
    auto& p = plans[n];
    if (!p) p = std::make_unique<audio::RealFft>(n);
    return *p;
}

}  // namespace

double correlation(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib, long len) {
    if (ia < 0 || ib < 0 || ia + len > long(a.size()) || ib + len > long(b.size()) || len <= 0) return 0;
    double ab = 0, aa = 0, bb = 0;
    products(a.data() + ia, b.data() + ib, len, ab, aa, bb);
    // Below ~-60 dBFS RMS in either: silence, where correlation means nothing.
    const double floor = 1e-6 * double(len);
    if (aa < floor || bb < floor) return 0;
    return ab / std::sqrt(aa * bb);
}

LagScore best_lag_direct(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib0, long len,
                         long max_lag) {
    LagScore best;
    for (long lag = -max_lag; lag <= max_lag; ++lag) {
        const double c = correlation(a, ia, b, ib0 + lag, len);
        if (c > best.score) best = {lag, c};
    }
    return best;
}

LagScore best_lag_fft(const std::vector<float>& a, long ia, const std::vector<float>& b, long ib0, long len,
                      long max_lag) {
    if (max_lag < 4 || len < 64 || ia < 0 || ia + len > long(a.size())) return best_lag_direct(a, ia, b, ib0, len, max_lag);
    // r[s] = sum_k x[k] * y[k + s], s = lag + max_lag in [0, 2 max_lag], with x = a's window and y = b from
    // ib0 - max_lag (zero outside b; such lags score 0 anyway, as in correlation()). A circular
    // correlation of size n >= len + 2 max_lag has no wrap-around for these s.
    const long span = len + 2 * max_lag;
    const std::size_t n = fft_size(std::size_t(span));
    const auto& fft = plan(n);
    audio::RealFft::Workspace wx(fft), wy(fft);
    std::fill(wx.real(), wx.real() + n, 0.f);
    std::fill(wy.real(), wy.real() + n, 0.f);
    std::copy(a.begin() + ia, a.begin() + ia + len, wx.real());
    const long y0 = ib0 - max_lag;
    for (long k = std::max(0L, -y0); k < span && y0 + k < long(b.size()); ++k) wy.real()[k] = b[std::size_t(y0 + k)];
    fft.forward(wx);
    fft.forward(wy);
    // conj(X) * Y: the cross-correlation's spectrum.
    float* X = wx.complex();
    const float* Y = wy.complex();
    for (std::size_t k = 0; k < fft.bins(); ++k) {
        const float xr = X[2 * k], xi = X[2 * k + 1], yr = Y[2 * k], yi = Y[2 * k + 1];
        X[2 * k] = xr * yr + xi * yi;
        X[2 * k + 1] = xr * yi - xi * yr;
    }
    fft.inverse(wx);  // wx.real()[s] = n * r[s]
    double xx = 0;
    for (long k = 0; k < len; ++k) xx += double(a[std::size_t(ia + k)]) * a[std::size_t(ia + k)];
    const double floor = 1e-6 * double(len);
    // yy of each lag's window by a running sum over b.
    std::vector<double> prefix(std::size_t(span) + 1, 0.0);
    for (long k = 0; k < span; ++k) prefix[std::size_t(k + 1)] = prefix[std::size_t(k)] + double(wy.real()[k]) * wy.real()[k];
    std::vector<double> score(std::size_t(2 * max_lag + 1), 0.0);
    double top = -2;
    for (long s = 0; s <= 2 * max_lag; ++s) {
        const long ib = ib0 + s - max_lag;
        double c = 0;
        if (ib >= 0 && ib + len <= long(b.size())) {
            const double yy = prefix[std::size_t(s + len)] - prefix[std::size_t(s)];
            if (xx >= floor && yy >= floor) c = double(wx.real()[s]) / double(n) / std::sqrt(xx * yy);
        }
        score[std::size_t(s)] = c;
        top = std::max(top, c);
    }
    if (top < kMinFftScore) return best_lag_direct(a, ia, b, ib0, len, max_lag);
    LagScore best;
    for (long s = 0; s <= 2 * max_lag; ++s) {
        if (score[std::size_t(s)] < top - kRescoreMargin) continue;
        const long lag = s - max_lag;
        const double c = correlation(a, ia, b, ib0 + lag, len);
        if (c > best.score) best = {lag, c};
    }
    return best;
}

}  // namespace vidseg::intro

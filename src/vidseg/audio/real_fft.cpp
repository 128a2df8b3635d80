#include "vidseg/audio/real_fft.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <numbers>
#include <string>
#include <vector>

#include "vidseg/audio/float8.hpp"
#include "vidseg/core/error.hpp"

#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio {

namespace {

// FFTW's planner (and plan destruction) share global state; execution is thread-safe.
std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

float* aligned_floats(std::size_t count) {
    auto* p = static_cast<float*>(fftwf_malloc(sizeof(float) * count));
    if (!p) throw Error(ErrorCode::Internal, "out of memory for FFT buffers");
    return p;
}

}  // namespace

void RealFft::Workspace::Free::operator()(float* p) const noexcept { fftwf_free(p); }

RealFft::Workspace::Workspace(const RealFft& fft)
    : real_(aligned_floats(fft.size())), complex_(aligned_floats(2 * fft.bins())) {
    for (std::size_t i = 0; i < fft.size(); ++i) real_[i] = 0.0f;
    for (std::size_t i = 0; i < 2 * fft.bins(); ++i) complex_[i] = 0.0f;
}

struct RealFft::Plans {
    fftwf_plan forward = nullptr, inverse = nullptr;
    fftwf_plan half = nullptr;           // complex n/2 points, for power(); null when n % 16 != 0
    std::vector<float> twiddle_cos, twiddle_sin;  // cos / sin(2 pi k / n), k = 0 .. n/2 + 7
    ~Plans() {
        std::lock_guard lock(planner_mutex());
        if (forward) fftwf_destroy_plan(forward);
        if (inverse) fftwf_destroy_plan(inverse);
        if (half) fftwf_destroy_plan(half);
    }
};

namespace {

using simd::Float8;
using simd::Int8;

// The split of power(): c holds Z[0 .. h] (h = n/2, Z[h] = Z[0]) interleaved; writes |X[k]|^2 for k < h.
VIDSEG_SIMD_CLONES
void split_power(const float* c, std::size_t h, const float* cs, const float* sn, float* power) {
    const Int8 even{0, 2, 4, 6, 8, 10, 12, 14}, odd{1, 3, 5, 7, 9, 11, 13, 15};
    const Int8 reverse{7, 6, 5, 4, 3, 2, 1, 0};
    for (std::size_t k = 0; k < h; k += simd::kLanes) {
        const Float8 a_lo = simd::load(c + 2 * k), a_hi = simd::load(c + 2 * k + 8);
        const Float8 ar = __builtin_shuffle(a_lo, a_hi, even), ai = __builtin_shuffle(a_lo, a_hi, odd);
        // Z[h - k - 7 .. h - k], reversed to line up with Z[k .. k + 7]; B = conj of it.
        const float* m = c + 2 * (h - k - 7);
        const Float8 b_lo = simd::load(m), b_hi = simd::load(m + 8);
        const Float8 br = __builtin_shuffle(__builtin_shuffle(b_lo, b_hi, even), reverse);
        const Float8 bi = -__builtin_shuffle(__builtin_shuffle(b_lo, b_hi, odd), reverse);
        const Float8 er = ar + br, ei = ai + bi;            // 2 E
        const Float8 o_r = ai - bi, o_i = br - ar;           // 2 O = (A - B) / i
        const Float8 w_c = simd::load(cs + k), w_s = simd::load(sn + k);
        // W = cos - i sin; 2 X = 2 E + W 2 O.
        const Float8 xr = er + w_c * o_r + w_s * o_i;
        const Float8 xi = ei + w_c * o_i - w_s * o_r;
        simd::store(power + k, 0.25f * (xr * xr + xi * xi));
    }
}

}  // namespace

RealFft::RealFft(std::size_t n) : n_(n), plans_(std::make_unique<Plans>()) {
    if (n < 4 || n % 2 != 0)
        throw Error(ErrorCode::InvalidArgument, "FFT size must be even and >= 4, got " + std::to_string(n));
    // Plans are made on buffers with fftwf_malloc's alignment, so they may execute on any
    // Workspace (the new-array execute functions require the same alignment).
    Workspace ws(*this);
    auto* out = reinterpret_cast<fftwf_complex*>(ws.complex());
    std::lock_guard lock(planner_mutex());
    const int size = static_cast<int>(n);
    plans_->forward = fftwf_plan_dft_r2c_1d(size, ws.real(), out, FFTW_ESTIMATE);
    plans_->inverse = fftwf_plan_dft_c2r_1d(size, out, ws.real(), FFTW_ESTIMATE);
    if (!plans_->forward || !plans_->inverse) throw Error(ErrorCode::Internal, "FFTW could not plan a real FFT");
    if (n % 16 == 0) {
        // In place would need the input copied; out of place reads ws.real() as n/2 complex values.
        plans_->half = fftwf_plan_dft_1d(size / 2, reinterpret_cast<fftwf_complex*>(ws.real()), out, FFTW_FORWARD,
                                         FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
        if (!plans_->half) throw Error(ErrorCode::Internal, "FFTW could not plan a complex FFT");
        const std::size_t h = n / 2;
        plans_->twiddle_cos.resize(h + simd::kLanes);
        plans_->twiddle_sin.resize(h + simd::kLanes);
        for (std::size_t k = 0; k < h + simd::kLanes; ++k) {
            const double angle = 2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
            plans_->twiddle_cos[k] = static_cast<float>(std::cos(angle));
            plans_->twiddle_sin[k] = static_cast<float>(std::sin(angle));
        }
    }
}

RealFft::~RealFft() = default;

void RealFft::forward(Workspace& ws) const {
    fftwf_execute_dft_r2c(plans_->forward, ws.real(), reinterpret_cast<fftwf_complex*>(ws.complex()));
}

void RealFft::inverse(Workspace& ws) const {
    fftwf_execute_dft_c2r(plans_->inverse, reinterpret_cast<fftwf_complex*>(ws.complex()), ws.real());
}

void RealFft::power(Workspace& ws, float* power) const {
    float* c = ws.complex();
    if (!plans_->half) {  // sizes that are not a multiple of 16: the real transform, squared
        forward(ws);
        for (std::size_t k = 0; k < bins(); ++k) power[k] = c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1];
        return;
    }
    fftwf_execute_dft(plans_->half, reinterpret_cast<fftwf_complex*>(ws.real()), reinterpret_cast<fftwf_complex*>(c));
    const std::size_t h = n_ / 2;
    c[2 * h] = c[0];
    c[2 * h + 1] = c[1];
    split_power(c, h, plans_->twiddle_cos.data(), plans_->twiddle_sin.data(), power);
    power[h] = (c[0] - c[1]) * (c[0] - c[1]);
}

void RealFft::forward(const float* in, float* re, float* im, Workspace& ws) const {
    float* x = ws.real();
    for (std::size_t t = 0; t < n_; ++t) x[t] = in[t];
    forward(ws);
    const float* c = ws.complex();
    for (std::size_t k = 0; k < bins(); ++k) {
        re[k] = c[2 * k];
        im[k] = c[2 * k + 1];
    }
}

}  // namespace vidseg::audio

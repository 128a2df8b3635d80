#include "vidseg/audio/real_fft.hpp"

#include <cmath>
#include <cstring>
#include <numbers>

#include "vidseg/core/error.hpp"

namespace vidseg::audio {

namespace {
typedef float V4 __attribute__((vector_size(16)));
}  // namespace

RealFft::RealFft(std::size_t n) : n_(n), half_(n / 2) {
    if (n < 4 || (n & (n - 1)) != 0)
        throw Error(ErrorCode::InvalidArgument, "FFT size must be a power of two >= 4, got " + std::to_string(n));
    unsigned bits = 0;
    while ((std::size_t{1} << bits) < half_) ++bits;
    bitrev_.resize(half_);
    for (std::size_t i = 0; i < half_; ++i) {
        unsigned r = 0;
        for (unsigned b = 0; b < bits; ++b)
            if (i & (std::size_t{1} << b)) r |= 1u << (bits - 1 - b);
        bitrev_[i] = r;
    }
    tw_re_.resize(half_);
    tw_im_.resize(half_);
    for (std::size_t h = 1; h < half_; h <<= 1)
        for (std::size_t j = 0; j < h; ++j) {
            const double a = -std::numbers::pi * static_cast<double>(j) / static_cast<double>(h);
            tw_re_[h - 1 + j] = static_cast<float>(std::cos(a));
            tw_im_[h - 1 + j] = static_cast<float>(std::sin(a));
        }
    split_re_.resize(half_);
    split_im_.resize(half_);
    for (std::size_t k = 0; k < half_; ++k) {
        const double a = -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n_);
        split_re_[k] = static_cast<float>(std::cos(a));
        split_im_[k] = static_cast<float>(std::sin(a));
    }
}

void RealFft::forward(const float* in, float* re, float* im, std::vector<float>& scratch) const {
    scratch.resize(2 * half_);
    float* zr = scratch.data();
    float* zi = scratch.data() + half_;
    // Pack even samples as real, odd samples as imaginary parts, in bit-reversed order.
    for (std::size_t i = 0; i < half_; ++i) {
        const unsigned r = bitrev_[i];
        zr[r] = in[2 * i];
        zi[r] = in[2 * i + 1];
    }
    // Iterative radix-2 decimation in time. The first two stages (spans 1 and 2: twiddles 1 and -i)
    // are fused into one multiplication-free pass over blocks of 4.
    std::size_t first_len = 2;
    if (half_ >= 4) {
        for (std::size_t b = 0; b < half_; b += 4) {
            float* r = zr + b;
            float* i = zi + b;
            const float r0 = r[0] + r[1], i0 = i[0] + i[1], r1 = r[0] - r[1], i1 = i[0] - i[1];
            const float r2 = r[2] + r[3], i2 = i[2] + i[3], r3 = r[2] - r[3], i3 = i[2] - i[3];
            r[0] = r0 + r2;
            i[0] = i0 + i2;
            r[2] = r0 - r2;
            i[2] = i0 - i2;
            // w = -i: (r3 + i i3)(-i) = i3 - i r3
            r[1] = r1 + i3;
            i[1] = i1 - r3;
            r[3] = r1 - i3;
            i[3] = i1 + r3;
        }
        first_len = 8;
    }
    for (std::size_t len = first_len; len <= half_; len <<= 1) {
        const std::size_t h = len / 2;
        const float* twr = tw_re_.data() + (h - 1);
        const float* twi = tw_im_.data() + (h - 1);
        for (std::size_t start = 0; start < half_; start += len) {
            // Disjoint halves: __restrict lets the compiler vectorise the butterflies at -O2.
            float* __restrict ar = zr + start;
            float* __restrict ai = zi + start;
            float* __restrict br = zr + start + h;
            float* __restrict bi = zi + start + h;
            std::size_t j = 0;
            // 4 butterflies at a time with GCC/Clang vector extensions (SSE on x86-64, NEON on arm64).
            for (; j + 4 <= h; j += 4) {
                V4 war, wai, xar, xai, xbr, xbi;
                std::memcpy(&war, twr + j, sizeof(V4));
                std::memcpy(&wai, twi + j, sizeof(V4));
                std::memcpy(&xar, ar + j, sizeof(V4));
                std::memcpy(&xai, ai + j, sizeof(V4));
                std::memcpy(&xbr, br + j, sizeof(V4));
                std::memcpy(&xbi, bi + j, sizeof(V4));
                const V4 tr = xbr * war - xbi * wai;
                const V4 ti = xbr * wai + xbi * war;
                const V4 nbr = xar - tr, nbi = xai - ti, nar = xar + tr, nai = xai + ti;
                std::memcpy(br + j, &nbr, sizeof(V4));
                std::memcpy(bi + j, &nbi, sizeof(V4));
                std::memcpy(ar + j, &nar, sizeof(V4));
                std::memcpy(ai + j, &nai, sizeof(V4));
            }
            for (; j < h; ++j) {
                const float wr = twr[j], wi = twi[j];
                const float tr = br[j] * wr - bi[j] * wi;
                const float ti = br[j] * wi + bi[j] * wr;
                br[j] = ar[j] - tr;
                bi[j] = ai[j] - ti;
                ar[j] += tr;
                ai[j] += ti;
            }
        }
    }
    // Split: X[k] = E[k] + w^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / (2i).
    re[0] = zr[0] + zi[0];
    im[0] = 0;
    re[half_] = zr[0] - zi[0];
    im[half_] = 0;
    for (std::size_t k = 1; k < half_; ++k) {
        const float ar = zr[k], ai = zi[k];
        const float br = zr[half_ - k], bi = -zi[half_ - k];  // conj Z[h-k]
        const float er = 0.5f * (ar + br), ei = 0.5f * (ai + bi);
        // (a - b) / (2i) = -i (a - b) / 2
        const float dr = 0.5f * (ar - br), di = 0.5f * (ai - bi);
        const float orr = di, oi = -dr;
        const float wr = split_re_[k], wi = split_im_[k];
        re[k] = er + orr * wr - oi * wi;
        im[k] = ei + orr * wi + oi * wr;
    }
}

}  // namespace vidseg::audio

// Forward FFT of a real signal and the inverse of a real, even spectrum, through FFTW (single
// precision, Debian's libfftw3-dev). Plans are made once per RealFft with FFTW_ESTIMATE (measuring
// would cost ~0.15 s of CPU per size and process, more than all the transforms of a 10-minute file;
// the estimated plan is within 10% of the measured one for 2048 points) under a process-wide mutex,
// because FFTW's planner is not thread-safe while its execute functions are. One RealFft may
// therefore be shared by threads; each thread needs its own Workspace (aligned buffers).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace vidseg::audio {

class RealFft {
public:
    // Aligned input / output buffers of one transform; one per thread.
    class Workspace {
    public:
        explicit Workspace(const RealFft& fft);
        // n real samples (the forward input / the inverse output).
        float* real() noexcept { return real_.get(); }
        // n/2 + 1 interleaved complex bins (re, im) (the forward output / the inverse input).
        float* complex() noexcept { return complex_.get(); }
        const float* complex() const noexcept { return complex_.get(); }

    private:
        struct Free {
            void operator()(float* p) const noexcept;
        };
        std::unique_ptr<float[], Free> real_, complex_;
    };

    // Any even n >= 4 (FFTW is fastest for products of small primes, e.g. 2^k and 3 * 2^k).
    // Throws InvalidArgument otherwise.
    explicit RealFft(std::size_t n);
    ~RealFft();
    RealFft(const RealFft&) = delete;
    RealFft& operator=(const RealFft&) = delete;

    std::size_t size() const noexcept { return n_; }
    std::size_t bins() const noexcept { return n_ / 2 + 1; }

    // ws.complex() = X[k] = sum_t ws.real()[t] e^{-2 pi i k t / n}, k = 0 .. n/2 (ws.real() is kept).
    void forward(Workspace& ws) const;
    // ws.real() = sum_k X[k] e^{+2 pi i k t / n} over all n bins, X Hermitian (unnormalised, i.e.
    // n times the inverse DFT); ws.complex() is destroyed.
    void inverse(Workspace& ws) const;

    // Convenience form: in (n samples) -> re, im (n/2 + 1 bins each), through ws.
    void forward(const float* in, float* re, float* im, Workspace& ws) const;

    // power[k] = |X[k]|^2, k = 0 .. n/2, of ws.real() (kept; ws.complex() is overwritten). For n a
    // multiple of 16 (other sizes: forward() + squaring) twice as fast as forward() + squaring: FFTW's real transform spends more than
    // half its time in a scalar SSE2 split step, so this runs FFTW's complex transform of n/2 points
    // (even samples as real parts, odd ones as imaginary parts: the real array as it is) and splits
    // the result 8 bins at a time: X[k] = E[k] + e^{-2 pi i k / n} O[k] with
    // E = (Z[k] + conj Z[n/2-k]) / 2 and O = (Z[k] - conj Z[n/2-k]) / 2i.
    void power(Workspace& ws, float* power) const;

private:
    struct Plans;
    std::size_t n_;
    std::unique_ptr<Plans> plans_;
};

}  // namespace vidseg::audio

// Forward FFT of a real signal whose length is a power of two (n >= 4), computed as a complex
// radix-2 FFT of half the length plus the usual split step. Plans are immutable after
// construction, so one RealFft may be shared by threads; each call needs its own scratch.
// (FFTW would do, but Debian's libfftw3-dev is not part of the build; this is small and exact
// enough: float arithmetic with double-precision twiddles.)
#pragma once

#include <cstddef>
#include <vector>

namespace vidseg::audio {

class RealFft {
public:
    // Throws InvalidArgument unless n is a power of two >= 4.
    explicit RealFft(std::size_t n);

    std::size_t size() const noexcept { return n_; }
    std::size_t bins() const noexcept { return n_ / 2 + 1; }

    // in: n real samples; re/im: n/2 + 1 bins each (X[k] = sum_t in[t] e^{-2 pi i k t / n}).
    // scratch is resized as needed (reuse it between calls to avoid allocations).
    void forward(const float* in, float* re, float* im, std::vector<float>& scratch) const;

private:
    std::size_t n_;
    std::size_t half_;
    std::vector<unsigned> bitrev_;                // half_ entries
    // Twiddles of the half-size FFT, stage by stage (stage with butterfly span h uses h contiguous
    // entries starting at offset h - 1), so the inner loop reads them sequentially.
    std::vector<float> tw_re_, tw_im_;
    std::vector<float> split_re_, split_im_;      // e^{-2 pi i k / n}, k < half_
};

}  // namespace vidseg::audio

#include "vidseg/audio/real_fft.hpp"

#include <fftw3.h>

#include <mutex>
#include <string>

#include "vidseg/core/error.hpp"

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
    ~Plans() {
        std::lock_guard lock(planner_mutex());
        if (forward) fftwf_destroy_plan(forward);
        if (inverse) fftwf_destroy_plan(inverse);
    }
};

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
}

RealFft::~RealFft() = default;

void RealFft::forward(Workspace& ws) const {
    fftwf_execute_dft_r2c(plans_->forward, ws.real(), reinterpret_cast<fftwf_complex*>(ws.complex()));
}

void RealFft::inverse(Workspace& ws) const {
    fftwf_execute_dft_c2r(plans_->inverse, reinterpret_cast<fftwf_complex*>(ws.complex()), ws.real());
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

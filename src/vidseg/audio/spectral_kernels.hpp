// The per-block kernels of SpectralAnalyzer (audio/spectral_features.hpp): eight STFT frames at a
// time, one per vector lane, spectra laid out bin-major ([bin][lane]) so that every per-bin sum is one
// vector operation (see audio/lane_vectors.hpp). Internal to libvidseg's audio code. The kernels are
// compiled once per SIMD level (audio/simd_level.hpp) from spectral_kernels_body.inl; block_kernels()
// gives one level's set, so callers (and the tests) pick the level explicitly.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

#include "vidseg/audio/filterbanks.hpp"
#include "vidseg/audio/real_fft.hpp"
#include "vidseg/audio/simd_level.hpp"
#include "vidseg/audio/spectral_features.hpp"

namespace vidseg::audio::kernels {

constexpr std::size_t kLanes = 8;  // frames per block

constexpr float kTinyF32 = std::numeric_limits<float>::min();  // numpy.finfo(float32).tiny
constexpr float kAmin = 1e-10f;
constexpr float kDbPerLog = 4.342944819032518f;  // 10 / ln(10): 10 log10(x) = kDbPerLog ln(x)

// Consecutive bins whose non-negligible chroma weights fall on the same `width` pitch classes
// start, start + 1, ... (mod 12); width is kChromaNarrow or 12.
struct ChromaRun {
    std::size_t begin, end, start, width, offset;  // offset: first weight in FrameKernel::chroma_w
};
constexpr std::size_t kChromaNarrow = 6;
constexpr float kChromaNegligible = 1e-8f;  // relative to the largest weight

struct Band {
    std::size_t begin = 0, end = 0;  // bins sorted for peak/valley
    std::size_t take = 1;            // how many smallest / largest to average
};

// Everything the per-block kernel reads: immutable after construction, shared by the threads.
struct FrameKernel {
    std::size_t n_fft, hop, bins, n_mels;
    RealFft fft;
    std::vector<float> window;
    std::vector<float> freqs;  // bin centre frequencies
    Filterbank mel;            // n_mels x bins, with spans
    // The same values repeated once per lane ([bin][lane], like the spectra), so that two adjacent
    // bins' weights load as one Float16 (building them from scalars goes through memory).
    std::vector<float> freqs_by_lane;  // bins x kLanes
    std::vector<float> mel_by_lane;    // each filter's span [first, last) x kLanes, filter after filter
    std::vector<std::size_t> mel_by_lane_at;  // where filter m's span starts in mel_by_lane
    // Chroma weights by runs of bins (see ChromaRun): most bins reach only 5-6 neighbouring pitch
    // classes with a weight above 1e-8 of the largest (the filter is a Gaussian of one semitone in
    // pitch), so applying 6 instead of 12 halves the work and changes no value by more than ~1e-7.
    std::vector<ChromaRun> chroma_runs;
    std::vector<float>
        chroma_w;             // per bin of a run: its `width` weights, pitch classes start, start + 1, ...
    std::vector<Band> bands;  // spectral contrast's octave bands (make_bands)
    std::size_t max_take = 1;

    explicit FrameKernel(const SpectralConfig& c);

  private:
    void make_chroma_runs(const Filterbank& chroma);
    void make_bands(const SpectralConfig& c);
};

// One thread's buffers: the FFT workspace and the power / magnitude spectra of 8 frames,
// bin-major ([bin][lane]).
struct BlockScratch {
    explicit BlockScratch(const FrameKernel& k)
        : ws(k.fft),
          row_stride(k.bins),
          rows(k.bins * kLanes),
          power(k.bins * kLanes),
          mag(k.bins * kLanes),
          low(k.max_take * kLanes),
          high(k.max_take * kLanes) {}
    RealFft::Workspace ws;
    std::size_t row_stride;  // rows: the 8 power spectra frame after frame, before transposing
    std::vector<float> rows;
    // Float8 values are kept in float arrays (a std::vector<Float8> would drop the type's attributes).
    std::vector<float> power, mag, low, high;
};

// Where one block's results go: frame-major arrays at the block's first frame, and the block's
// log-mel rows ([mel][lane]).
struct BlockOut {
    const float* frame[kLanes];                    // padded samples of each lane's frame (n_fft each)
    std::size_t zc_begin[kLanes], zc_end[kLanes];  // sample range whose crossings count (see below)
    std::size_t valid;                             // lanes that are real frames
    float* mel_db;
    float *rms, *centroid, *bandwidth, *flatness, *zcr, *chroma, *peak, *valley;
    float* mel_max;  // kLanes running maxima of the valid lanes' log-mel values
};

// One SIMD level's kernels (all compute the same values up to float rounding):
struct BlockKernels {
    SimdLevel level;
    // Windowed FFT of each lane's frame into s.power ([bin][lane]); RMS and zero crossings on the way.
    void (*spectra)(const FrameKernel& k, const BlockOut& o, BlockScratch& s);
    // Magnitudes (into s.mag), centroid, bandwidth and flatness.
    void (*moments)(const FrameKernel& k, const BlockOut& o, BlockScratch& s);
    // Log-mel (librosa.power_to_db before the top_db floor, which needs the global maximum).
    void (*mel)(const FrameKernel& k, const BlockOut& o, const BlockScratch& s);
    // Chroma, max-normalised per frame.
    void (*chroma)(const FrameKernel& k, const BlockOut& o, const BlockScratch& s);
    // Contrast: the mean of the q smallest (valley) and q largest (peak) magnitudes of each band
    // (from s.mag: run after moments).
    void (*contrast)(const FrameKernel& k, const BlockOut& o, BlockScratch& s);
    // MFCC (DCT-II of the floored log-mel) and the raw onset flux of one block (frame f's flux =
    // mean over bands of max(0, logmel[f] - logmel[f-1])); prev_block is the block before (or null).
    void (*cepstrum)(const float* mel_db, const float* prev_block, std::size_t n_mels, float floor_db,
                     const double* dct, std::size_t n_mfcc, float* mfcc, float* flux,
                     std::vector<double>& clipped);
    // 10 log10(max(amin, v)) in place; returns the maximum.
    float (*power_to_db)(float* v, std::size_t n);
};

// The kernels of one level; throws vidseg::Error (InvalidArgument) for a level this binary was not
// built with. Running a level the CPU lacks (cpu_supports) is the caller's mistake: SIGILL.
const BlockKernels& block_kernels(SimdLevel level);

}  // namespace vidseg::audio::kernels

// Frame-level audio features of a mono signal, defined exactly as librosa 0.11 defines them with its
// defaults, so vidseg's numbers can be checked against librosa (tests/python/test_features_librosa.py):
//   frames     STFT with n_fft 2048, hop 512, periodic Hann window, center=True with zero padding
//              (librosa's pad_mode="constant"): frame i is centred on sample i * hop;
//              frame count = 1 + samples / hop.
//   mfcc       librosa.feature.mfcc: DCT-II (ortho) of power_to_db(128-band Slaney mel power
//              spectrogram, ref=1, amin=1e-10, top_db=80); the top_db floor is relative to the
//              maximum over the WHOLE signal, which is why finish() post-processes.
//   contrast   librosa.feature.spectral_contrast (6 octave bands from 200 Hz + the rest, quantile 0.02,
//              power_to_db of peaks and of valleys, each against its own global maximum).
//   rms        librosa.feature.rms (frame 2048, zero padding, no window).
//   centroid, bandwidth (p=2), flatness (power, amin 1e-10): librosa.feature.spectral_*.
//   zcr        librosa.feature.zero_crossing_rate (edge padding, threshold 1e-10, zero counts positive).
//   chroma     librosa.feature.chroma_stft with tuning fixed at `tuning`, max-normalised (librosa
//              estimates the tuning by default: `vidseg features --chroma-tuning auto` does the same in
//              a first pass, audio/tuning_estimator.hpp, and passes the estimate here).
//   onset      librosa.onset.onset_strength (mean over mel bands of the positive log-mel flux, lag 1,
//              shifted by 1 + n_fft / (2 hop) frames).
// Memory: per-frame values wait in a temporary file in chunks (SpectralConfig::chunk_frames) until the
// global maxima are known; finish(sink) hands the finished frames out chunk by chunk.
// All frames are computed once from one STFT (FFTW, audio/real_fft.hpp); frames are processed in
// batches split over `threads` threads, each batch in blocks of 8 frames whose spectra are laid out
// bin-major ([bin][frame], audio/lane_vectors.hpp), so every per-bin sum (moments, mel, chroma, contrast
// quantiles) is one vector operation for 8 frames. Arithmetic is float32 like librosa's spectra;
// sums run in float lanes, which keeps every feature within ~1e-5 relative of librosa.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "vidseg/audio/simd_level.hpp"

namespace vidseg::audio {

struct SpectralConfig {
    double sample_rate = 22050;
    std::size_t n_fft = 2048;  // power of two
    std::size_t hop = 512;
    std::size_t n_mels = 128;
    std::size_t n_mfcc = 20;
    std::size_t contrast_bands = 6;  // contrast has contrast_bands + 1 rows
    double contrast_fmin = 200;
    double contrast_quantile = 0.02;
    double top_db = 80;
    double tuning = 0;  // chroma tuning, fractions of a semitone
    int threads = 2;
    // The kernels' instruction-set level; unset = selected_simd_level() (the best the CPU runs, or
    // $VIDSEG_SIMD_LEVEL). Every level gives the same values up to float rounding.
    std::optional<SimdLevel> simd_level;
    // Frames per chunk of per-frame values (rounded up to a multiple of 8). The whole-signal maxima
    // that MFCC, onset and contrast are floored against are known only at the end: until then every
    // complete chunk waits in a temporary file ($TMPDIR), and finish() post-processes one chunk at a
    // time, so memory does not grow with the length of the signal (16384 frames: 6 minutes at
    // 22050 / 512, ~10 MB). The values do not depend on it.
    std::size_t chunk_frames = 16384;
};

// Row-major [frame][dimension] arrays; every array has `frames` rows.
struct AudioFrames {
    std::size_t frames = 0;
    double frame_period = 0;  // hop / sample_rate, seconds between frame centres
    std::size_t n_mfcc = 0, n_contrast = 0, n_chroma = 12;
    std::vector<float> mfcc, contrast, chroma;
    std::vector<float> rms, centroid, bandwidth, flatness, zcr, onset;
};

class SpectralAnalyzer {
public:
    // Throws InvalidArgument for an unusable configuration (n_fft not a power of two, hop 0 or
    // > n_fft, n_mfcc > n_mels, contrast bands beyond Nyquist).
    explicit SpectralAnalyzer(SpectralConfig config = {});
    ~SpectralAnalyzer();
    SpectralAnalyzer(const SpectralAnalyzer&) = delete;
    SpectralAnalyzer& operator=(const SpectralAnalyzer&) = delete;

    const SpectralConfig& config() const noexcept;

    // Appends mono samples (at config().sample_rate); computes every frame that is complete.
    void push(const float* samples, std::size_t count);
    // Ends the signal and returns all frames (0 frames for an empty signal). Call once.
    AudioFrames finish();
    // The same in pieces of at most config().chunk_frames frames, in time order: sink(piece, index of
    // its first frame); the piece is valid during the call only. Memory stays bounded. Call once
    // (instead of finish()).
    using FrameSink = std::function<void(const AudioFrames& piece, std::size_t first_frame)>;
    void finish(const FrameSink& sink);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Appends the frames of `piece` (of the same shape) to `all`.
void append_frames(AudioFrames& all, const AudioFrames& piece);

// One-shot form of SpectralAnalyzer.
AudioFrames analyze_audio(const std::vector<float>& samples, const SpectralConfig& config = {});

}  // namespace vidseg::audio

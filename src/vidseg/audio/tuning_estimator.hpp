// Tuning estimate of a mono signal, defined exactly as librosa 0.11 defines it, so that
// `vidseg features --chroma-tuning auto` gives librosa.feature.chroma_stft's default chroma:
//   chroma_stft(y, sr) with tuning=None calls estimate_tuning(S=|STFT|**2, sr, bins_per_octave=12),
//   i.e. on the POWER spectrogram (librosa.estimate_tuning(y=y, sr=sr) works on |STFT| instead:
//   TuningSpectrum::Magnitude). Both go through
//   piptrack   STFT (n_fft 2048, hop 512, periodic Hann, centred frames, zero padding); per frame,
//              the bins with fmin <= f < fmax (150 Hz, 4 kHz) that are local maxima of the spectrum
//              thresholded at `threshold` (0.1) times the frame's maximum; each peak's frequency and
//              value are refined by parabolic interpolation over its neighbours;
//   median     of the refined values of all peaks: only peaks at or above it count;
//   pitch_tuning  each counted frequency's deviation from the nearest A440 semitone, in [-0.5, 0.5),
//              into a histogram of `resolution` (0.01 semitone) bins; the estimate is the left edge
//              of the fullest bin (the first of equals); 0 when no peak was found.
// Arithmetic follows librosa's float32 steps (spectrum, interpolation, median), so the histogram
// bin matches librosa's except when a peak lies within float rounding of a bin edge.
// The estimator is streaming: push() the signal in pieces, estimate() at the end. Memory: the
// refined value and histogram bin of every peak (6 bytes; a few dozen peaks per frame at most).
#pragma once

#include <cstddef>
#include <memory>

namespace vidseg::audio {

enum class TuningSpectrum {
    Power,      // |STFT|^2: what librosa.feature.chroma_stft estimates on (the default)
    Magnitude,  // |STFT|: librosa.estimate_tuning(y=y, sr=sr)
};

struct TuningConfig {
    double sample_rate = 22050;
    std::size_t n_fft = 2048;  // even
    std::size_t hop = 512;     // piptrack's hop_length=None = n_fft / 4, chroma_stft's default 512
    double fmin = 150;         // Hz, clamped to >= 0
    double fmax = 4000;        // Hz, clamped to <= sample_rate / 2
    double threshold = 0.1;    // of the frame's maximum
    double resolution = 0.01;  // semitone fraction per histogram bin, in (0, 1)
    int bins_per_octave = 12;
    TuningSpectrum spectrum = TuningSpectrum::Power;
};

class TuningEstimator {
public:
    // Throws InvalidArgument for an unusable configuration (n_fft odd or < 4, hop 0 or > n_fft,
    // sample rate <= 0, resolution outside (0, 1), bins_per_octave < 1).
    explicit TuningEstimator(TuningConfig config = {});
    ~TuningEstimator();
    TuningEstimator(const TuningEstimator&) = delete;
    TuningEstimator& operator=(const TuningEstimator&) = delete;

    const TuningConfig& config() const noexcept;

    // Appends mono samples (at config().sample_rate); analyses every frame that is complete.
    void push(const float* samples, std::size_t count);
    // Ends the signal (trailing zero padding) and returns the tuning in fractions of a bin
    // (a semitone for 12 bins per octave), in [-0.5, 0.5). 0 for a signal without peaks
    // (silence, empty), like librosa. Call once.
    double estimate();

    // Frames analysed and peaks found so far (after estimate(): of the whole signal).
    std::size_t frames() const noexcept;
    std::size_t peaks() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One-shot form.
double estimate_tuning(const float* samples, std::size_t count, const TuningConfig& config = {});

}  // namespace vidseg::audio

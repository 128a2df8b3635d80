// Tempo from an onset-strength envelope, as librosa 0.11 computes it:
//   tempogram column t = autocorrelation (lags 0 .. win-1) of the onset envelope around frame t
//     (frames t - win/2 .. t + win/2, linear_ramp padding to 0 at both ends, periodic Hann window),
//     divided by its maximum (librosa.feature.tempogram, norm=inf);
//   tempo = bpm of argmax over lags of log1p(1e6 * mean tempogram) + log-normal prior
//     (120 bpm, 1 octave), lags faster than 320 bpm excluded (librosa.feature.tempo defaults).
// librosa averages the tempogram over the whole signal; vidseg averages it over each timeline
// row's frames (tempo_bpm over any frame range), so a row's tempo describes its neighbourhood
// of +-win/2 frames (about +-4 s at the defaults).
#pragma once

#include <cstddef>
#include <vector>

#include "vidseg/audio/real_fft.hpp"

namespace vidseg::audio {

class TempoEstimator {
public:
    // win_length 0 = librosa's default: floor(8 s * sr / hop) frames (344 at 22050 / 512).
    TempoEstimator(const std::vector<float>& onset, double sample_rate = 22050, std::size_t hop = 512,
                   std::size_t win_length = 0);

    std::size_t win_length() const noexcept { return win_; }
    // Normalised tempogram column of frame t (win_length values).
    std::vector<double> column(std::size_t t) const;
    // The same into out[0 .. win_length), through a caller's workspace (of an fft_size() RealFft).
    void column_into(std::size_t t, RealFft::Workspace& ws, double* out) const;
    std::size_t fft_size() const noexcept { return fft_size_; }
    // Mean tempogram over frames [first, last) (empty range → zeros).
    std::vector<double> mean_columns(std::size_t first, std::size_t last) const;
    // Tempo in bpm for a (mean) tempogram column.
    double tempo_of(const std::vector<double>& tempogram) const;
    double tempo_bpm(std::size_t first, std::size_t last) const { return tempo_of(mean_columns(first, last)); }

private:
    std::vector<float> padded_;  // onset with win/2 ramp padding on both sides
    std::size_t frames_;
    std::size_t win_;
    double sample_rate_;
    std::size_t hop_;
    std::size_t fft_size_;
    RealFft fft_;
    std::vector<float> window_;
    std::vector<double> log_prior_;
};

}  // namespace vidseg::audio

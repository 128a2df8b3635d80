// Frequency-domain filterbanks, reproducing librosa 0.11's definitions bin for bin so that
// vidseg's features agree with librosa's (see tests/python/test_features_librosa.py):
//  * mel_filterbank  = librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm="slaney")
//  * chroma_filterbank = librosa.filters.chroma(sr, n_fft, tuning, n_chroma=12, ctroct=5, octwidth=2,
//                                               norm=2, base_c=True)
//  * dct_ortho_matrix = the rows of scipy.fftpack.dct(type=2, norm="ortho") used by librosa.feature.mfcc.
// Matrices are row-major [filters x bins] float32 (librosa also stores them as float32).
#pragma once

#include <cstddef>
#include <vector>

namespace vidseg::audio {

// Slaney's auditory-toolbox mel scale (librosa htk=False): linear below 1 kHz, logarithmic above.
double hz_to_mel(double hz);
double mel_to_hz(double mel);

// Centre frequency of FFT bin k: k * sr / n_fft, k = 0 .. n_fft / 2.
std::vector<double> fft_frequencies(double sr, std::size_t n_fft);

struct Filterbank {
    std::size_t filters = 0;
    std::size_t bins = 0;
    std::vector<float> weights;  // filters x bins
    // Non-zero span of each filter (first bin, one past the last), for sparse application.
    std::vector<std::size_t> first, last;
};

// fmax <= 0 means sr / 2. Throws InvalidArgument for non-positive sizes or fmin >= fmax.
Filterbank mel_filterbank(double sr, std::size_t n_fft, std::size_t n_mels = 128, double fmin = 0, double fmax = 0);

// tuning in fractions of a semitone (0 = A440).
Filterbank chroma_filterbank(double sr, std::size_t n_fft, double tuning = 0, std::size_t n_chroma = 12);

// n_out x n_in matrix D with D[k][n] = s_k cos(pi k (2n + 1) / (2 n_in)), s_0 = sqrt(1/n_in), s_k = sqrt(2/n_in).
std::vector<double> dct_ortho_matrix(std::size_t n_out, std::size_t n_in);

// Periodic Hann window (scipy.signal.get_window("hann", n, fftbins=True)): 0.5 - 0.5 cos(2 pi t / n).
std::vector<float> hann_window(std::size_t n);

}  // namespace vidseg::audio

// Audio columns of the feature timeline: frame-level features (audio/spectral_features.hpp) pooled
// over each timeline row. A row [t, t + window) pools the STFT frames whose centre (i * hop / sr)
// lies inside it:
//   mfcc_mean_k, mfcc_std_k (k < n_mfcc)   mean and population std of MFCC k
//   contrast_k (k <= 6)                     mean spectral contrast of band k (dB)
//   rms_mean, rms_std                       RMS level
//   centroid, bandwidth                     mean spectral centroid / bandwidth (Hz)
//   flatness, zcr                           mean spectral flatness / zero-crossing rate
//   chroma_k (k < 12, C first)              mean chroma
//   onset_strength                          mean onset strength
//   tempo                                   bpm of the row's mean tempogram (audio/tempo.hpp)
//   speech_fraction                         share of frames the voice-activity rule marks as active
// Voice activity (vidseg's own rule, energy + spectral flatness): a frame is active when its RMS
// level in dBFS is above max(-50, the file's 10th-percentile level + 12 dB) and its spectral
// flatness is below 0.3 (tonal/voiced rather than noise-like). It separates sound from silence and
// steady noise; it does not tell speech from music.
// A row without frames (past the end of the audio) gets NaN.
#pragma once

#include <string>
#include <vector>

#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

std::vector<std::string> audio_row_columns(const audio::AudioFrames& frames);

// Appends the audio columns to `matrix` (whose times and spec.window are set); values of the
// existing columns are kept. threads > 1 splits the tempo computation. (All frames at once: for frames
// that arrive in pieces, AudioRowPooler.)
void append_audio_columns(const audio::AudioFrames& frames, double sample_rate, std::size_t hop,
                          FeatureMatrix& matrix, int threads = 2);

// Per-STFT-frame matrix (step = window = hop / sr, time = frame centre): columns mfcc_k, contrast_k,
// rms, centroid, bandwidth, flatness, zcr, chroma_k, onset_strength — the values librosa computes.
FeatureMatrix audio_frame_matrix(const audio::AudioFrames& frames, const std::string& source);
// The same in pieces: the matrix without rows (columns from the shape of `frames`), then the rows of
// each piece of frames (first_frame: the index of its first frame).
FeatureMatrix empty_audio_frame_matrix(const audio::AudioFrames& frames, const std::string& source);
void append_audio_frame_rows(const audio::AudioFrames& piece, std::size_t first_frame, FeatureMatrix& matrix);

// Appends columns (a rows x n block, row-major) to a matrix.
void append_columns(FeatureMatrix& matrix, const std::vector<std::string>& names, const std::vector<float>& block);

}  // namespace vidseg::features

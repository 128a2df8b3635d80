// The audio columns of the feature timeline (audio_timeline.hpp lists them) pooled from STFT frames
// that arrive in pieces (audio::SpectralAnalyzer::finish(sink)): a row [t, t + window) is pooled as soon
// as its last frame has arrived, and only the frames of rows not yet pooled are kept, so memory does not
// grow with the length of the audio — except RMS, onset strength and a bit for flatness < 0.3, ~8 bytes
// a frame (3.7 MB for 3 hours), which speech_fraction (the file's 10th-percentile level) and tempo (a tempogram window of
// +-4 s around each frame) read over the whole file at the end. Values equal pooling all frames at once.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

class AudioRowPooler {
public:
    // Rows of `matrix` (times and spec.window set); frames of hop / sample_rate seconds with n_mfcc
    // MFCCs and n_contrast contrast bands. threads > 1 splits the tempo computation.
    AudioRowPooler(const FeatureMatrix& matrix, double sample_rate, std::size_t hop, std::size_t n_mfcc,
                   std::size_t n_contrast, int threads = 2);

    // The next piece of frames, first_frame being the index of its first (pieces in time order).
    void add(const audio::AudioFrames& piece, std::size_t first_frame);
    // Ends the frames and appends the audio columns to `matrix` (the one given to the constructor).
    // A row without frames (past the end of the audio) gets NaN.
    void finish(FeatureMatrix& matrix);

    const std::vector<std::string>& columns() const noexcept { return names_; }

private:
    std::size_t frame_at(double t) const;  // first frame whose centre is at or after t (not clamped)
    void pool_ready_rows(std::size_t frames_end, bool at_end);
    void pool_row(std::size_t row, std::size_t a, std::size_t b);

    std::vector<double> times_;
    double window_, sample_rate_, frames_per_second_;
    std::size_t hop_;
    int threads_;
    std::vector<std::string> names_;
    std::vector<float> block_;  // rows x columns
    std::size_t next_row_ = 0;
    audio::AudioFrames kept_;   // frames [kept_first_, kept_first_ + kept_.frames)
    std::size_t kept_first_ = 0, frames_seen_ = 0;
    std::vector<float> rms_, onset_;  // of every frame
    std::vector<bool> tonal_;         // of every frame: spectral flatness < 0.3
};

}  // namespace vidseg::features

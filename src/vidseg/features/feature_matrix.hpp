// A timeline of feature vectors: what `vidseg features` writes and what the learned detectors
// (models/) read. Row r describes the window [times[r], times[r] + window) of the source; every
// row has the same columns, named in `columns` (e.g. "mfcc_0", "rms", "brightness").
// The spec (step, window, columns) travels with a trained model so that loading the model against
// other features is a clear error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vidseg::features {

struct FeatureSpec {
    double step = 1.0;    // seconds between row starts
    double window = 1.0;  // seconds each row covers
    std::vector<std::string> columns;

    bool operator==(const FeatureSpec&) const = default;
};

struct FeatureMatrix {
    std::string source;          // the video / audio it was computed from (as given)
    FeatureSpec spec;
    std::vector<double> times;   // row start times, seconds
    std::vector<float> values;   // row-major, times.size() * spec.columns.size()
    // The chroma tuning (fractions of a semitone) the audio columns were computed with, and whether
    // it was estimated from the audio (`--chroma-tuning auto`); unset when there are no audio columns
    // or the file does not say (CSV). Metadata only: not part of the spec a model checks.
    std::optional<double> chroma_tuning;
    bool chroma_tuning_estimated = false;

    std::size_t rows() const noexcept { return times.size(); }
    std::size_t cols() const noexcept { return spec.columns.size(); }
    float at(std::size_t row, std::size_t col) const { return values[row * cols() + col]; }
    float& at(std::size_t row, std::size_t col) { return values[row * cols() + col]; }
};

}  // namespace vidseg::features

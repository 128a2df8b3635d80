// `vidseg features`: one FeatureMatrix per video on a fixed timeline grid. Row r covers
// [r * step, r * step + window); rows start while r * step < duration (the last window may run
// past the end; it pools what there is). Column groups, in this order, each only when available:
//   audio   (features/audio_timeline.hpp)  — skipped with a note when the file has no audio stream
//   visual  (features/visual_timeline.hpp) — skipped with a note when the file has no video stream
//   text    (features/text_timeline.hpp)   — only with a transcript
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/audio/spectral_features.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/features/visual_timeline.hpp"
#include "vidseg/timeline/transcript.hpp"

namespace vidseg::features {

struct TimelineOptions {
    double step = 1.0;    // seconds, > 0
    double window = 1.0;  // seconds, >= step
    bool audio = true;
    bool visual = true;
    audio::SpectralConfig spectral;  // sample_rate is the rate audio is resampled to
    // Estimate the chroma tuning from the audio (librosa chroma_stft's default, audio/tuning_estimator.hpp)
    // in one extra pass over the audio, instead of spectral.tuning.
    bool estimate_tuning = false;
    VisualOptions visual_options;
    std::string transcript;  // JSON {segments:[{start,end,text}]}; empty = no text columns
    // The transcript already read (SRT/VTT, a transcriber's output): used instead of `transcript`.
    std::optional<std::vector<timeline::TranscriptSegment>> transcript_segments;
    // TorchScript sentence encoder (features/text_embedder.hpp): text_embed_* columns after the text
    // columns; needs a transcript (InvalidArgument without one). Empty = none.
    std::string text_encoder;
    int threads = 2;
};

struct TimelineResult {
    FeatureMatrix matrix;
    std::vector<std::string> notes;  // e.g. "no audio stream: audio features skipped"
    double duration = 0;
};

// Throws InvalidArgument (step <= 0, window < step, both groups off and no transcript),
// InputNotFound / InvalidMedia from the media layer, InvalidData for a bad transcript.
TimelineResult compute_timeline_features(const std::string& path, const TimelineOptions& options,
                                         Progress* progress = nullptr);

// Frame-level audio features (audio_frame_matrix) of a file's first audio stream resampled to
// config.sample_rate, mono; estimate_tuning as in TimelineOptions. Throws InvalidMedia when there is
// no audio stream.
FeatureMatrix compute_audio_frames(const std::string& path, const audio::SpectralConfig& config,
                                   Progress* progress = nullptr, bool estimate_tuning = false);

// Rows of a `duration`-second timeline with `step`: rows start while r * step < duration, except a
// last row holding less than 0.05 s (never the first). The one rule of `vidseg features` and of
// text-only training (models/transcript_features.hpp), so a lesson gets as many rows for both.
std::size_t grid_rows(double duration, double step);

// Checks step / window (InvalidArgument with a message naming the option).
void validate_grid(double step, double window);

// The group of compute_timeline_features (or compute_audio_frames) that makes a column, by name
// (the names of audio_timeline.hpp, visual_timeline.hpp, text_timeline.hpp); Other for any other
// name (a fused intro column, a column of another tool). Lets a caller that needs only some columns
// (models::features_for_item) turn the other groups off, e.g. decode no video for an audio-only model.
enum class ColumnGroup { Audio, Visual, Text, Other };
ColumnGroup column_group(const std::string& column);

}  // namespace vidseg::features

// Text-only training data: a dataset whose fragments have transcripts but no media (or whose media
// the user does not want to compute features for) still gives feature timelines — the text columns
// of features/text_timeline.hpp (tokens, words_per_second, speech_coverage) on a 1 s grid per
// lesson, from its fragments' transcripts:
//   - transcripts/<name>.json beside the metadata (the builder's, with segments relative to the
//     fragment; <name> is the stem of the row's file_name / audio_path) when it exists,
//   - else the row's "transcript" text spread evenly over [start, end).
// A lesson's timeline runs from 0 to the end of its last fragment. `vidseg features VIDEO
// --transcript T --no-audio --no-visual` gives the same columns for prediction.
#pragma once

#include <filesystem>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::models {

struct TranscriptFeatures {
    std::vector<features::FeatureMatrix> matrices;  // one per source_video, named after it
    std::size_t fragments = 0;                      // rows of metadata
    std::size_t with_transcript = 0;                // of which had a transcript
};

// `dataset` is a dataset folder (every metadata.jsonl in it) or one metadata.jsonl. Throws
// InputNotFound, InvalidData (malformed rows, or no fragment has a transcript).
TranscriptFeatures transcript_features_from_dataset(const std::filesystem::path& dataset, double step = 1.0);

}  // namespace vidseg::models

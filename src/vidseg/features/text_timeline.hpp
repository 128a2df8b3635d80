// Text columns of the feature timeline from a transcript JSON
//   {"segments": [{"start": 0.0, "end": 2.5, "text": "..."}, ...]}
// (the dataset builder's / ASR transcripts; extra keys are ignored, a top-level array of segments
// is accepted too). Words are whitespace-separated tokens; a segment's words are spread evenly
// over [start, end) and each counts in the row that holds its midpoint. Columns:
//   tokens             words in the row's window
//   words_per_second   tokens / window
//   speech_coverage    share of the window covered by transcript segments
#pragma once

#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

struct TranscriptSegment {
    double start = 0, end = 0;
    std::string text;
};

// Throws InputNotFound for a missing file, InvalidData for malformed JSON or a segment with
// end < start or non-finite times.
std::vector<TranscriptSegment> read_transcript(const std::string& path);
std::vector<TranscriptSegment> parse_transcript(const std::string& json_text, const std::string& source);

void append_text_columns(const std::vector<TranscriptSegment>& segments, FeatureMatrix& matrix);

}  // namespace vidseg::features

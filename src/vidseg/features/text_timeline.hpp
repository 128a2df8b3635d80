// Text columns of the feature timeline from a transcript JSON
//   {"segments": [{"start": 0.0, "end": 2.5, "text": "...", "words": [{"start", "end", "word"}]}, ...]}
// (the dataset builder's / ASR transcripts; "words" is optional, extra keys are ignored, a top-level
// array of segments is accepted too). Each word counts in the row that holds its middle: the
// recogniser's word times where the segment has them, else the segment's whitespace-separated words
// spread evenly over [start, end) (timeline/transcript.hpp). Columns:
//   tokens             words in the row's window
//   words_per_second   tokens / window
//   speech_coverage    share of the window covered by transcript segments
// and, when any segment says who spoke ("speaker": whisperX / pyannote diarisation labels, WebVTT
// voice tags <v Name>, a transcript table's speaker column):
//   speaker_main_share   share of the window covered by segments of the lesson's main speaker (the one
//                        with the most segment time: in a lesson, usually the teacher)
//   speaker_other_share  share of the window covered by segments of any other named speaker
//   speaker_turns        segments starting in the window whose speaker differs from the previous one's
// A segment's speaker is its "speaker" string, else that of its first word with one.
#pragma once

#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/timeline/transcript.hpp"

namespace vidseg::features {

using timeline::TranscriptSegment;

// Throws InputNotFound for a missing file, InvalidData for malformed JSON or a segment (or word) with
// end < start or non-finite times.
std::vector<TranscriptSegment> read_transcript(const std::string& path);
std::vector<TranscriptSegment> parse_transcript(const std::string& json_text, const std::string& source);

void append_text_columns(const std::vector<TranscriptSegment>& segments, FeatureMatrix& matrix);

// The speaker with the most segment time ("" when no segment names one; ties: the first name in order).
std::string main_speaker(const std::vector<TranscriptSegment>& segments);

// Whether any segment names its speaker (then append_text_columns adds the speaker_* columns).
bool has_speakers(const std::vector<TranscriptSegment>& segments);
inline constexpr const char* kTextColumns[] = {"tokens", "words_per_second", "speech_coverage"};
inline constexpr const char* kSpeakerColumns[] = {"speaker_main_share", "speaker_other_share", "speaker_turns"};

}  // namespace vidseg::features

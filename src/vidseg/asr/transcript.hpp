// What a transcriber returns for one piece of audio, and its JSON form (transcripts/<name>.json).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/timeline/transcript.hpp"

namespace vidseg::asr {

// Seconds from the start of the audio; `words` holds the recogniser's word times when it gave them.
using timeline::TimedWord;
using timeline::TranscriptSegment;

struct Transcript {
    std::string text;
    std::string language;                        // ISO 639-1 code ("ru", "en"); "" when unknown
    std::optional<double> language_probability; // absent when the backend does not report it
    double duration = 0;                         // seconds of audio (0 when not reported)
    std::vector<TranscriptSegment> segments;
};

nlohmann::json to_json(const Transcript& transcript);
// Reads the form written by to_json() and the Whisper/OpenAI verbose_json response (whose
// "language" may be a name: "russian" becomes "ru"; word times per segment or, with
// timestamp_granularities[]=word, in a top-level "words" list). Throws Error(InvalidData) when "text"
// is missing or a word is malformed.
Transcript transcript_from_json(const nlohmann::json& doc);

// ISO 639-1 code for a Whisper language name or code ("English" -> "en", "ru" -> "ru"); "" if unknown.
std::string language_code(const std::string& name_or_code);

}  // namespace vidseg::asr

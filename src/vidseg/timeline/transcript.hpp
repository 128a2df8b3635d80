// Speech placed in time: a transcript's segments (recogniser segments, subtitle cues, utterances) and,
// where the recogniser reports them, the times of their words. One rule says what was said inside an
// interval, for report snippets, dataset fragments and the text columns alike: the words whose middle
// lies inside it. Recognisers cut segments differently from run to run and from one instruction set to
// another (one segment may span a question and the answer after it), so segment bounds are never used
// when word times exist; a segment without them (an SRT/VTT cue) is one timed piece, its words spread
// evenly over it where a count per second is needed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg::timeline {

struct TimedWord {
    double start = 0;  // seconds, same time base as the segment
    double end = 0;
    std::string text;  // as the recogniser wrote it, trimmed
    double middle() const { return (start + end) / 2; }
};

struct TranscriptSegment {
    double start = 0;  // seconds
    double end = 0;
    std::string text;
    std::vector<TimedWord> words;  // empty when the source has no word times
    std::string speaker;           // who spoke (diarisation label, voice tag, table column); "" = not known
};

// Every whitespace-separated word of the segments with a time, in order: the recogniser's words where
// a segment has them, else its words spread evenly over [start, end).
std::vector<TimedWord> words_in_time(const std::vector<TranscriptSegment>& segments);

// What was said inside [start, end): the words (of segments with word times) and the whole segments
// (without them) whose middle lies inside, joined with single spaces.
std::string text_inside(const std::vector<TranscriptSegment>& segments, double start, double end);

// The segment moved by `offset` seconds (a fragment's transcript placed in its lesson), its words too.
TranscriptSegment shifted(TranscriptSegment segment, double offset);

// A segment's "words": [{"start", "end", "word"}] as faster-whisper and OpenAI's verbose_json write them
// ("text" is read as well). Throws Error(InvalidData) naming `where` for a word without finite
// 0 <= start <= end or without text.
std::vector<TimedWord> words_from_json(const nlohmann::json& words, const std::string& where);
nlohmann::json words_to_json(const std::vector<TimedWord>& words);

// OpenAI's verbose_json gives the words of the whole file in one top-level list: each word goes to the
// segment holding its middle (else the nearest one); without segments they become one segment.
void assign_words(std::vector<TimedWord> words, std::vector<TranscriptSegment>& segments);

}  // namespace vidseg::timeline

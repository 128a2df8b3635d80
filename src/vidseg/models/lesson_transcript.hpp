// A whole lesson's transcript for the `vidseg patterns find` report (snippets of the top segments):
// read from a file in one of the forms people have —
//   .json  the dataset builder's / ASR transcript ({"segments": [{start, end, text}]}, or an array)
//   .srt   SubRip cues  ("00:01:02,500 --> 00:01:04,000")
//   .vtt   WebVTT cues  ("01:02.500 --> 01:04.000", optional hours, cue settings ignored)
// — or found beside the lesson video (<stem>.srt, <stem>.vtt, <stem>.transcript.json, <stem>.json
// when it has "segments").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/features/text_timeline.hpp"

namespace vidseg::models {

using features::TranscriptSegment;

// By extension (.srt / .vtt / anything else as JSON). Throws InputNotFound for a missing file,
// InvalidData for a malformed one (naming the line or segment).
std::vector<TranscriptSegment> read_lesson_transcript(const std::filesystem::path& path);

// Subtitle text (SRT or WebVTT; tags like <i> removed; a voice tag <v Name> gives the cue's speaker).
// Throws InvalidData naming the bad line.
std::vector<TranscriptSegment> parse_subtitles(const std::string& text, const std::string& source);

// The first transcript file beside the video in the order listed above; nullopt when none.
std::optional<std::filesystem::path> find_transcript_beside(const std::filesystem::path& video);

// What was said inside [start, end) (timeline::text_inside: the words whose middle lies inside, or
// the cues whose middle does when the transcript has no word times), cut at a word boundary to at
// most max_chars characters (bytes of UTF-8, never splitting a character) with "…" when cut.
std::string transcript_snippet(const std::vector<TranscriptSegment>& segments, double start, double end,
                               std::size_t max_chars = 300);

}  // namespace vidseg::models

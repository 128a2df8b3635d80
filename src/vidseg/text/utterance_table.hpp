// Transcribed lessons as a table of utterances (CSV / TSV / XLSX, first sheet), one row per
// utterance, for text-only training without video (`vidseg train --data TABLE`). The header row
// names the columns; which is which is given by TableColumns (the CLI's --*-column flags):
//   lesson   which lesson the utterance belongs to (required)
//   start, end  seconds from the lesson's start (both, or neither: then `order`)
//   order    the utterance's position in its lesson (used when there are no times: utterance i then
//            takes the second [i, i + 1) of a pseudo timeline)
//   speaker  who spoke (optional column; empty cells = not known)
//   text     what was said (required)
//   labels   the patterns of the utterance, separated by ';' or '|' (optional for prediction)
// Rows are sorted by time (or order) within each lesson. Bad input is Error(InvalidData) naming the
// table and the line (CSV) or row (XLSX).
#pragma once

#include <string>
#include <vector>

#include "vidseg/timeline/transcript.hpp"

namespace vidseg::text {

struct TableColumns {
    std::string lesson = "lesson";
    std::string start = "start";
    std::string end = "end";
    std::string order = "order";
    std::string speaker = "speaker";
    std::string text = "text";
    std::string labels = "labels";
};

struct Utterance {
    std::string lesson;
    timeline::TranscriptSegment segment;  // times, text, speaker
    std::vector<std::string> labels;
    int line = 0;  // of the table, for messages
};

struct LessonUtterances {
    std::string lesson;
    std::vector<Utterance> utterances;  // in time order
    bool timed = true;                  // start/end from the table (else from the order)
};

// Throws InputNotFound, InvalidArgument (not .csv / .tsv / .xlsx), InvalidData.
std::vector<LessonUtterances> read_utterance_table(const std::string& path, const TableColumns& columns = {});

// Whether a path names a table of utterances by its extension (.csv, .tsv, .xlsx).
bool is_utterance_table(const std::string& path);

// The utterances as transcript segments (for the text columns, projection, reports).
std::vector<timeline::TranscriptSegment> segments_of(const LessonUtterances& lesson);

}  // namespace vidseg::text

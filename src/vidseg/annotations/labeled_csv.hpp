// labeled.csv — the table of labeled 5-second segments (SPEC §1 step 4) from which the image-only
// dataset (`dataset_foto/`) is built. Two shapes are accepted (RFC 4180 CSV, ',' separator, or ';'
// when the header has no ','; a UTF-8 BOM is skipped):
//
//  (a) pattern columns:  segment,start,end,keyframe,Работа в команде У,Эмоциональный отклик У,...
//                        0,0,5,images/segment_0_keyframe.jpg,1,0
//      every column that is not a known meta column is a pattern; cells hold 1/0 (also
//      true/false, yes/no; empty = 0);
//  (b) a list column `patterns` (or `labels`): "Работа в команде У;Эмоциональный отклик У" or a JSON
//      list ["Работа в команде У", "Эмоциональный отклик У"]; other non-meta columns are ignored.
//
// Meta columns (header names compared trimmed and case-insensitively):
//   index:    segment, segment_index, segment_id, index
//   start:    start, start_sec, start_time   (seconds or a timecode "HH:MM:SS.mmm")
//   end:      end, end_sec, end_time
//   keyframe: keyframe, keyframe_path, keyframe_file, image, file_name
//   ignored:  video, clip, clip_path, audio, audio_path, transcript, lesson, duration, description
// Errors are InvalidData naming the line (and column): a non-0/1 cell, a bad number, end < start,
// a list cell that is not valid JSON, or a header with neither pattern columns nor a list column.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vidseg::annotations {

struct LabeledSegmentRow {
    int line = 0;  // 1-based line of the record in the file
    std::optional<long long> index;
    std::optional<double> start, end;
    std::string keyframe;
    std::vector<std::string> patterns;  // trimmed, in column / list order
};

struct LabeledTable {
    enum class Shape { PatternColumns, PatternList };
    Shape shape = Shape::PatternList;
    std::vector<std::string> pattern_columns;  // shape (a): the pattern names of the header
    std::vector<LabeledSegmentRow> rows;
};

LabeledTable parse_labeled_csv(const std::string& text, const std::string& subject = {});
// Throws InputNotFound for a missing file.
LabeledTable read_labeled_csv(const std::string& path);
// Writes shape (a) when pattern_columns is non-empty, else shape (b) with ';'-joined lists;
// columns segment,start,end,keyframe first. Fields are quoted per RFC 4180 when needed.
std::string write_labeled_csv(const LabeledTable& table);

}  // namespace vidseg::annotations

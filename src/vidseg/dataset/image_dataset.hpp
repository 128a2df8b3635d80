// The image-only dataset form of SPEC §1 step 4 (`dataset_foto/`), built from labeled.csv:
//
//   OUT/images/<keyframe file name>   each keyframe copied once, even when several rows reference it
//   OUT/metadata.jsonl                one row per distinct keyframe:
//     {"file_name": "images/segment_0_keyframe.jpg", "patterns": [...], "labels": [...]}
//
// metadata.jsonl sits at the OUT root and file_name is relative to it ("images/<name>"), which is
// what the Hugging Face `imagefolder` loader expects (paths relative to the metadata file); the
// SPEC example's bare "segment_0_keyframe.jpg" would only resolve with the metadata inside images/.
// Rows that reference the same keyframe are merged: patterns and labels are the union, in first-seen
// order. Labels are matched with annotations::LabelMatcher; `patterns` holds the matched pattern
// names, `labels` the labels that matched no pattern (always present, possibly empty, so every row
// has the same columns).
//
// A row's keyframe is looked up as IMAGES/<keyframe> and, failing that, IMAGES/<file name of
// keyframe>. Item errors (empty keyframe, keyframe file missing, two different files with one name)
// name the row's line and keyframe. With errors nothing is written unless keep_going; then the good
// items are written. OUT is produced atomically (AtomicOutputDir).
// Throws InputNotFound for a missing labeled.csv, images dir or pattern list, InvalidData for a
// malformed labeled.csv.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/dataset/item_error.hpp"

namespace vidseg::dataset {

struct ImageDatasetConfig {
    std::string labeled_csv;
    std::string images_dir;
    std::string out_dir;
    std::string patterns_path;  // empty = the eight default patterns
    bool keep_going = false;
};

struct ImageDatasetItem {
    std::string file_name;  // "images/<name>", relative to metadata.jsonl
    std::string source;     // the keyframe file that was copied
    std::vector<std::string> patterns;
    std::vector<std::string> labels;  // unmatched labels
    std::vector<int> lines;           // labeled.csv lines that reference this keyframe
};

struct ImageDatasetReport {
    std::vector<ImageDatasetItem> items;
    std::vector<ItemError> errors;  // item: "line N (keyframe)"
    annotations::MatchReport matches;
    size_t rows = 0;  // rows read from labeled.csv
    bool written = false;
    std::string out_dir;
};

ImageDatasetReport build_image_dataset(const ImageDatasetConfig& config);
// The metadata.jsonl line of one item (no trailing newline).
std::string metadata_line(const ImageDatasetItem& item);
nlohmann::json to_json(const ImageDatasetReport& report);

}  // namespace vidseg::dataset

// The dataset card (README.md) of a built dataset: the YAML header the Hugging Face Hub reads
// (configs / data_files per split, license, task_categories, language, pretty_name) and the
// sections users expect (structure, usage, classes with descriptions and counts, how it was built).
#pragma once

#include <string>
#include <vector>

#include "vidseg/annotations/pattern_list.hpp"
#include "vidseg/dataset/dataset_plan.hpp"

namespace vidseg::dataset {

struct CardOptions {
    std::string pretty_name;            // default: "<first lesson> lesson patterns"
    std::string license = "cc-by-4.0";
    std::string annotations_file;       // file name of the export (shown in "how it was built")
    std::string patterns_source;        // "patterns.xlsx" or "built-in list of the eight PPI patterns"
    std::string tool_version;
    bool transcripts_skipped = true;
    size_t excluded_fragments = 0;  // left out by the review (review.jsonl)
    bool review_log = false;        // review.jsonl is present
    bool keyframe_candidates = false;  // keyframe_candidates.jsonl is present (--keyframe best / model:)
};

// Split folder prefix of an item's files: "" without a split, "train/" or "test/" with one.
std::string split_prefix(const DatasetPlan& plan, const DatasetItem& item);

// The README.md text. `patterns` is the full pattern list (classes are listed even with 0 items).
std::string render_card(const DatasetPlan& plan, const std::vector<annotations::Pattern>& patterns,
                        const CardOptions& options);

}  // namespace vidseg::dataset

// Glue between a dataset plan and its review: what the review lists for each fragment, and where
// the files of excluded fragments go with --skip-deletion.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/dataset/dataset_plan.hpp"
#include "vidseg/dataset/review.hpp"

namespace vidseg::dataset {

// One ReviewItem per plan item (same order); keyframes as they will be in `stage_dir`.
std::vector<ReviewItem> review_items(const DatasetPlan& plan, const std::filesystem::path& stage_dir);

// Folder of the dataset root that keeps excluded fragments' files with --skip-deletion. It is
// outside every configs/data_files pattern of the card, so loaders do not see them.
constexpr const char* kExcludedDir = "excluded";

// --skip-deletion: moves `files` (relative, in stage_dir; already made this run) to
// stage_dir/excluded/<same path>, and links everything under the previous dataset's excluded/
// folder into the stage's one (nothing made earlier is lost). Missing files are skipped.
void keep_excluded_files(const std::filesystem::path& stage_dir, const std::vector<std::string>& files);
// Links `files` of the previous dataset (made by an earlier build, not this one) to stage_dir/excluded/.
void keep_previous_files(const std::filesystem::path& previous_dataset, const std::filesystem::path& stage_dir,
                         const std::vector<std::string>& files);
void carry_previous_excluded(const std::filesystem::path& previous_dataset, const std::filesystem::path& stage_dir);

}  // namespace vidseg::dataset

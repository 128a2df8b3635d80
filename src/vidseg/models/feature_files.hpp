// The feature inputs of `vidseg train` / `vidseg predict`: files written by `vidseg features`
// (.csv / .jsonl / .json) or folders of them. A matrix without a source (CSV) is named after its file.
#pragma once

#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::models {

// Folders contribute their feature files (sorted, not recursive). Throws InputNotFound for a missing
// path, InvalidData for a malformed file or a folder without feature files.
std::vector<features::FeatureMatrix> read_feature_files(const std::vector<std::string>& paths);

// Like read_feature_files, but any other file is taken as a video and its features are computed
// (features::compute_timeline_features, default groups) on the grid of `grid` (a model's step and
// window); the matrix is named after the video.
std::vector<features::FeatureMatrix> features_for_inputs(const std::vector<std::string>& paths,
                                                         const features::FeatureSpec& grid, Progress* progress = nullptr);

}  // namespace vidseg::models

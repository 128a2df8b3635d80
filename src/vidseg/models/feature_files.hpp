// The feature inputs of `vidseg train` / `vidseg predict`: files written by `vidseg features`
// (.csv / .jsonl / .json / .npy with its .npy.json sidecar) or folders of them, and videos
// (`predict`, `patterns find`) whose features are computed on a model's grid. A matrix without a source (CSV) is named after its file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/features/feature_matrix.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"

namespace vidseg {
class Progress;
}

namespace vidseg::models {

// Folders contribute their feature files (sorted, not recursive). Throws InputNotFound for a missing
// path, InvalidData for a malformed file or a folder without feature files.
std::vector<features::FeatureMatrix> read_feature_files(const std::vector<std::string>& paths);

// .csv / .jsonl / .json / .npy: what `vidseg features` writes (anything else is taken as media; a
// F.npy.json sidecar is not a feature file of its own).
bool is_feature_file(const std::filesystem::path& path);

// The items of `vidseg predict`: files stay as given (existing or not: a missing one fails as its
// own item); a folder contributes its feature files, or, when it holds none, its media files
// (media::is_media_file_name), sorted, not recursive. Throws InvalidData for a folder with neither.
std::vector<std::string> expand_prediction_inputs(const std::vector<std::string>& paths);

// One item: a feature file is read, anything else is taken as media and its features computed on
// `grid`'s step and window. When `grid` has the fused intro columns (features/intro_similarity_timeline.hpp),
// a media item also gets them, compared with the episodes of `season` (its series_dir; when empty, the
// item's own folder; season.cache_dir empty = no fingerprint cache). Throws InputNotFound /
// InvalidMedia / InvalidData like the readers; InvalidArgument when the season has no other episode.
features::FeatureMatrix features_for_item(const std::string& path, const features::FeatureSpec& grid,
                                          Progress* progress = nullptr,
                                          const features::IntroSimilarityOptions& season = {});

}  // namespace vidseg::models

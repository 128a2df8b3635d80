// The per-modality metadata files of a `vidseg dataset build` folder, beside metadata.jsonl in each
// split folder, so that the Hugging Face folder loaders other than `videofolder` read the same rows:
//
//   metadata.jsonl          file_name = videos/<f>.mp4   (videofolder, the card's default config, json)
//   metadata_audio.jsonl    file_name = audio/<f>.wav    load_dataset("audiofolder", data_dir=DIR,
//                                                          metadata_filenames=["metadata_audio.jsonl"])
//   metadata_images.jsonl   file_name = images/<f>.jpg   load_dataset("imagefolder", data_dir=DIR,
//                                                          metadata_filenames=["metadata_images.jsonl"])
//
// Why this shape (checked against datasets 4.8, see tests/python/test_hf_datasets.py):
// - a folder loader reads EVERY metadata.{jsonl,csv,parquet} under data_dir, so a nested
//   audio/metadata.jsonl would add its rows to the root videofolder load; files with another name are
//   ignored unless the loader is told their name (`metadata_filenames`, a FolderBasedBuilderConfig field);
// - a loader types `file_name` and every `<x>_file_name` column as its own modality (a WAV would
//   become a Video) and fails on a null one, so each file links exactly one column; the other files
//   stay plain relative-path columns (the clip moves to `video_path`; the crop, often null, stays
//   `crop_path`);
// - the card cannot carry them as named configs: load_dataset(DIR, NAME) builds every config with
//   the one loader inferred from the first config's files (videofolder), which would type the WAVs
//   as Video.
#pragma once

#include <nlohmann/json.hpp>

namespace vidseg::dataset {

inline constexpr const char* kAudioMetadataName = "metadata_audio.jsonl";
inline constexpr const char* kImagesMetadataName = "metadata_images.jsonl";

enum class MetadataView { Audio, Images };

// The file name of a view's metadata file.
const char* metadata_view_file(MetadataView view);

// A metadata.jsonl row (dataset_builder.hpp metadata_row) re-linked for a view: `file_name` becomes
// the view's file (audio_path / image_path, which leaves the row), the clip becomes `video_path`
// (second column); every other column keeps its value and order.
nlohmann::ordered_json metadata_view_row(const nlohmann::ordered_json& row, MetadataView view);

}  // namespace vidseg::dataset

// Reading and writing FeatureMatrix files (what `vidseg features` writes, what `vidseg train` reads).
//
// Three forms, chosen by the file extension (or explicitly):
//  * CSV (.csv): a header line `time,<column>,<column>...` then one line per row: the row start time
//    in seconds (6 decimals) and the values (the shortest decimal that reads back as the same float32,
//    std::to_chars, so values round-trip exactly; a missing value is written as an empty field and
//    read back as NaN). No comment lines, so pandas/numpy read it as is.
//    CSV does not carry the window length: readers take step = the median difference of consecutive
//    times (1 s for fewer than two rows) and window = step unless the caller knows better.
//  * JSON Lines (.jsonl, .json): the first line is the spec
//      {"format":"vidseg.features","version":1,"source":"lesson.mp4","step":1.0,"window":1.0,
//       "columns":["rms_mean",...],"rows":N}
//    then one line per row {"time":0.0,"values":[0.01,...]} (a missing value is null ↔ NaN).
//    This is the lossless form: it keeps the spec that a trained model checks against.
//  * NumPy (.npy): the values alone as a rows x columns float32 matrix (NPY format 1.0, C order,
//    little-endian, NaN for a missing value), so `numpy.load("F.npy")` gives the model input
//    directly, plus a sidecar `F.npy.json` with what the matrix does not say:
//      {"format":"vidseg.features.npy","version":1,"source":...,"step":1.0,"window":1.0,
//       "columns":[...],"times":[0.0,1.0,...],"rows":N}
//    Reading needs both files.
//  Metadata: when the matrix has audio columns, the JSONL header and the .npy sidecar also hold
//  "chroma_tuning" (the tuning its chroma used, fractions of a semitone) and "chroma_tuning_estimated"
//  (true for `--chroma-tuning auto`); both are optional on reading. CSV has no place for them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "vidseg/features/feature_matrix.hpp"

namespace vidseg::features {

enum class FeatureFormat { Csv, Jsonl, Npy };

// ".csv" → Csv, ".jsonl" / ".json" → Jsonl, ".npy" → Npy (case-insensitive); anything else throws
// InvalidArgument.
FeatureFormat format_for_path(const std::filesystem::path& path);
// "csv" / "jsonl" / "npy" → the format; anything else throws InvalidArgument.
FeatureFormat parse_feature_format(const std::string& name);

// Checks the invariants every writer and reader relies on: values.size() == rows * cols, unique
// non-empty column names without commas or line breaks, times finite and ascending, step > 0 and
// window > 0. Throws InvalidData naming the problem.
void validate(const FeatureMatrix& matrix);

// Index of a column by name, or nullopt.
std::optional<std::size_t> column_index(const FeatureSpec& spec, const std::string& name);

std::string to_csv(const FeatureMatrix& matrix);
std::string to_jsonl(const FeatureMatrix& matrix);
// Parse the text forms; `source` names the file in errors (InvalidData with the line number).
FeatureMatrix from_csv(const std::string& text, const std::string& source = "features.csv");
FeatureMatrix from_jsonl(const std::string& text, const std::string& source = "features.jsonl");
// The .npy bytes of the values and the sidecar JSON text; from_npy parses both back.
std::string to_npy(const FeatureMatrix& matrix);
std::string npy_sidecar(const FeatureMatrix& matrix);
FeatureMatrix from_npy(const std::string& npy, const std::string& sidecar, const std::string& source = "features.npy");
// Where the sidecar of an .npy feature file lives: "<path>.json".
std::filesystem::path npy_sidecar_path(const std::filesystem::path& npy);

// Validates, then writes atomically (temp file + rename; for .npy the sidecar first, then the
// matrix). Throws OutputError when it cannot write.
void write_features(const FeatureMatrix& matrix, const std::filesystem::path& path,
                    std::optional<FeatureFormat> format = std::nullopt);
// Throws InputNotFound for a missing file, InvalidData for a malformed one.
FeatureMatrix read_features(const std::filesystem::path& path, std::optional<FeatureFormat> format = std::nullopt);

}  // namespace vidseg::features

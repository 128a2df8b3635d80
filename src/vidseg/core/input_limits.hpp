// Bounds on what is read into memory from files a user hands us (issue 14 §5). A server runs the
// engine on many users' uploads: a 10 GB "export", a 100 kB .xlsx that inflates to gigabytes, a model
// header asking for a billion-wide layer or a feature file claiming 10^12 values must end in a clear
// error, not in the kernel's OOM killer. Each limit has a default that real inputs stay far below and
// an environment variable that raises (or lowers) it; the error names both (README "Limits").
//
// Exceeding a limit is ErrorCode::Unsupported (exit 5): the file may well be valid, it is only larger
// than this process is allowed to take on; a server maps it to "413 payload too large".
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace vidseg {

struct InputLimit {
    const char* what;  // what is bounded, for the message: "a data file read into memory"
    const char* env;   // the environment variable that sets it
    uint64_t default_value;
    const char* unit;  // "bytes", "cells", "values"
};

// JSON / CSV / JSONL files read whole: Label Studio exports, labeled.csv, pattern lists, intro labels
// and libraries, transcripts, feature files and their sidecars, review and exclude files.
inline constexpr InputLimit kMaxDataFileBytes{"a data file read into memory", "VIDSEG_MAX_DATA_FILE_BYTES",
                                              256ull << 20, "bytes"};
// Model files (JSON header + libtorch parameters).
inline constexpr InputLimit kMaxModelFileBytes{"a model file", "VIDSEG_MAX_MODEL_FILE_BYTES", 2ull << 30,
                                               "bytes"};
// One part of an .xlsx archive once inflated, and the text of one sheet's cells (shared strings are
// copied into every cell that refers to them).
inline constexpr InputLimit kMaxXlsxBytes{"an uncompressed .xlsx part or a sheet's cell text",
                                          "VIDSEG_MAX_XLSX_BYTES", 64ull << 20, "bytes"};
// Cells a sheet spans (rows x columns up to the last used column of each row).
inline constexpr InputLimit kMaxSheetCells{"the cells of one sheet", "VIDSEG_MAX_SHEET_CELLS", 2'000'000,
                                           "cells"};
// Values (rows x columns) of one feature matrix read from a file.
inline constexpr InputLimit kMaxFeatureValues{"the values of one feature file", "VIDSEG_MAX_FEATURE_VALUES",
                                              256'000'000, "values"};
// Width of a model's layers and its column count as its header states them (the network is allocated
// from them before any weight is read).
inline constexpr InputLimit kMaxModelDimension{"a model dimension (hidden width, columns, chunk rows)",
                                               "VIDSEG_MAX_MODEL_DIMENSION", 65'536, "units"};

// Pixels of one video picture (width x height) as a stream's header states them: a 1 kB H.264 stream
// whose SPS claims 16384x8192 makes every decoded frame 200 MB (and each RGB copy 400 MB). 8192x8192
// is twice an 8K UHD picture; FFmpeg itself refuses 16384x16384.
inline constexpr InputLimit kMaxVideoPixels{"one video picture", "VIDSEG_MAX_VIDEO_PIXELS", 8192ull * 8192,
                                            "pixels"};

// The limit in force: the environment variable (a positive integer) or the default. A malformed
// value is Error(InvalidArgument) naming the variable.
uint64_t limit_value(const InputLimit& limit);

// Throws Error(Unsupported) when value > limit_value(limit): "<detail> is V <unit>, over the limit of
// L <unit> for <what> (set <ENV>=N to raise it)".
void check_limit(const InputLimit& limit, uint64_t value, const std::string& subject,
                 std::string_view detail);

// The whole file, at most limit_value(limit) bytes (checked before reading, and while reading for
// files that are not regular). Error(InputNotFound) when it cannot be opened.
std::string read_limited_file(const std::filesystem::path& path, const InputLimit& limit = kMaxDataFileBytes);

}  // namespace vidseg

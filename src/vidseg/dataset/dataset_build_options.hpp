// The options of a dataset build, for every front end: `vidseg dataset build` and a job submitted to
// `vidseg serve` ({"kind": "dataset build", "options": {"test-fraction": 0.2, "keyframe": "best"}}) are
// checked by this one table and turned into a DatasetConfig by this one function (as
// pipeline/prepare_options.hpp does for prepare).
#pragma once

#include "vidseg/core/options.hpp"
#include "vidseg/dataset/dataset_builder.hpp"

namespace vidseg::dataset {

// The option table of `vidseg dataset build` (--video, --annotations, --out, ..., the --whisper-* rows).
CommandSpec dataset_build_command_spec();

// The config the options describe; progress, reviewer and the review callback are left to the front end.
DatasetConfig dataset_build_config(const ParsedOptions& options);

// For front ends without a console summary (a server job, the MCP tool): Error(InvalidData) when the
// build wrote nothing, naming the first failed item or saying that no interval was labeled.
void require_written(const DatasetReport& report);

}  // namespace vidseg::dataset

// The options of a prepare job, for every front end: the CLI's `vidseg prepare` and a job submitted
// to `vidseg serve` ({"kind": "prepare", "options": {"segment": 5, "mode": "exact"}}) are checked by
// this one table and turned into a PrepareConfig by this one function, so defaults and validation
// exist once.
#pragma once

#include "vidseg/core/options.hpp"
#include "vidseg/pipeline/prepare.hpp"

namespace vidseg::pipeline {

// The option table of `vidseg prepare` (positional VIDEO, --segment, --mode, --out, ...).
CommandSpec prepare_command_spec();

// The config the parsed options describe: video = the first positional, out_dir = --out, progress
// left null (the front end sets it).
PrepareConfig prepare_config(const ParsedOptions& options);

}  // namespace vidseg::pipeline

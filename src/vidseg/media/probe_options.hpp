// The options of `vidseg probe`, for every front end (the CLI and the MCP server's probe tool): one
// table, one conversion, as pipeline/prepare_options.hpp does for prepare.
#pragma once

#include "vidseg/core/options.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::media {

// The option table of `vidseg probe` (positional VIDEO, --fast).
CommandSpec probe_command_spec();

// The probe settings the parsed options describe.
ProbeOptions probe_options(const ParsedOptions& options);

}  // namespace vidseg::media

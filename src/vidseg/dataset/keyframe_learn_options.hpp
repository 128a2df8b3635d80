// The options of `keyframes learn`, for every front end: `vidseg keyframes learn` and a job submitted to
// `vidseg serve` ({"kind": "keyframes learn", "options": {"accepted-weight": 0.5, "l2": 0.01}}, its review
// folders chosen by the server from inputs.reviews) are checked by this one table and turned into a
// KeyframeLearnConfig by this one function.
#pragma once

#include "vidseg/core/options.hpp"
#include "vidseg/dataset/keyframe_learning.hpp"

namespace vidseg::dataset {

// The option table of `vidseg keyframes learn` (--reviews, --evaluate, --out, --accepted-weight, --l2).
CommandSpec keyframes_learn_command_spec();

// The config the options describe. --reviews and --out are required here only when `require_paths`
// (the CLI); a server job sets them itself. Error(InvalidArgument) naming a missing option.
KeyframeLearnConfig keyframes_learn_config(const ParsedOptions& options, bool require_paths = true);

}  // namespace vidseg::dataset

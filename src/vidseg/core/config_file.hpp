// A config file for a command with an option table (`vidseg serve --config FILE`): its values become
// the table's defaults, so an option given on the command line or in the environment still wins —
// flags > VIDSEG_* environment > file > built-in defaults — and every value is checked by the same
// table as a flag would be.
#pragma once

#include <filesystem>

#include "vidseg/core/options.hpp"

namespace vidseg {

// One "name = value" per line (the long option names without "--", '#' comments, flags true/false,
// values optionally in double quotes). Throws InvalidArgument naming FILE:LINE for an unknown name or
// a bad value, InputNotFound when the file cannot be read.
CommandSpec with_config_file(CommandSpec spec, const std::filesystem::path& file);

}  // namespace vidseg

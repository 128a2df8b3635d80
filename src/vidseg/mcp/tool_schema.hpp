// The JSON Schema of an MCP tool's input, made from the command's option table (core/options.hpp),
// so that a tool takes exactly the options of its CLI command, with the same names, types, ranges,
// choices and defaults, and its arguments are checked by the same parser with the same messages.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/options.hpp"

namespace vidseg::mcp {

// The schema of one option's value: boolean (Flag), string (String, Path: non-empty), integer / number
// with minimum / maximum (Int, Double), string enum (Choice); an array of those when repeatable. The
// help text is the description, the table's default the default.
nlohmann::json option_schema(const OptionSpec& option);

// The argument name of a positional: its name in lower case ("VIDEO" -> "video"), with an "s" when it
// takes several values ("EXPORT..." -> "exports", an array of strings).
std::string positional_argument(const PositionalSpec& positional);

// {"type": "object", "properties": {positionals..., options...}, "required": [...],
//  "additionalProperties": false}: the positionals that must be given are required.
nlohmann::json input_schema(const CommandSpec& spec);

// The table without the named options (what a tool cannot offer: an interactive review, ...).
CommandSpec without_options(CommandSpec spec, const std::vector<std::string>& names);

// A tool's arguments parsed by the command's table: the positional arguments become the command's
// positionals, the rest its options (parse_option_object: the CLI's validation and messages). Throws
// Error(InvalidArgument) naming the argument.
ParsedOptions parse_tool_arguments(const CommandSpec& spec, const nlohmann::json& arguments);

}  // namespace vidseg::mcp

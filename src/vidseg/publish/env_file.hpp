// The `.env` file the users' publishing script reads (python-dotenv syntax, the common subset):
// `NAME=value` lines, optional `export `, '#' comments, values in single or double quotes (double
// quotes understand \n, \" and \\), spaces around '=' ignored. Nothing is expanded.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace vidseg::publish {

using EnvValues = std::map<std::string, std::string>;

// Throws Error(InputNotFound) when the file is missing, Error(InvalidData) naming the file and line
// for a line that is neither a comment, blank nor NAME=value (the value never appears in messages:
// it may be a token).
EnvValues read_env_file(const std::filesystem::path& file);

// Parses the text of such a file; `source` names it in errors.
EnvValues parse_env_text(const std::string& text, const std::string& source);

}  // namespace vidseg::publish

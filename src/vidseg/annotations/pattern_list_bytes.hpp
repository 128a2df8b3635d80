// Pattern lists from bytes already in memory (defined in pattern_list.cpp beside read_patterns, which
// calls it with a file's bytes): the fuzz targets' entry point, no file per input.
#pragma once

#include <string>
#include <vector>

#include "vidseg/annotations/pattern_list.hpp"

namespace vidseg::annotations {

// `extension` (".xlsx", ".csv", ".txt", lower case) picks the format, `subject` names the list in
// errors; otherwise what read_patterns does (same errors and limits).
std::vector<Pattern> parse_pattern_list(const std::string& bytes, const std::string& extension,
                                        const std::string& subject);

}  // namespace vidseg::annotations

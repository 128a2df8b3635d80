// The --*-column options of the commands that read tables of utterances: the library's one table
// (text/table_column_options.hpp, shared with the server's predict job).
#pragma once

#include "vidseg/text/table_column_options.hpp"

namespace vidseg::cli {

using text::table_column_options;
using text::table_columns;

}  // namespace vidseg::cli

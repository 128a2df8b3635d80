// The --*-column options of the commands that read tables of utterances (`train --data TABLE`,
// `predict` — also as a server job —, `patterns find` and `patterns eval --table` with a text model):
// which column holds the lesson, times, order, speaker, text and labels (text/utterance_table.hpp).
#pragma once

#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/text/utterance_table.hpp"

namespace vidseg::text {

std::vector<OptionSpec> table_column_options();
TableColumns table_columns(const ParsedOptions& options);

}  // namespace vidseg::text

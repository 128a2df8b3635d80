// Messages the dataset commands share: left-out items and labels that match no pattern, on stderr.
#pragma once

#include <vector>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/dataset/item_error.hpp"

namespace vidseg::cli {

void print_item_errors(const std::vector<dataset::ItemError>& errors);
// One warning per unmatched label with its closest pattern; the label stays in the 'labels' column.
void print_unmatched_labels(const annotations::MatchReport& matches);

}  // namespace vidseg::cli

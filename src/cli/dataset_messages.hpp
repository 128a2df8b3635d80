// Messages the dataset commands share: left-out items and labels that match no pattern, on stderr.
#pragma once

#include <vector>

#include "vidseg/annotations/label_matcher.hpp"
#include "vidseg/core/messages.hpp"
#include "vidseg/dataset/item_error.hpp"

namespace vidseg::cli {

void print_item_errors(const std::vector<dataset::ItemError>& errors);
// One warning per unmatched label with its closest pattern, in the language of `messages`; the label
// stays in the 'labels' column.
void print_unmatched_labels(const annotations::MatchReport& matches, const Messages& messages);
// The library's warnings (English) in the language of `messages`.
void print_warnings(const std::vector<std::string>& warnings, const Messages& messages);

}  // namespace vidseg::cli

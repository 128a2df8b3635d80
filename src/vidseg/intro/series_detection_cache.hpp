// Reading back the cached outcome of detect_intros_by_series (defined in series_grouping.cpp, which
// writes and reads that text through the fingerprint cache). A cache file is untrusted bytes: wrong
// types and out-of-range numbers are rejected, never cast.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/intro/series_grouping.hpp"

namespace vidseg::intro {

// The detection for these episodes, or nullopt with the reason (`why`) when the text is not a result
// of this version.
std::optional<SeriesDetection> series_detection_from_cache(const std::string& text,
                                                           const std::vector<std::string>& episodes, std::string& why);

}  // namespace vidseg::intro

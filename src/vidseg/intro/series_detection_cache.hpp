// Reading back the cached outcome of detect_intros_by_series (defined in series_grouping.cpp, which
// writes and reads that text through the fingerprint cache). A cache file is untrusted bytes: wrong
// types and out-of-range numbers are rejected, never cast.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/intro/series_grouping.hpp"

namespace vidseg::intro {

// Bump when the cached form of detections changes.
// 2: boundary cues, series merged by profile; 3: long windows scanned through the half-key index;
// 4: (a structural model, reverted); 5: refined boundaries from audio decoded once per episode
// (refinement_audio.hpp); 6: pictures decoded only in the windows the sound leaves in doubt
// (picture_windows.hpp); 7: recurring audio and the season's structure (season_structure.hpp, issue 16 §2);
// 8: two-episode variants, scenes two intros share, ends from the structure (structural_ends.hpp).
inline constexpr int kDetectionResultVersion = 8;

// The detection for these episodes, or nullopt with the reason (`why`) when the text is not a result
// of this version.
std::optional<SeriesDetection> series_detection_from_cache(const std::string& text,
                                                           const std::vector<std::string>& episodes, std::string& why);

}  // namespace vidseg::intro

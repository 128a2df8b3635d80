// What a season's intro detection tells, for every front end: the JSON of `vidseg intro detect
// --json` (the CLI) and of the MCP server's intro_detect tool, and the files of --predictions, --edl
// and --chapters.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/options.hpp"
#include "vidseg/intro/series_grouping.hpp"

namespace vidseg::intro {

// The episodes of series s by intro variant (variant id -> member indices; episodes without intro left out).
std::map<int, std::vector<std::size_t>> series_variants(const SeriesDetection& season, std::size_t s);

// [{"series": 1, "episodes": [...], "variants": [{"variant", "episodes"}]}, ...]
nlohmann::json series_json(const SeriesDetection& season);

// One object per episode: episode, id (stem), intro [start, end] or null, confidence, confirmations,
// variant, the cues the boundaries were snapped to (with_cues), the reason of a missing intro, or error.
nlohmann::json episodes_json(const SeriesDetection& season, bool with_cues);

// Episodes that could be read.
std::size_t usable_episodes(const SeriesDetection& season);

// Error(InvalidMedia) when fewer than two episodes could be read.
void require_usable(const SeriesDetection& season);

// --predictions FILE (test_predictions.json), --edl DIR and --chapters DIR for the usable detections.
void write_intro_outputs(const std::vector<IntroDetection>& detections, const ParsedOptions& options);

}  // namespace vidseg::intro

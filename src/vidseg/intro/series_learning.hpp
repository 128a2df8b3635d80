// Learning one series' intro library from its season's detections: `vidseg intro learn`, and the
// server's `intro learn` job, which re-learns a series from the intros corrected by hand on the web
// intros page (a corrected intro replaces the detected one before the variants are cut).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/intro/intro_library.hpp"

namespace vidseg::intro {

struct LearnedSeries {
    IntroLibrary library;
    std::size_t usable = 0;     // episodes that could be read
    std::size_t corrected = 0;  // detections replaced by a correction
};

// `corrections`: episode path (as in `episodes`) -> the intro to learn from instead of the detected
// one. Throws Error(InvalidMedia) for fewer than two usable episodes or no intro at all,
// Error(InvalidArgument) naming the groups when the episodes belong to several series.
LearnedSeries learn_series_library(SeriesDetection& season, const std::vector<std::string>& episodes,
                                   const IntroDetectOptions& options,
                                   const std::map<std::string, timeline::Interval>& corrections = {});

// [{"id", "length", "episodes": [{"episode", "intro": [s, e]}]}] (`intro learn --json`'s "variants").
nlohmann::json learned_variants_json(const IntroLibrary& library);

}  // namespace vidseg::intro

#include "vidseg/intro/series_learning.hpp"

#include <filesystem>

#include "vidseg/core/error.hpp"

namespace vidseg::intro {

namespace {

std::string file_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

}  // namespace

LearnedSeries learn_series_library(SeriesDetection& season, const std::vector<std::string>& episodes,
                                   const IntroDetectOptions& options,
                                   const std::map<std::string, timeline::Interval>& corrections) {
    LearnedSeries out;
    for (const auto& d : season.detections) out.usable += d.error.empty();
    if (out.usable < 2)
        throw Error(ErrorCode::InvalidMedia, "needs at least two usable episodes of a series, only " +
                                                 std::to_string(out.usable) + " of " +
                                                 std::to_string(episodes.size()) + " could be read");
    if (season.series.size() > 1) {
        std::string groups;
        for (std::size_t s = 0; s < season.series.size(); ++s) {
            groups += "\n  series " + std::to_string(s + 1) + ":";
            for (std::size_t i : season.series[s]) groups += " " + file_name(episodes[i]);
        }
        throw Error(ErrorCode::InvalidArgument, "the episodes belong to " + std::to_string(season.series.size()) +
                                                    " different series; learn one series at a time:" + groups);
    }
    for (std::size_t i = 0; i < season.detections.size() && i < episodes.size(); ++i) {
        auto& d = season.detections[i];
        const auto it = corrections.find(episodes[i]);
        if (it == corrections.end() || !d.error.empty()) continue;
        d.intro = it->second;
        ++out.corrected;
    }
    out.library = build_intro_library(season, options);
    if (out.library.variants.empty())
        throw Error(ErrorCode::InvalidMedia,
                    "no intro found in any of the " + std::to_string(out.usable) + " episodes: nothing to learn");
    return out;
}

nlohmann::json learned_variants_json(const IntroLibrary& library) {
    nlohmann::json variants = nlohmann::json::array();
    for (const auto& v : library.variants) {
        nlohmann::json eps = nlohmann::json::array();
        for (const auto& e : v.episodes) eps.push_back({{"episode", e.episode}, {"intro", {e.intro.start, e.intro.end}}});
        variants.push_back({{"id", v.id}, {"length", v.length}, {"episodes", std::move(eps)}});
    }
    return variants;
}

}  // namespace vidseg::intro

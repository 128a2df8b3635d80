#include "vidseg/intro/intro_detect_report.hpp"

#include <filesystem>
#include <string>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace vidseg::intro {

namespace fs = std::filesystem;

std::map<int, std::vector<std::size_t>> series_variants(const SeriesDetection& season, std::size_t s) {
    std::map<int, std::vector<std::size_t>> out;
    for (std::size_t i : season.series[s])
        if (season.detections[i].intro && season.detections[i].variant >= 0)
            out[season.detections[i].variant].push_back(i);
    return out;
}

nlohmann::json series_json(const SeriesDetection& season) {
    nlohmann::json series = nlohmann::json::array();
    for (std::size_t s = 0; s < season.series.size(); ++s) {
        nlohmann::json members = nlohmann::json::array();
        for (std::size_t i : season.series[s]) members.push_back(season.detections[i].episode);
        nlohmann::json variants = nlohmann::json::array();
        for (const auto& [id, eps] : series_variants(season, s)) {
            nlohmann::json names = nlohmann::json::array();
            for (std::size_t i : eps) names.push_back(season.detections[i].episode);
            variants.push_back({{"variant", id}, {"episodes", std::move(names)}});
        }
        series.push_back(
            {{"series", s + 1}, {"episodes", std::move(members)}, {"variants", std::move(variants)}});
    }
    return series;
}

namespace {

// Sound of the episode that recurs in other episodes but is not its intro (recurring_audio.hpp):
// [{"start", "end", "episodes": [ids], "pictures": "differ" | "not_compared"}].
nlohmann::json recurring_audio_report(const SeriesDetection& season, const IntroDetection& d) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : d.recurring_audio) {
        nlohmann::json ids = nlohmann::json::array();
        for (std::size_t p : r.partners)
            if (p < season.detections.size()) ids.push_back(fs::path(season.detections[p].episode).stem().string());
        out.push_back({{"start", r.interval.start},
                       {"end", r.interval.end},
                       {"episodes", std::move(ids)},
                       {"pictures", r.pictures_differ ? "differ" : "not_compared"}});
    }
    return out;
}

}  // namespace

nlohmann::json episodes_json(const SeriesDetection& season, bool with_cues) {
    const auto& detections = season.detections;
    nlohmann::json eps = nlohmann::json::array();
    for (const auto& d : detections) {
        nlohmann::json e = {{"episode", d.episode}, {"id", fs::path(d.episode).stem().string()}};
        if (!d.error.empty()) {
            e["error"] = d.error;
            e["intro"] = nullptr;
        } else {
            e["intro"] = d.intro ? nlohmann::json::array({d.intro->start, d.intro->end}) : nlohmann::json();
            e["confidence"] = d.confidence;
            e["confirmations"] = d.confirmations;
            e["variant"] = d.variant >= 0 ? nlohmann::json(d.variant) : nlohmann::json();
            if (d.intro && with_cues) {
                // Which editing mark each boundary was snapped to, and the alignment's own result.
                e["cues"] = {{"start", boundary_cue_name(d.start_cue)},
                             {"end", boundary_cue_name(d.end_cue)}};
                if (d.aligned) e["aligned"] = nlohmann::json::array({d.aligned->start, d.aligned->end});
            }
            if (!d.recurring_audio.empty()) e["recurring_audio"] = recurring_audio_report(season, d);
            if (const auto& why = season.reasons[std::size_t(&d - detections.data())]; !why.empty())
                e["reason"] = why;
        }
        eps.push_back(std::move(e));
    }
    return eps;
}

std::size_t usable_episodes(const SeriesDetection& season) {
    std::size_t usable = 0;
    for (const auto& d : season.detections) usable += d.error.empty();
    return usable;
}

void require_usable(const SeriesDetection& season) {
    const std::size_t usable = usable_episodes(season);
    if (usable < 2)
        throw Error(ErrorCode::InvalidMedia, "needs at least two usable episodes of a series, only " +
                                                 std::to_string(usable) + " of " +
                                                 std::to_string(season.detections.size()) + " could be read");
}

void write_intro_outputs(const std::vector<IntroDetection>& detections, const ParsedOptions& options) {
    std::vector<IntroLabel> labels;
    for (const auto& d : detections)
        if (d.error.empty()) labels.push_back({fs::path(d.episode).stem().string(), d.intro, {}, {}});
    if (options.given("predictions"))
        write_file_atomic(options.str("predictions"), to_predictions_json(labels).dump(2) + "\n");
    // One player sidecar per usable episode, named after it (DIR/<stem>.edl, DIR/<stem>.ffmetadata);
    // an episode without intro gets an empty EDL / a header-only metadata file.
    for (const char* which : {"edl", "chapters"}) {
        if (!options.given(which)) continue;
        const fs::path dir = options.str(which);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (!fs::is_directory(dir))
            throw Error(ErrorCode::OutputError, "cannot create directory", dir.string());
        const bool edl = std::string(which) == "edl";
        for (const auto& d : detections) {
            if (!d.error.empty()) continue;
            // An episode's file name is data (an upload's name): cleaned, and kept inside DIR.
            const std::string stem = safe_file_name(fs::path(d.episode).stem().string());
            write_file_atomic(join_under(dir, stem + (edl ? ".edl" : ".ffmetadata")),
                              edl ? to_edl(d.intro) : to_ffmetadata_chapters(d.intro));
        }
    }
}

}  // namespace vidseg::intro

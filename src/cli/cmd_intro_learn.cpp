// `vidseg intro learn`: detect the intro over a season and save an intro library; plus what
// `vidseg intro detect` needs for --library, --cache / --no-cache and the series groups of a mixed folder.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/intro_detect_report.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/intro/intro_library.hpp"
#include "vidseg/intro/series_grouping.hpp"
#include "vidseg/intro/series_learning.hpp"
#include "vidseg/media/media_file_name.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

std::unique_ptr<intro::FingerprintCache> open_cache(const ParsedOptions& options) {
    const std::string dir = intro::intro_cache_dir(options);
    return dir.empty() ? nullptr : std::make_unique<intro::FingerprintCache>(dir);
}

int run_intro_learn(const ParsedOptions& options, Context& context) {
    const auto episodes = intro::intro_episodes(options);
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "intro learn needs at least two episodes of one series (got " + std::to_string(episodes.size()) +
                        "): give EPISODE files or --dir DIR");
    const auto config = intro::intro_detect_options(options);
    const fs::path out = options.str("out");
    auto cache = open_cache(options);
    auto season = intro::detect_intros_by_series(episodes, config, cache.get(), context.progress.get());
    if (cache) report_intro_cache(*cache, context);

    for (const auto& d : season.detections)
        if (!d.error.empty() && !context.quiet) warn_skipping(d.episode, d.error, context);
    auto learned = intro::learn_series_library(season, episodes, config);
    const auto& library = learned.library;
    const auto usable = learned.usable;
    intro::save_intro_library(library, out);

    if (context.json) {
        nlohmann::json doc = {{"library", out.string()}, {"variants", intro::learned_variants_json(library)},
                              {"usable", usable}};
        if (cache) doc["cache"] = intro_cache_json(*cache);
        context.print_json(doc);
        return 0;
    }
    const Messages& m = context.messages;
    const auto count = [&m](Msg noun, std::size_t n) { return m.count(noun, static_cast<long long>(n)); };
    const auto line = [](const std::string& text) { std::printf("%s\n", text.c_str()); };
    line(m.text(Msg::LearnedSummary, {{"variants", count(Msg::CountIntroVariants, library.variants.size())},
                                      {"episodes", count(Msg::CountEpisodes, usable)},
                                      {"library", out.string()}}));
    for (const auto& v : library.variants) {
        std::string names;
        for (const auto& e : v.episodes) names += (names.empty() ? "" : ", ") + e.episode;
        line(m.text(Msg::LearnedVariantLine, {{"variant", std::to_string(v.id)},
                                              {"length", two_decimals(v.length)},
                                              {"episodes", count(Msg::CountEpisodes, v.episodes.size())},
                                              {"names", names}}));
    }
    for (std::size_t i = 0; i < season.detections.size(); ++i)
        if (season.detections[i].error.empty() && !season.detections[i].intro)
            line(m.text(
                Msg::LearnedNoIntro,
                {{"episode", file_name(episodes[i])},
                 {"why", season.reasons[i].empty() ? "" : " (" + m.from_english(season.reasons[i]) + ")"}}));
    return 0;
}

}  // namespace

void report_intro_cache(const intro::FingerprintCache& cache, const Context& context) {
    if (context.quiet) return;
    for (const auto& w : cache.warnings()) context.warning(w);
    const auto s = cache.stats();
    context.info(context.messages.text(Msg::IntroCacheStats, {{"dir", cache.dir().string()},
                                                              {"hits", std::to_string(s.hits)},
                                                              {"misses", std::to_string(s.misses)}}));
}

void warn_skipping(const std::string& episode, const std::string& error, const Context& context) {
    context.warning(
        context.messages.text(Msg::WarnSkippingEpisode, {{"episode", episode}, {"error", error}}));
}

nlohmann::json intro_cache_json(const intro::FingerprintCache& cache) {
    const auto s = cache.stats();
    return {{"dir", cache.dir().string()},   {"hits", s.hits},           {"misses", s.misses},
            {"corrupt", s.corrupt},          {"stored", s.stored},       {"result_hits", s.result_hits},
            {"result_misses", s.result_misses}};
}

void print_intro_series(const intro::SeriesDetection& season, const Messages& messages) {
    const auto count = [](std::size_t n) { return static_cast<long long>(n); };
    if (season.series.size() >= 2) {
        std::printf("%s\n", messages.count(Msg::IntroSeriesHeader, count(season.series.size())).c_str());
        for (std::size_t s = 0; s < season.series.size(); ++s) {
            std::string names;
            for (std::size_t i : season.series[s]) names += " " + file_name(season.detections[i].episode);
            std::printf(
                "%s\n",
                messages.text(Msg::IntroSeriesLine, {{"series", std::to_string(s + 1)}, {"episodes", names}})
                    .c_str());
        }
    }
    // A new intro from the middle of a season: say which episodes show which one.
    for (std::size_t s = 0; s < season.series.size(); ++s) {
        const auto variants = intro::series_variants(season, s);
        if (variants.size() < 2) continue;
        if (season.series.size() >= 2)
            std::printf("%s\n", messages
                                    .count(Msg::IntroVariantsOfSeries, count(variants.size()),
                                           {{"series", std::to_string(s + 1)}})
                                    .c_str());
        else
            std::printf("%s\n", messages.count(Msg::IntroVariantsOfSeason, count(variants.size())).c_str());
        for (const auto& [id, eps] : variants) {
            std::string names;
            for (std::size_t i : eps) names += " " + file_name(season.detections[i].episode);
            std::printf(
                "%s\n",
                messages.text(Msg::IntroVariantLine, {{"variant", std::to_string(id)}, {"episodes", names}})
                    .c_str());
        }
    }
}

int run_intro_detect_library(const std::vector<std::string>& episodes, const ParsedOptions& options, Context& context) {
    if (episodes.empty())
        throw Error(ErrorCode::InvalidArgument, "give the EPISODE files to match against --library (or --dir DIR)");
    const auto library = intro::load_intro_library(options.str("library"));
    auto config = intro::intro_detect_options(options);
    auto cache = open_cache(options);
    const auto fp_options = intro::fingerprint_options_for_detection(config);
    bool library_has_pictures = false;
    for (const auto& v : library.variants) library_has_pictures = library_has_pictures || !v.visual.hashes.empty();

    std::vector<intro::IntroDetection> results;
    std::vector<std::string> reasons;
    std::size_t usable = 0;
    if (context.progress) context.progress->begin("Matching episodes against the intro library", double(episodes.size()));
    for (const auto& path : episodes) {
        intro::IntroDetection d;
        std::string reason;
        d.episode = path;
        try {
            // Audio first, as season detection: when the sound alone matches a variant over its whole
            // length (within 0.5 s), the pictures (most of the decoding cost) are not needed.
            if (config.visual.fps > 0) {
                auto audio_options = fp_options;
                audio_options.visual.fps = 0;
                std::optional<intro::IntroDetection> by_sound;
                try {
                    const auto fa = intro::fingerprint_episode_cached(path, audio_options, cache.get(), nullptr);
                    if (fa.has_audio && !fa.audio.items.empty()) {
                        auto m = intro::match_intro_library(library, path, fa, config);
                        if (m.intro && !m.matches.empty() &&
                            std::abs(m.intro->length() - library.variants[m.matches[0].partner].length) <= 0.5) {
                            if (config.refine) intro::refine_library_match(library, path, fa, m, config);
                            m.no_video = false;  // not looked at
                            by_sound = std::move(m);
                        }
                    }
                } catch (const Error& e) {
                    if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
                    // e.g. no audio stream: the pictures may still match (below).
                }
                if (by_sound) {
                    ++usable;
                    results.push_back(std::move(*by_sound));
                    reasons.emplace_back();
                    if (context.progress) context.progress->update(double(results.size()));
                    continue;
                }
            }
            const auto fp = intro::fingerprint_episode_cached(path, fp_options, cache.get(), nullptr);
            const bool sound = fp.has_audio && !fp.audio.items.empty();
            const bool pictures = fp.has_video && !fp.visual.hashes.empty() && library_has_pictures;
            if (!sound && !pictures) {
                d.no_audio = !fp.has_audio;
                d.no_video = !fp.has_video;
                reason = Messages().text(Msg::ReasonLibraryNoPictures);  // English in --json
            } else {
                ++usable;
                d = intro::match_intro_library(library, path, fp, config);
                if (d.intro && config.refine) intro::refine_library_match(library, path, fp, d, config);
                if (!d.intro)
                    reason = Messages().text(Msg::ReasonLibraryNoMatch,
                                             {{"seconds", two_decimals(config.max_start)}});
            }
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted || e.code() == ErrorCode::Internal) throw;
            d.error = e.cause().empty() ? e.what() : e.cause();
            if (!context.quiet) warn_skipping(path, d.error, context);
        }
        results.push_back(std::move(d));
        reasons.push_back(std::move(reason));
        if (context.progress) context.progress->update(double(results.size()));
    }
    if (context.progress) context.progress->end();
    if (cache) report_intro_cache(*cache, context);
    if (usable == 0) {
        if (episodes.size() == 1 && !results[0].error.empty())
            throw Error(ErrorCode::InvalidMedia, results[0].error, episodes[0]);
        throw Error(ErrorCode::InvalidMedia, "none of the " + std::to_string(episodes.size()) +
                                                 " episode(s) could be matched: " +
                                                 (results[0].error.empty() ? reasons[0] : results[0].error));
    }

    intro::write_intro_outputs(results, options);

    if (context.json) {
        nlohmann::json eps = nlohmann::json::array();
        for (std::size_t k = 0; k < results.size(); ++k) {
            const auto& d = results[k];
            nlohmann::json e = {{"episode", d.episode}, {"id", fs::path(d.episode).stem().string()}};
            if (!d.error.empty()) {
                e["error"] = d.error;
                e["intro"] = nullptr;
            } else {
                e["intro"] = d.intro ? nlohmann::json::array({d.intro->start, d.intro->end}) : nlohmann::json();
                e["confidence"] = d.confidence;
                e["variant"] = d.intro ? nlohmann::json(d.variant) : nlohmann::json();
                if (d.intro && !d.matches.empty()) {
                    const int evidence = d.matches[0].evidence;
                    e["matched_by"] = evidence == 3 ? "audio+pictures" : evidence == 2 ? "pictures" : "audio";
                }
                if (d.intro && d.aligned)
                    e["cues"] = {{"start", intro::boundary_cue_name(d.start_cue)}, {"end", intro::boundary_cue_name(d.end_cue)}};
                if (!reasons[k].empty()) e["reason"] = reasons[k];
            }
            eps.push_back(std::move(e));
        }
        nlohmann::json doc = {{"episodes", eps}, {"usable", usable}, {"library", options.str("library")}};
        if (cache) doc["cache"] = intro_cache_json(*cache);
        context.print_json(doc);
        return 0;
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
        const auto& d = results[k];
        if (!d.error.empty()) continue;
        std::string line = d.episode + ": " + context.messages.from_english(intro::intro_found_line(d.intro));
        if (d.intro)
            line += " " + context.messages.text(Msg::IntroLibraryMatch,
                                                {{"variant", std::to_string(d.variant)},
                                                 {"confidence", two_decimals(d.confidence)}});
        else if (!reasons[k].empty())
            line += " (" + context.messages.from_english(reasons[k]) + ")";
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

Command intro_learn_command() {
    CommandSpec spec{
        .name = "intro learn",
        .summary = "Detect the intro over a season and save an intro library for new episodes.",
        .description =
            "Runs `vidseg intro detect` over the episodes of one series and saves, for each intro variant\n"
            "found, its audio and visual fingerprints and a reference clip (the intro's sound and the frames\n"
            "at its boundaries, for the same boundary refinement as season detection), its length and the\n"
            "episodes it came from, as one JSON file (format:\n"
            "README.md, \"Intro library\"). `vidseg intro detect NEW.mkv --library LIB` then finds the intro of\n"
            "a new episode alone. Episodes of several series given together are an error (learn one series\n"
            "at a time); unreadable episodes are skipped with a warning.",
        .positionals = {{.name = "EPISODE", .help = "Episode files of one series (or use --dir).", .min_count = 0,
                         .max_count = -1}},
        .options =
            {
                {.name = "out", .type = OptionType::Path, .help = "The intro library file to write (required).",
                 .metavar = "LIB"},
            },
        .examples = "  vidseg intro learn --dir season1 --out show.intro.json\n"
                    "  vidseg intro detect s02e01.mkv --library show.intro.json",
    };
    // The season options (--dir, --max-start, --min-length, --max-length, --cache, --no-cache) come first.
    const auto season = intro::intro_season_options();
    spec.options.insert(spec.options.begin(), season.begin(), season.end());
    spec.options.push_back(language_option());
    return {spec, [](const ParsedOptions& options, Context& context) {
                if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "--out LIB is required");
                return run_intro_learn(options, context);
            }};
}

}  // namespace vidseg::cli

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/intro_labels.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

bool is_media_name(const fs::path& p) {
    static const std::vector<std::string> exts = {".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v", ".ts",
                                                  ".flv", ".wmv", ".mpg", ".mpeg", ".mp3", ".m4a", ".wav",
                                                  ".aac", ".flac", ".ogg", ".opus"};
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

std::vector<std::string> list_dir(const std::string& dir) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error(ErrorCode::InputNotFound, "directory not found", dir);
    if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::InvalidArgument, "--dir is not a directory", dir);
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && is_media_name(entry.path())) files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

std::string fmt2(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

int run_intro_detect(const ParsedOptions& options, Context& context) {
    std::vector<std::string> episodes = options.positionals();
    if (options.given("dir")) {
        const auto listed = list_dir(options.str("dir"));
        episodes.insert(episodes.end(), listed.begin(), listed.end());
    }
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "needs at least two episodes of a series (got " + std::to_string(episodes.size()) +
                        "): give EPISODE files or --dir DIR");

    intro::IntroDetectOptions config;
    config.max_start = options.number("max-start");
    config.min_length = options.number("min-length");
    config.max_length = options.number("max-length");
    if (config.max_length < config.min_length)
        throw Error(ErrorCode::InvalidArgument, "--max-length must be >= --min-length");

    const auto detections = intro::detect_intros(episodes, config, context.progress.get());

    std::size_t usable = 0;
    for (const auto& d : detections) {
        if (d.error.empty()) {
            ++usable;
            continue;
        }
        if (!context.quiet)
            std::fprintf(stderr, "warning: skipping '%s': %s%s\n", d.episode.c_str(), d.error.c_str(),
                         d.no_audio ? " (intro detection without audio is not implemented yet)" : "");
    }
    if (usable < 2)
        throw Error(ErrorCode::InvalidMedia, "needs at least two usable episodes of a series, only " +
                                                 std::to_string(usable) + " of " +
                                                 std::to_string(episodes.size()) + " could be read");

    std::vector<intro::IntroLabel> labels;
    for (const auto& d : detections)
        if (d.error.empty()) labels.push_back({fs::path(d.episode).stem().string(), d.intro, {}, {}});
    if (options.given("predictions"))
        write_file_atomic(options.str("predictions"), intro::to_predictions_json(labels).dump(2) + "\n");

    if (context.json) {
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
            }
            eps.push_back(std::move(e));
        }
        context.print_json({{"episodes", eps}, {"usable", usable}});
        return 0;
    }
    for (const auto& d : detections) {
        if (!d.error.empty()) continue;
        std::string line = d.episode + ": " + intro::intro_found_line(d.intro);
        if (d.intro)
            line += " (confirmed by " + std::to_string(d.confirmations) + " of " + std::to_string(usable - 1) +
                    " episodes, confidence " + fmt2(d.confidence) + ")";
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

}  // namespace

Command intro_detect_command() {
    CommandSpec spec{
        .name = "intro detect",
        .summary = "Find the intro that repeats across the episodes of a series (audio fingerprints).",
        .description =
            "Fingerprints the first MAX-START + MAX-LENGTH seconds of every episode's audio with Chromaprint,\n"
            "aligns every pair of episodes (items agreeing within 6 of 32 bits, gaps up to 3.5 s) and gives each\n"
            "episode the matched interval confirmed by the most other episodes, its boundaries the median over\n"
            "the pairs. An episode that matches no other episode has no intro (never a guess). Unreadable\n"
            "episodes and episodes without audio are skipped with a warning.",
        .positionals = {{.name = "EPISODE", .help = "Episode files of one series (or use --dir).", .min_count = 0,
                         .max_count = -1}},
        .options =
            {
                {.name = "dir", .type = OptionType::Path, .help = "Use every media file in DIR as an episode.",
                 .metavar = "DIR"},
                {.name = "max-start", .type = OptionType::Double, .default_value = "900",
                 .help = "The intro starts within this many seconds.", .metavar = "SECONDS", .min = 1},
                {.name = "min-length", .type = OptionType::Double, .default_value = "1",
                 .help = "Shortest intro, seconds.", .metavar = "SECONDS", .min = 0.5},
                {.name = "max-length", .type = OptionType::Double, .default_value = "120",
                 .help = "Longest intro, seconds.", .metavar = "SECONDS", .min = 1},
                {.name = "predictions", .type = OptionType::Path,
                 .help = "Also write test_predictions.json: {\"<episode stem>\": [start, end]} ([] = no intro).",
                 .metavar = "FILE"},
            },
        .examples = "  vidseg intro detect s01e01.mkv s01e02.mkv s01e03.mkv\n"
                    "  vidseg intro detect --dir season1 --predictions test_predictions.json",
    };
    return {spec, run_intro_detect};
}

}  // namespace vidseg::cli

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/intro_detect_report.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/intro/series_grouping.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

// The other episodes of d's series (all usable ones but d when the folder holds one series).
std::size_t series_peers(const intro::SeriesDetection& season, const intro::IntroDetection& d) {
    const int s = season.series_of[std::size_t(&d - season.detections.data())];
    return s >= 0 ? season.series[std::size_t(s)].size() - 1 : 0;
}

// glibc's fastbins: decoding frees one small packet after another next to the top of the heap, and
// every such free then consolidates all fastbins (malloc_consolidate + unlink_chunk were ~12 % of
// the CPU of an audio-first detection in perf). Without fastbins small frees go to the per-thread
// caches and the unsorted bin: ~10 % less CPU for the whole detection, no measurable cost elsewhere.
void use_allocator_settings_for_decoding() {
#if defined(__GLIBC__)
    mallopt(M_MXFAST, 0);
#endif
}

int run_intro_detect(const ParsedOptions& options, Context& context) {
    use_allocator_settings_for_decoding();
    const std::vector<std::string> episodes = intro::intro_episodes(options);
    if (options.given("library")) return run_intro_detect_library(episodes, options, context);
    if (episodes.size() < 2)
        throw Error(ErrorCode::InvalidArgument,
                    "needs at least two episodes of a series (got " + std::to_string(episodes.size()) +
                        "): give EPISODE files or --dir DIR, or match one episode against an intro library (--library LIB from "
                        "`vidseg intro learn`)");

    const intro::IntroDetectOptions config = intro::intro_detect_options(options);
    // Fingerprints through the on-disk cache; episodes of different series are grouped.
    auto run = intro::detect_season(episodes, config, intro::intro_cache_dir(options), context.progress.get());
    if (!context.quiet)
        for (const auto& w : run.warnings) context.warning(w);
    const auto& season = run.season;
    const bool audio_only = run.audio_only;
    const intro::FingerprintCache* shown_cache = run.shown_cache;
    if (shown_cache) report_intro_cache(*shown_cache, context);
    const auto& detections = season.detections;

    std::size_t usable = 0;
    for (const auto& d : detections) {
        if (d.error.empty()) {
            ++usable;
            if (!context.quiet && (d.no_audio || (d.no_video && !audio_only)))
                context.note(context.messages.text(
                    d.no_audio ? Msg::NoteNoAudioComparedByPictures : Msg::NoteNoVideoComparedBySound,
                    {{"episode", d.episode}}));
            continue;
        }
        if (!context.quiet) warn_skipping(d.episode, d.error, context);
    }
    intro::require_usable(season);

    intro::write_intro_outputs(detections, options);

    if (context.json) {
        nlohmann::json doc = {{"episodes", intro::episodes_json(season, config.cues)},
                              {"usable", usable},
                              {"series", intro::series_json(season)}};
        if (shown_cache) doc["cache"] = intro_cache_json(*shown_cache);
        context.print_json(doc);
        return 0;
    }
    print_intro_series(season, context.messages);
    for (const auto& d : detections) {
        if (!d.error.empty()) continue;
        std::string line = d.episode + ": " + context.messages.from_english(intro::intro_found_line(d.intro));
        if (d.intro)
            line += " " + context.messages.count(Msg::IntroConfirmation,
                                                 static_cast<long long>(series_peers(season, d)),
                                                 {{"confirmed", std::to_string(d.confirmations)},
                                                  {"confidence", two_decimals(d.confidence)}});
        else if (const auto& why = season.reasons[std::size_t(&d - detections.data())]; !why.empty())
            line += " (" + context.messages.from_english(why) + ")";
        std::printf("%s\n", line.c_str());
    }
    return 0;
}

}  // namespace

Command intro_detect_command() {
    auto spec = intro::intro_detect_command_spec();
    spec.options.push_back(language_option());
    return {spec, run_intro_detect};
}

}  // namespace vidseg::cli

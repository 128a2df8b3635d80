#include "vidseg/intro/intro_detect_options.hpp"

#include <algorithm>
#include <filesystem>

#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/intro/picture_references.hpp"
#include "vidseg/intro/picture_windows.hpp"
#include "vidseg/media/media_file_name.hpp"

namespace vidseg::intro {

namespace fs = std::filesystem;

CommandSpec intro_detect_command_spec() {
    CommandSpec spec{
        .name = "intro detect",
        .summary =
            "Find the intro that repeats across the episodes of a series (audio + visual fingerprints).",
        .description =
            "Fingerprints the first MAX-START + MAX-LENGTH seconds of every episode: audio with Chromaprint\n"
            "(11025 Hz), pictures as 64-bit perceptual hashes of 4 frames a second decoded at low "
            "resolution.\n"
            "Audio comes first: the pictures are fingerprinted only when the sound alone leaves an episode\n"
            "unsure. Every pair of episodes is aligned on both; each episode takes the matched interval "
            "confirmed by\n"
            "the most other episodes (a longer one among nearly equally confirmed ones: logo stings and "
            "sponsor\n"
            "cards are shorter), then each boundary is refined on the re-decoded audio (sample-level "
            "alignment)\n"
            "and frames, and snapped to a shot cut, black frame or silence gap within 1 s where that cue "
            "agrees\n"
            "with the alignment (the pictures stop matching exactly there). Episodes whose intros match each "
            "other share a variant id. An episode that matches no\n"
            "other episode, or only below the confidence threshold, has no intro (never a guess). "
            "Unreadable\n"
            "episodes are skipped with a warning; episodes without audio or video use what they have.",
        .positionals = {{.name = "EPISODE",
                         .help = "Episode files of one series (or use --dir).",
                         .min_count = 0,
                         .max_count = -1}},
        .options =
            {
                {.name = "library",
                 .type = OptionType::Path,
                 .help =
                     "Match each EPISODE against this intro library (from `vidseg intro learn`) instead of "
                     "comparing the episodes with each other; one episode is enough.",
                 .metavar = "LIB"},
                {.name = "audio-only",
                 .type = OptionType::Flag,
                 .help =
                     "Never decode video (by default it is decoded only when the sound alone leaves an\n"
                     "episode unsure); intros shown over silence or under dubbed speech may then be missed."},
                {.name = "no-cues",
                 .type = OptionType::Flag,
                 .help = "Keep the boundaries where the alignment puts them: do not snap them to shot cuts,\n"
                         "black frames or silence (for comparison)."},
                {.name = "edl",
                 .type = OptionType::Path,
                 .help = "Also write DIR/<episode stem>.edl (Kodi/MPV: the intro as a skippable commercial "
                         "break).",
                 .metavar = "DIR"},
                {.name = "chapters",
                 .type = OptionType::Path,
                 .help = "Also write DIR/<episode stem>.ffmetadata (FFmpeg chapter metadata with an "
                         "\"Intro\" chapter).",
                 .metavar = "DIR"},
                {.name = "predictions",
                 .type = OptionType::Path,
                 .help =
                     "Also write test_predictions.json: {\"<episode stem>\": [start, end]} ([] = no intro).",
                 .metavar = "FILE"},
            },
        .examples =
            "  vidseg intro detect s01e01.mkv s01e02.mkv s01e03.mkv\n"
            "  vidseg intro detect --dir season1 --predictions test_predictions.json",
    };
    // The season options (--dir, --max-start, --min-length, --max-length, --cache, --no-cache) come first.
    const auto season = intro_season_options();
    spec.options.insert(spec.options.begin(), season.begin(), season.end());
    return spec;
}

std::vector<std::string> intro_episodes(const ParsedOptions& options) {
    std::vector<std::string> episodes = options.positionals();
    if (!options.given("dir")) return episodes;
    const std::string dir = options.str("dir");
    std::error_code ec;
    if (!fs::exists(dir, ec)) throw Error(ErrorCode::InputNotFound, "directory not found", dir);
    if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::InvalidArgument, "--dir is not a directory", dir);
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && media::is_media_file_name(entry.path()))
            files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    episodes.insert(episodes.end(), files.begin(), files.end());
    return episodes;
}

IntroDetectOptions intro_detect_options(const ParsedOptions& options) {
    IntroDetectOptions config;
    config.max_start = options.number("max-start");
    config.min_length = options.number("min-length");
    config.max_length = options.number("max-length");
    config.threads = static_cast<int>(options.integer("threads"));
    if (config.max_length < config.min_length)
        throw Error(ErrorCode::InvalidArgument, "--max-length must be >= --min-length");
    if (options.flag("audio-only")) config.visual.fps = 0;
    if (options.flag("no-cues")) config.cues = false;
    return config;
}

std::vector<OptionSpec> intro_season_options() {
    return {
        {.name = "dir",
         .type = OptionType::Path,
         .help = "Use every media file in DIR as an episode.",
         .metavar = "DIR"},
        {.name = "max-start",
         .type = OptionType::Double,
         .default_value = "900",
         .help = "The intro starts within this many seconds.",
         .metavar = "SECONDS",
         .min = 1},
        {.name = "min-length",
         .type = OptionType::Double,
         .default_value = "1",
         .help = "Shortest intro, seconds.",
         .metavar = "SECONDS",
         .min = 0.5},
        {.name = "max-length",
         .type = OptionType::Double,
         .default_value = "120",
         .help = "Longest intro, seconds.",
         .metavar = "SECONDS",
         .min = 1},
        {.name = "cache",
         .type = OptionType::Path,
         .help =
             "Fingerprint cache directory (default $XDG_CACHE_HOME/vidseg/intro or ~/.cache/vidseg/intro).",
         .metavar = "DIR"},
        {.name = "no-cache",
         .type = OptionType::Flag,
         .help = "Neither read nor write the fingerprint cache."},
        {.name = "threads",
         .type = OptionType::Int,
         .default_value = "0",
         .help = "Episodes decoded and pairs aligned at once (0 = one per core).",
         .metavar = "N",
         .min = 0,
         .max = 256},
    };
}

std::string intro_cache_dir(const ParsedOptions& options) {
    if (options.flag("no-cache")) return {};
    if (options.given("cache")) return options.str("cache");
    return FingerprintCache::default_dir().string();
}

SeasonRun detect_season(const std::vector<std::string>& episodes, const IntroDetectOptions& config,
                        const std::string& cache_dir, Progress* progress) {
    SeasonRun run;
    if (!cache_dir.empty()) run.cache = std::make_unique<FingerprintCache>(cache_dir);
    const bool audio_only_asked = config.visual.fps == 0;
    run.audio_only = audio_only_asked;
    if (run.cache && !audio_only_asked)
        run.audio_cache = std::make_unique<FingerprintCache>(run.cache->dir() / "v1" / "audio-first");
    run.shown_cache = audio_only_asked ? run.cache.get() : run.audio_cache.get();
    IntroDetectOptions audio_config = config;
    audio_config.visual.fps = 0;
    // One memo of pair alignments for both passes: the fused pass's audio pairs are the first pass's.
    PairAlignments memo(config);
    run.season = detect_intros_by_series(episodes, audio_config, run.shown_cache, progress, false, nullptr, &memo);
    if (run.audio_only) return run;
    std::vector<const AudioFingerprint*> sound;
    for (const auto& e : run.season.episodes)
        sound.push_back(e.error.empty() && e.fingerprints.has_audio ? &e.fingerprints.audio : nullptr);
    if (audio_detection_suffices(run.season.detections, sound, config.min_length)) {
        run.audio_only = true;
        return run;
    }
    if (run.audio_cache) run.warnings = run.audio_cache->warnings();
    // The pictures are needed: the fused pass decodes only them, the sound's fingerprints are the first pass's.
    // Only picture_windows() are decoded (a picture run cut by a window counts as of unknown length,
    // VisualFingerprint::cut_by_window). The windows derive from the audio pass's detections alone, which a
    // re-run loads from the result cache as they were computed: both runs decode the same windows and key
    // their fingerprint entries by them (fingerprint_episodes), so their results are the same.
    auto audio_pass = std::move(run.season.episodes);
    if (!kApplyPictureWindows) {
        run.season = detect_intros_by_series(episodes, config, run.cache.get(), progress, false, &audio_pass, &memo);
        run.shown_cache = run.cache.get();
        return run;
    }
    const auto windows = picture_windows(run.season.detections, config.max_start + config.max_length);
    for (std::size_t i = 0; i < audio_pass.size() && i < windows.size(); ++i) audio_pass[i].picture_windows = windows[i];
    // The doubtful episodes and a few references (picture_references.hpp), from the same cached data.
    const auto members = picture_pass_episodes(run.season.detections, windows);
    run.shown_cache = run.cache.get();
    if (members.size() == episodes.size()) {
        run.season = detect_intros_by_series(episodes, config, run.cache.get(), progress, false, &audio_pass, &memo);
        return run;
    }
    std::vector<std::string> picked;
    std::vector<FingerprintedEpisode> picked_pass;
    for (std::size_t i : members) {
        picked.push_back(episodes[i]);
        picked_pass.push_back(audio_pass[i]);
    }
    auto fused = detect_intros_by_series(picked, config, run.cache.get(), progress, false, &picked_pass, &memo);
    run.season.episodes = std::move(audio_pass);
    run.season = merge_picture_pass(std::move(run.season), members, std::move(fused), windows);
    return run;
}

}  // namespace vidseg::intro

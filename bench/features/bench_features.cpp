// vidseg_bench_features: the in-process half of bench/features/run.sh. Times, inside one process,
// the library work of `vidseg features AUDIO --out F.jsonl` (audio columns with the command's
// default options: 1 s rows, librosa's defaults, chroma tuning 0, --threads 2) — probe, decode,
// analysis, pooling and writing the JSONL file (atomically, as the command does) — best of N runs.
// Process start-up (loading the ~135 shared libraries Debian's FFmpeg pulls in) is not included:
// this is the figure to set beside librosa's per-call timings, which exclude Python's start-up
// and `import librosa` in the same way.
// Prints one JSON object: best wall and CPU seconds (CPU = user + sys of the process, all threads,
// getrusage(RUSAGE_SELF) deltas), each run's figures, and the matrix shape.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/options.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/timeline_features.hpp"

namespace {

namespace fs = std::filesystem;

vidseg::CommandSpec bench_spec() {
    return {
        .name = "vidseg_bench_features",
        .summary = "Time `vidseg features AUDIO` (audio columns) in one process, best of N runs.",
        .description = "Each run: compute_timeline_features (audio only, the command's defaults) + write the JSONL.\n"
                       "Prints JSON {wall_s, cpu_s, ...}: the best run's wall and CPU (user + sys, all threads).",
        .positionals = {{.name = "AUDIO", .help = "Input audio (or video) file."}},
        .options =
            {
                {.name = "runs", .short_name = 'n', .type = vidseg::OptionType::Int, .default_value = "5",
                 .help = "Timed runs (the best is reported).", .metavar = "N", .min = 1, .max = 1000},
                {.name = "threads", .type = vidseg::OptionType::Int, .default_value = "2",
                 .help = "Worker threads (vidseg features --threads).", .metavar = "N", .min = 1, .max = 64},
                {.name = "out", .short_name = 'o', .type = vidseg::OptionType::Path,
                 .help = "Feature file written by every run (default: a temporary .jsonl, removed at the end).",
                 .metavar = "FILE"},
            },
        .examples = "  vidseg_bench_features bench/work/features/audio_10min.wav --runs 5",
    };
}

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // includes the worker threads, joined by the end of a run
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int run(const vidseg::ParsedOptions& options) {
    const std::string input = options.positionals().front();
    const auto runs = static_cast<int>(options.integer("runs"));
    const bool temporary = !options.given("out");
    const fs::path out = temporary ? fs::temp_directory_path() /
                                         ("vidseg_bench_features_" + std::to_string(getpid()) + ".jsonl")
                                   : fs::path(options.str("out"));
    // `vidseg features` defaults (src/cli/cmd_features.cpp): 1 s rows, window = step, SpectralConfig's
    // librosa defaults, --threads 2. Audio only: the input is audio (a video would add visual columns).
    vidseg::features::TimelineOptions timeline;
    timeline.visual = false;
    timeline.threads = static_cast<int>(options.integer("threads"));
    timeline.spectral.threads = timeline.threads;
    std::vector<double> walls, cpus;
    std::size_t rows = 0, cols = 0;
    for (int i = 0; i < runs; ++i) {
        const double cpu0 = cpu_seconds();
        const auto wall0 = std::chrono::steady_clock::now();
        const auto result = vidseg::features::compute_timeline_features(input, timeline);
        vidseg::features::write_features(result.matrix, out, vidseg::features::FeatureFormat::Jsonl);
        walls.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count());
        cpus.push_back(cpu_seconds() - cpu0);
        rows = result.matrix.rows();
        cols = result.matrix.cols();
    }
    if (temporary) {
        std::error_code ec;
        fs::remove(out, ec);
    }
    for (auto* v : {&walls, &cpus})
        for (double& x : *v) x = std::round(x * 1e6) / 1e6;  // microseconds: getrusage's resolution
    const nlohmann::json report = {{"wall_s", *std::min_element(walls.begin(), walls.end())},
                                   {"cpu_s", *std::min_element(cpus.begin(), cpus.end())},
                                   {"runs", runs},
                                   {"threads", timeline.threads},
                                   {"wall_runs_s", walls},
                                   {"cpu_runs_s", cpus},
                                   {"rows", rows},
                                   {"columns", cols},
                                   {"input", input}};
    std::cout << report.dump() << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    mallopt(M_ARENA_MAX, 2);  // as the vidseg binary does (src/cli/main.cpp)
    const auto spec = bench_spec();
    try {
        const auto options = vidseg::parse_command_line(spec, {argv + 1, argv + argc});
        if (options.flag("help")) {
            std::string help = vidseg::format_help(spec, "");  // "Usage:  NAME": no program before the name
            std::cout << help.replace(help.find("  "), 2, " ");
            return 0;
        }
        return run(options);
    } catch (const vidseg::Error& e) {
        std::fprintf(stderr, "vidseg_bench_features: error: %s\n", e.what());
        return vidseg::exit_code_for(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vidseg_bench_features: internal error: %s\n", e.what());
        return 70;
    }
}

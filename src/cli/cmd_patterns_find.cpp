#include <cstdio>
#include <filesystem>
#include <string>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/models/feature_files.hpp"
#include "vidseg/models/pattern_report.hpp"
#include "vidseg/models/trained_model.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

int run_patterns_find(const ParsedOptions& options, Context& context) {
    if (!options.given("model")) throw Error(ErrorCode::InvalidArgument, "--model MODEL is required");
    const auto model = models::TrainedModel::load(options.str("model"));
    if (model.info().task != models::Task::Patterns)
        throw Error(ErrorCode::InvalidArgument, "this is an intro model; use 'vidseg predict' for intros",
                    options.str("model"));
    auto inputs = models::features_for_inputs(options.positionals(), model.info().spec, context.progress.get());
    if (inputs.size() != 1)
        throw Error(ErrorCode::InvalidArgument, "one lesson per report (the folder held " + std::to_string(inputs.size()) +
                                                    " feature files)");
    auto prediction = model.predict(inputs.front());
    prediction.detections = models::decode_detections(prediction, model.info().spec.step, model.info().task,
                                                      options.number("merge-gap"), options.number("min-length"));
    const auto doc = models::pattern_report_json(prediction, model.info());
    if (options.given("report")) {
        const fs::path html = options.str("report");
        write_file_atomic(html, models::pattern_report_html(prediction, model.info()));
        fs::path json = html;
        json.replace_extension(".json");
        write_file_atomic(json, doc.dump(2) + "\n");
        context.info("report written to " + html.string() + " (figures in " + json.string() + ")");
    }
    if (context.json) {
        context.print_json(doc);
        return 0;
    }
    std::printf("%s (%.1f min)\n", prediction.source.c_str(), doc["duration"].get<double>() / 60);
    for (const auto& t : doc["totals"])
        std::printf("  %-40s %7.1f s  %5.1f%%  %zu intervals\n", t["label"].get<std::string>().c_str(),
                    t["seconds"].get<double>(), 100 * t["share"].get<double>(), t["intervals"].get<std::size_t>());
    return 0;
}

}  // namespace

Command patterns_find_command() {
    CommandSpec spec{
        .name = "patterns find",
        .summary = "Find pedagogical patterns in a lesson with a trained model; HTML report with a timeline.",
        .description =
            "Runs a patterns model (vidseg train --task patterns) on one lesson (a video, whose features are\n"
            "computed on the model's grid, or its feature file) and prints the time each pattern takes.\n"
            "--report writes a self-contained HTML page (SVG timeline of every pattern's probability with the\n"
            "detected intervals, totals per pattern, top segments) and the same figures as JSON beside it.",
        .positionals = {{.name = "LESSON", .help = "Lesson video or its feature file.", .min_count = 1, .max_count = 1}},
        .options =
            {
                {.name = "model", .short_name = 'm', .type = OptionType::Path, .help = "Model file (vidseg train).",
                 .metavar = "MODEL"},
                {.name = "report", .type = OptionType::Path, .help = "HTML report to write (JSON beside it).",
                 .metavar = "FILE.html"},
                {.name = "merge-gap", .type = OptionType::Double, .default_value = "2",
                 .help = "Join intervals of one pattern separated by at most this many seconds.", .metavar = "SECONDS",
                 .min = 0},
                {.name = "min-length", .type = OptionType::Double, .default_value = "3",
                 .help = "Drop intervals shorter than this.", .metavar = "SECONDS", .min = 0},
            },
        .examples = "  vidseg patterns find --model patterns.model lesson7.mp4 --report lesson7.html",
    };
    return {spec, run_patterns_find};
}

}  // namespace vidseg::cli

#include <cstdio>
#include <set>

#include "command.hpp"
#include "dataset_messages.hpp"
#include "vidseg/dataset/dataset_builder.hpp"

namespace vidseg::cli {

namespace {

int run_dataset_build(const ParsedOptions& options, Context& context) {
    dataset::DatasetConfig config;
    config.videos = options.all("video");
    config.annotations = options.str("annotations");
    config.patterns_path = options.str("patterns");
    config.out_dir = options.str("out");
    config.keep_going = options.flag("keep-going");
    config.test_fraction = options.number("test-fraction");
    config.license = options.str("license");
    config.pretty_name = options.str("name");
    config.keyframe_quality = static_cast<int>(options.integer("quality"));
    config.crf = static_cast<int>(options.integer("crf"));
    config.progress = context.progress.get();

    const auto report = dataset::build_dataset(config);
    const auto& plan = report.plan;
    const int code = plan.errors.empty() && report.written ? 0 : 1;
    if (context.json) {
        context.print_json(dataset::to_json(report));
        return code;
    }
    // Item errors and unmatched labels go to stderr, always by name.
    print_item_errors(plan.errors);
    for (const auto& w : plan.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    print_unmatched_labels(plan.matches);
    if (context.quiet) return code;
    size_t test = 0;
    for (const auto& i : plan.items) test += i.split == "test";
    if (report.written) {
        std::printf("Built dataset %s: %zu fragment(s) (%zu with a crop) in %.1f s\n", report.out_dir.c_str(),
                    plan.items.size(), report.crops, report.seconds);
        if (!plan.test_lessons.empty()) std::printf("  split by lesson: train %zu, test %zu\n", plan.items.size() - test, test);
        std::printf("  transcripts: skipped (not part of this build; transcripts/ is empty)\n");
    } else if (plan.items.empty()) {
        std::printf("Nothing written: no valid labeled interval for the given videos\n");
    } else {
        std::printf("Nothing written: %zu item(s) failed (use --keep-going to write the %zu good ones)\n",
                    plan.errors.size(), plan.items.size());
    }
    if (plan.matches.unmatched.empty()) {
        std::printf("  every label matched a pattern\n");
    } else {
        std::string names;
        for (const auto& m : plan.matches.unmatched) names += (names.empty() ? "'" : ", '") + m.label + "'";
        std::printf("  unmatched labels (kept in 'labels', no pattern): %s\n", names.c_str());
    }
    if (!plan.errors.empty())
        std::printf("Summary: %zu item(s) failed, %zu fragment(s) %s\n", plan.errors.size(), plan.items.size(),
                    report.written ? "written" : "not written");
    return code;
}

}  // namespace

Command dataset_build_command() {
    CommandSpec spec{
        .name = "dataset build",
        .summary = "Build a Hugging Face folder dataset from lesson videos and a Label Studio export.",
        .description =
            "For every labeled interval (audio 'labels' / video 'timelinelabels') of every annotation of the tasks\n"
            "whose video matches one of the --video files, writes into OUT:\n"
            "  videos/<lesson>_<task>_<ann>_<i>.mp4   the interval, cut frame-exactly\n"
            "  images/<...>.jpg, images/<...>_crop.jpg the middle frame, and its crop to the tracked box\n"
            "  audio/<...>.wav                        the interval's audio, 16 kHz mono\n"
            "  metadata.jsonl, metadata_table.csv     one row per fragment (JSONL for `datasets`, CSV for people)\n"
            "  README.md                              the dataset card (YAML header for the Hub)\n"
            "Transcripts are not produced yet (transcripts/ stays empty).\n"
            "Tasks are matched to videos BY FILE NAME: the last path part of the task's video (or audio) URL,\n"
            "without ?query, must equal a --video file name or end with '-<name>' (Label Studio upload prefix).\n"
            "Labels are matched to the pattern list tolerantly; labels that match nothing are reported by name\n"
            "and kept in the 'labels' column.\n"
            "With --test-fraction F > 0, whole lessons go to test/ (a lesson is never in both splits).\n"
            "Bad items (interval past the end of the video, end <= start, task video not given) are reported by\n"
            "name; then nothing is written and the exit code is 1. With --keep-going the good items are written,\n"
            "and the exit code is still 1 when any item failed. Missing inputs exit 3, a malformed export 7.\n"
            "OUT appears only when everything succeeded; an earlier OUT is replaced atomically.",
        .options =
            {
                {.name = "video", .short_name = 'v', .type = OptionType::Path,
                 .help = "Lesson video (repeat for several).", .metavar = "FILE", .repeatable = true},
                {.name = "annotations", .short_name = 'a', .type = OptionType::Path,
                 .help = "Label Studio export (JSON, JSON_MIN or CSV).", .metavar = "FILE"},
                {.name = "patterns", .type = OptionType::Path,
                 .help = "Pattern list (.xlsx with columns 'pattern type', 'comments'; .csv; .txt). Default: the "
                         "eight PPI patterns.",
                 .metavar = "FILE"},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Output directory.",
                 .metavar = "DIR"},
                {.name = "keep-going", .type = OptionType::Flag,
                 .help = "Write the good items even when some fail (exit code stays 1)."},
                {.name = "test-fraction", .type = OptionType::Double, .default_value = "0",
                 .help = "Share of lessons put in the test split (0 = no split).", .metavar = "F", .min = 0,
                 .max = 0.99},
                {.name = "license", .type = OptionType::String, .default_value = "cc-by-4.0",
                 .help = "License id written into the dataset card.", .metavar = "ID"},
                {.name = "name", .type = OptionType::String, .help = "Pretty name of the dataset card.",
                 .metavar = "TEXT"},
                {.name = "quality", .type = OptionType::Int, .default_value = "90", .help = "Keyframe JPEG quality.",
                 .min = 1, .max = 100},
                {.name = "crf", .type = OptionType::Int, .default_value = "18",
                 .help = "Quality of re-encoded clip parts (lower = better).", .min = 0, .max = 51},
            },
        .examples = "  vidseg dataset build --video lesson.mp4 --annotations export.json --out huggingface_dataset\n"
                    "  vidseg dataset build --video a.mp4 --video b.mp4 --annotations export.json "
                    "--patterns patterns.xlsx --out ds --test-fraction 0.2 --keep-going",
    };
    return {spec, run_dataset_build};
}

}  // namespace vidseg::cli

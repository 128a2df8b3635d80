#include <cstdio>

#include "command.hpp"
#include "dataset_messages.hpp"
#include "vidseg/dataset/image_dataset.hpp"

namespace vidseg::cli {

namespace {

int run_dataset_foto(const ParsedOptions& options, Context& context) {
    dataset::ImageDatasetConfig config;
    config.labeled_csv = options.str("labeled");
    config.images_dir = options.str("images");
    config.out_dir = options.str("out");
    config.patterns_path = options.str("patterns");
    config.keep_going = options.flag("keep-going");

    const auto report = dataset::build_image_dataset(config);
    const int code = report.errors.empty() && report.written ? 0 : 1;
    if (context.json) {
        context.print_json(dataset::to_json(report));
        return code;
    }
    print_item_errors(report.errors);
    print_unmatched_labels(report.matches, context.messages);
    if (context.quiet) return code;
    if (report.written) {
        std::printf("Built image dataset %s: %zu keyframe(s) from %zu row(s)\n", report.out_dir.c_str(),
                    report.items.size(), report.rows);
    } else if (report.items.empty()) {
        std::printf("Nothing written: no row with an existing keyframe\n");
    } else {
        std::printf("Nothing written: %zu row(s) failed (use --keep-going to write the %zu good keyframe(s))\n",
                    report.errors.size(), report.items.size());
    }
    if (!report.errors.empty())
        std::printf("Summary: %zu row(s) failed, %zu keyframe(s) %s\n", report.errors.size(), report.items.size(),
                    report.written ? "written" : "not written");
    return code;
}

}  // namespace

Command dataset_foto_command() {
    CommandSpec spec{
        .name = "dataset foto",
        .summary = "Build the image-only dataset (keyframes + patterns) from labeled.csv.",
        .description =
            "Reads labeled.csv (columns segment,start,end,keyframe and either one 0/1 column per pattern or a\n"
            "'patterns' list column) and writes into OUT:\n"
            "  images/<keyframe file name>   each keyframe copied once, even when several rows reference it\n"
            "  metadata.jsonl                one row per keyframe:\n"
            "    {\"file_name\": \"images/segment_0_keyframe.jpg\", \"patterns\": [...], \"labels\": [...]}\n"
            "file_name is relative to metadata.jsonl (what the Hugging Face 'imagefolder' loader expects).\n"
            "Rows sharing a keyframe are merged. Labels are matched to the pattern list tolerantly; labels that\n"
            "match nothing are reported by name and kept in the 'labels' column.\n"
            "A keyframe is looked up as IMAGES/<keyframe>, then IMAGES/<its file name>. Rows whose keyframe is\n"
            "missing are reported by name; then nothing is written and the exit code is 1. With --keep-going\n"
            "the good rows are written and the exit code is still 1. Missing inputs exit 3, a malformed CSV 7.\n"
            "OUT appears only when everything succeeded; an earlier OUT is replaced atomically.",
        .options =
            {
                {.name = "labeled", .short_name = 'l', .type = OptionType::Path,
                 .help = "labeled.csv: the labeled 5-second segments.", .metavar = "FILE"},
                {.name = "images", .short_name = 'i', .type = OptionType::Path,
                 .help = "Directory the keyframe paths are relative to.", .metavar = "DIR"},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Output directory.",
                 .metavar = "DIR"},
                {.name = "patterns", .type = OptionType::Path,
                 .help = "Pattern list (.xlsx with columns 'pattern type', 'comments'; .csv; .txt). Default: the "
                         "eight PPI patterns.",
                 .metavar = "FILE"},
                {.name = "keep-going", .type = OptionType::Flag,
                 .help = "Write the good rows even when some fail (exit code stays 1)."},
            },
        .examples = "  vidseg dataset foto --labeled labeled.csv --images segments --out dataset_foto\n"
                    "  vidseg dataset foto --labeled labeled.csv --images segments --out dataset_foto "
                    "--patterns patterns.xlsx --keep-going",
    };
    return {spec, run_dataset_foto};
}

}  // namespace vidseg::cli

#include "vidseg/dataset/dataset_build_options.hpp"

#include "vidseg/asr/whisper_options.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::dataset {

CommandSpec dataset_build_command_spec() {
    CommandSpec spec{
        .name = "dataset build",
        .summary = "Build a Hugging Face folder dataset from lesson videos and a Label Studio export.",
        .description =
            "For every labeled interval (audio 'labels' / video 'timelinelabels') of every annotation of the tasks\n"
            "whose video matches one of the --video files, writes into OUT:\n"
            "  videos/<lesson>_<task>_<ann>_<i>.mp4   the interval, cut frame-exactly\n"
            "  images/<...>.jpg, images/<...>_crop.jpg the middle (or --keyframe best) frame, and its crop to the tracked box\n"
            "  audio/<...>.wav                        the interval's audio, 16 kHz mono\n"
            "  metadata.jsonl, metadata_table.csv     one row per fragment (JSONL for `datasets`, CSV for people)\n"
            "  metadata_audio.jsonl, metadata_images.jsonl  the same rows with file_name = the WAV / the keyframe,\n"
            "                                         for load_dataset(\"audiofolder\"|\"imagefolder\", data_dir=OUT,\n"
            "                                         metadata_filenames=[that file]) (README: Loading ... with datasets)\n"
            "  README.md                              the dataset card (YAML header for the Hub)\n"
            "  transcripts/<...>.txt, .json           with --whisper-backend: the speech as text (+ language, segments);\n"
            "                                         metadata gets the columns 'transcript' and 'language'\n"
            "Without --whisper-backend (default none) transcripts are skipped and transcripts/ stays empty.\n"
            "Tasks are matched to videos BY FILE NAME: the last path part of the task's video (or audio) URL,\n"
            "without ?query, must equal a --video file name or end with '-<name>' (Label Studio upload prefix).\n"
            "Labels are matched to the pattern list tolerantly; labels that match nothing are reported by name\n"
            "and kept in the 'labels' column.\n"
            "Video results are frame numbers: read at the task's data.fps, else --fps, else the --label-config's\n"
            "<Video frameRate> (24 when absent, Label Studio's default), else the rate probed from the task's video\n"
            "(the report names those tasks). JSON_MIN / CSV single answers (\"initiator\": \"Teacher\") and export\n"
            "fields that are not used are reported by name, never dropped silently.\n"
            "With --test-fraction F > 0, whole lessons go to test/ (a lesson is never in both splits); the lesson\n"
            "of a fragment is its task's data.lesson (clips of one lesson stay together), else the video's stem.\n"
            "Bad items (interval past the end of the video, end <= start, task video not given) are reported by\n"
            "name; then nothing is written and the exit code is 1. With --keep-going the good items are written,\n"
            "and the exit code is still 1 when any item failed. Missing inputs exit 3, a malformed export 7.\n"
            "OUT appears only when everything succeeded; an earlier OUT is replaced atomically.\n"
            "\n"
            "Review: before OUT is written, the fragments are listed (n, lesson, start-end, patterns, annotator,\n"
            "keyframe) and you may exclude some: 'view N', 'x 3,5-9 [reason]', 'keep N', 'list', 'done', 'quit'.\n"
            "The review is interactive only when stdin is a terminal and neither --yes, --skip-deletion nor --json\n"
            "is given (--review forces it, e.g. with piped commands). Decisions of earlier builds (OUT/review.jsonl)\n"
            "are applied again; --exclude adds some without a prompt. Every decision (item, kept/excluded, reason,\n"
            "when, who=$USER) is appended to OUT/review.jsonl. Source videos are never deleted. A quit review\n"
            "writes nothing and exits 1.\n"
            "\n"
            "Incremental: files whose inputs did not change (source video fingerprint, interval, keyframe time,\n"
            "parameters; OUT/build_manifest.json) are reused, not made again; so is each fragment's --keyframe best\n"
            "choice (time + score: no candidate is decoded again). Work happens in .OUT.vidseg-partial\n"
            "next to OUT; after Ctrl-C (exit 130) or a crash the previous OUT is intact and the next run continues\n"
            "from what was finished.",
        .options =
            {
                {.name = "video", .short_name = 'v', .type = OptionType::Path,
                 .help = "Lesson video(s) or clips: several files after one --video (a shell glob such as "
                         "prep/part_films/segment_*.mp4), a folder of them, or --video repeated.",
                 .metavar = "FILE|DIR...", .repeatable = true, .takes_many = true},
                {.name = "annotations", .short_name = 'a', .type = OptionType::Path,
                 .help = "Label Studio export (JSON, JSON_MIN or CSV).", .metavar = "FILE"},
                {.name = "fps", .type = OptionType::Double,
                 .help = "Frame rate of video results (timelinelabels frames, track keyframes) of tasks without "
                         "'fps' in their data. Default: the --label-config's <Video frameRate>, else the rate "
                         "probed from each task's video (the build report names those tasks).",
                 .min = 1, .max = 1000},
                {.name = "label-config", .type = OptionType::Path,
                 .help = "The project's label config XML: its numeric <Video frameRate>, and its control names "
                         "(a JSON_MIN / CSV single choice such as \"initiator\": \"Teacher\" is then read as an "
                         "answer, never as task data).",
                 .metavar = "FILE"},
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
                {.name = "keyframe", .type = OptionType::Choice, .default_value = "middle",
                 .help = "Keyframe of each fragment: 'middle' frame, or 'best' of --keyframe-candidates frames by "
                         "sharpness, exposure and a visible face/person (score columns in the metadata), or "
                         "'model:FILE': the same candidates ranked by a model learned from review decisions "
                         "(vidseg keyframes learn). best and model:FILE store every candidate's scores in "
                         "OUT/keyframe_candidates.jsonl.",
                 .metavar = "MODE", .choices = {"middle", "best", "model:"}},
                {.name = "keyframe-candidates", .type = OptionType::Int, .default_value = "12",
                 .help = "Frames scored per fragment with --keyframe best (evenly spread over the interval).",
                 .metavar = "N", .min = 1, .max = 64},
                {.name = "exclude", .type = OptionType::String,
                 .help = "Exclude fragments without a prompt: numbers/ranges as in the review listing ('3,5-9'), "
                         "fragment names, or a FILE with one such selection per line, optionally followed by a "
                         "reason.",
                 .metavar = "LIST|FILE"},
                {.name = "yes", .short_name = 'y', .type = OptionType::Flag,
                 .help = "No review prompt: build with earlier decisions and --exclude applied."},
                {.name = "skip-deletion", .type = OptionType::Flag,
                 .help = "Skip the review prompt and keep the files of excluded fragments under OUT/excluded/ "
                         "instead of dropping them (nothing is deleted)."},
                {.name = "review", .type = OptionType::Flag,
                 .help = "Review even when stdin is not a terminal (commands read from stdin)."},
                {.name = "rebuild", .type = OptionType::Flag,
                 .help = "Make every file again instead of reusing unchanged ones."},
                {.name = "crf", .type = OptionType::Int, .default_value = "18",
                 .help = "Quality of re-encoded clip parts (lower = better).", .min = 0, .max = 51},
            },
        .examples = "  vidseg dataset build --video lesson.mp4 --annotations export.json --out huggingface_dataset\n"
                    "  vidseg dataset build --video prep/part_films/segment_*.mp4 --annotations export.json --out ds\n"
                    "  vidseg dataset build --video lesson.mp4 --annotations export_min.json --label-config config.xml "
                    "--out ds\n"
                    "  vidseg dataset build --video a.mp4 --video b.mp4 --annotations export.json "
                    "--patterns patterns.xlsx --out ds --test-fraction 0.2 --keep-going\n"
                    "  vidseg dataset build --video lesson.mp4 --annotations export.json --out ds --exclude 3,5-9 --yes\n"
                    "  printf 'x 2 teacher not in frame\\ndone\\n' | vidseg dataset build ... --out ds --review",
    };
    const auto whisper = asr::whisper_option_specs();  // the --whisper-* rows shared with `patterns find`
    spec.options.insert(spec.options.end(), whisper.begin(), whisper.end());
    return spec;
}

DatasetConfig dataset_build_config(const ParsedOptions& options) {
    DatasetConfig config;
    config.videos = options.all("video");
    config.annotations = options.str("annotations");
    if (options.given("fps")) config.fps = options.number("fps");
    config.label_config = options.str("label-config");
    config.patterns_path = options.str("patterns");
    config.out_dir = options.str("out");
    config.keep_going = options.flag("keep-going");
    config.test_fraction = options.number("test-fraction");
    config.license = options.str("license");
    config.pretty_name = options.str("name");
    config.keyframe_quality = static_cast<int>(options.integer("quality"));
    config.crf = static_cast<int>(options.integer("crf"));
    config.keyframe = parse_keyframe_mode(options.str("keyframe"));
    config.keyframe_model = keyframe_model_path(options.str("keyframe"));
    config.keyframe_candidates = static_cast<int>(options.integer("keyframe-candidates"));
    config.transcriber = asr::whisper_config(options);
    config.exclude = options.str("exclude");
    config.skip_deletion = options.flag("skip-deletion");
    config.rebuild = options.flag("rebuild");
    return config;
}

void require_written(const DatasetReport& report) {
    if (report.written) return;
    if (report.plan.errors.empty())
        throw Error(ErrorCode::InvalidData, "no valid labeled interval for the given videos");
    throw Error(ErrorCode::InvalidData, std::to_string(report.plan.errors.size()) +
                                            " item(s) failed, first: " + report.plan.errors.front().item + ": " +
                                            report.plan.errors.front().message + " (keep-going writes the good ones)");
}

}  // namespace vidseg::dataset

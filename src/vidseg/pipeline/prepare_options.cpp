#include "vidseg/pipeline/prepare_options.hpp"

namespace vidseg::pipeline {

CommandSpec prepare_command_spec() {
    return CommandSpec{
        .name = "prepare",
        .summary =
            "Slice a lesson video into fixed segments with keyframes, features, audio and Label Studio "
            "tasks.",
        .description =
            "Cuts VIDEO into consecutive segments of --segment seconds (the last one shorter) and writes, "
            "into OUT:\n"
            "  part_films/segment_<i>.<ext>            the clips\n"
            "  processed_data/segment_<i>_keyframe.jpg the frame at the middle of each segment\n"
            "  processed_data/features.{jsonl,csv}     per segment: RMS loudness (dBFS), silence ratio, "
            "scene cuts,\n"
            "                                          mean brightness, keyframe sharpness\n"
            "  <video>.wav                             the full audio track (16 kHz mono by default)\n"
            "  audio/segment_<i>.wav                   each segment's audio: tasks are in segment time\n"
            "  tasks.json, label_config.xml            Label Studio import files (one task per segment)\n"
            "  manifest.json                           input, parameters, actual clip boundaries\n"
            "Modes: 'exact' gives frame-accurate clips (re-encodes only the partial GOPs at each cut and\n"
            "stream-copies the rest where the codec allows); 'copy' never re-encodes, so clips start on\n"
            "keyframes; manifest.json records where each clip really starts and ends.\n"
            "OUT appears only when everything succeeded; an earlier OUT is replaced atomically.",
        .positionals = {{.name = "VIDEO", .help = "Lesson video (MP4, MOV, MKV, AVI, WebM, ...)."}},
        .options =
            {
                {.name = "segment",
                 .short_name = 's',
                 .type = OptionType::Double,
                 .default_value = "5",
                 .help = "Segment length in seconds.",
                 .metavar = "SECONDS",
                 .min = 0.1,
                 .max = 86400},
                {.name = "mode",
                 .short_name = 'm',
                 .type = OptionType::Choice,
                 .default_value = "exact",
                 .help = "Cutting mode: exact (frame-accurate) or copy (keyframe-aligned, no re-encoding).",
                 .choices = {"exact", "copy"}},
                {.name = "out",
                 .short_name = 'o',
                 .type = OptionType::Path,
                 .help = "Output directory (default: <video name>_prepared beside the video).",
                 .metavar = "DIR"},
                {.name = "patterns",
                 .type = OptionType::Path,
                 .help = "Pattern list for the labeling config: .xlsx (columns 'pattern type', 'comments'), "
                         ".csv, "
                         "or .txt (one per line). Default: the eight PPI patterns.",
                 .metavar = "FILE"},
                {.name = "base-url",
                 .type = OptionType::String,
                 .help = "URL under which OUT will be served, used in tasks.json (e.g. "
                         "http://localhost:8081/lesson1/). Default: Label Studio local-files URLs.",
                 .metavar = "URL"},
                {.name = "quality",
                 .type = OptionType::Int,
                 .default_value = "90",
                 .help = "Keyframe JPEG quality.",
                 .min = 1,
                 .max = 100},
                {.name = "keyframe-width",
                 .type = OptionType::Int,
                 .default_value = "0",
                 .help = "Scale keyframes to this width (0 = native size).",
                 .metavar = "PIXELS",
                 .min = 0,
                 .max = 16384},
                {.name = "nearest-keyframe",
                 .type = OptionType::Flag,
                 .help = "Keyframes: the I-frame nearest to each segment's middle, decoded alone (approximate "
                         "and fast; manifest.json records the time it shows) instead of the exact middle frame."},
                {.name = "audio-rate",
                 .type = OptionType::Int,
                 .default_value = "16000",
                 .help = "Sample rate of the WAV track.",
                 .metavar = "HZ",
                 .min = 1000,
                 .max = 384000},
                {.name = "audio-channels",
                 .type = OptionType::Int,
                 .default_value = "1",
                 .help = "Channels of the WAV track.",
                 .min = 1,
                 .max = 8},
                {.name = "silence-db",
                 .type = OptionType::Double,
                 .default_value = "-40",
                 .help = "Loudness below which a 50 ms window counts as silence.",
                 .metavar = "DBFS",
                 .min = -120,
                 .max = 0},
                {.name = "no-features",
                 .type = OptionType::Flag,
                 .help = "Skip the video feature pass (brightness, scene cuts); faster."},
                {.name = "crf",
                 .type = OptionType::Int,
                 .default_value = "18",
                 .help = "Quality of re-encoded parts in exact mode (lower = better).",
                 .min = 0,
                 .max = 51},
                {.name = "preset",
                 .type = OptionType::Choice,
                 .default_value = media::kDefaultPreset,
                 .help = "x264 speed preset for re-encoded parts.",
                 .metavar = "PRESET",
                 .choices = {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"}},
            },
        .examples =
            "  vidseg prepare lesson.mp4\n"
            "  vidseg prepare lesson.mp4 --segment 5 --mode copy --out lesson_segments\n"
            "  vidseg prepare lesson.mp4 --patterns patterns.xlsx --base-url http://minio:9000/ppi/lesson1/",
    };
}

PrepareConfig prepare_config(const ParsedOptions& options) {
    PrepareConfig config;
    config.video = options.positionals().front();
    config.out_dir = options.str("out");
    config.segment_seconds = options.number("segment");
    config.mode = options.str("mode") == "copy" ? media::CutMode::Copy : media::CutMode::Exact;
    config.patterns_path = options.str("patterns");
    config.base_url = options.str("base-url");
    config.keyframe_quality = static_cast<int>(options.integer("quality"));
    config.keyframe_width = static_cast<int>(options.integer("keyframe-width"));
    config.nearest_keyframe = options.flag("nearest-keyframe");
    config.audio_sample_rate = static_cast<int>(options.integer("audio-rate"));
    config.audio_channels = static_cast<int>(options.integer("audio-channels"));
    config.features = !options.flag("no-features");
    config.silence_threshold_db = options.number("silence-db");
    config.crf = static_cast<int>(options.integer("crf"));
    config.preset = options.str("preset");
    return config;
}

}  // namespace vidseg::pipeline

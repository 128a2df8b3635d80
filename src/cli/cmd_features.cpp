#include <chrono>
#include <cstdio>
#include <sstream>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/timeline_features.hpp"

namespace vidseg::cli {

namespace {

std::array<float, 3> parse_triplet(const std::string& text, const std::string& option) {
    std::array<float, 3> v{};
    std::istringstream in(text);
    std::string part;
    int i = 0;
    while (std::getline(in, part, ',')) {
        if (i >= 3) break;
        try {
            std::size_t used = 0;
            v[static_cast<std::size_t>(i)] = std::stof(part, &used);
            if (used != part.size()) throw std::invalid_argument(part);
        } catch (const std::exception&) {
            throw Error(ErrorCode::InvalidArgument, "--" + option + " expects three numbers R,G,B, got '" + text + "'");
        }
        ++i;
    }
    if (i != 3 || in.rdbuf()->in_avail() > 0)
        throw Error(ErrorCode::InvalidArgument, "--" + option + " expects three numbers R,G,B, got '" + text + "'");
    return v;
}

int run_features(const ParsedOptions& options, Context& context) {
    const std::string video = options.positionals().front();
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out FILE (.csv or .jsonl)");
    const std::string out = options.str("out");
    const auto format = options.given("format") ? features::parse_feature_format(options.str("format"))
                                                : features::format_for_path(out);
    audio::SpectralConfig spectral;
    spectral.sample_rate = static_cast<double>(options.integer("sample-rate"));
    spectral.n_mfcc = static_cast<std::size_t>(options.integer("n-mfcc"));
    spectral.threads = static_cast<int>(options.integer("threads"));
    const auto started = std::chrono::steady_clock::now();
    features::FeatureMatrix matrix;
    std::vector<std::string> notes;
    if (options.flag("audio-frames")) {
        matrix = features::compute_audio_frames(video, spectral, context.progress.get());
    } else {
        features::TimelineOptions t;
        t.step = options.number("step");
        t.window = options.given("window") ? options.number("window") : t.step;
        features::validate_grid(t.step, t.window);
        t.audio = !options.flag("no-audio");
        t.visual = !options.flag("no-visual");
        t.spectral = spectral;
        t.threads = spectral.threads;
        t.transcript = options.given("transcript") ? options.str("transcript") : "";
        t.visual_options.fps = options.number("visual-fps");
        t.visual_options.detect_people = !options.flag("no-people");
        if (options.given("embed-model")) {
            t.visual_options.embed_model = options.str("embed-model");
            t.visual_options.embed_width = static_cast<int>(options.integer("embed-width"));
            t.visual_options.embed_height = static_cast<int>(options.integer("embed-height"));
            t.visual_options.embed_mean = parse_triplet(options.str("embed-mean"), "embed-mean");
            t.visual_options.embed_std = parse_triplet(options.str("embed-std"), "embed-std");
        }
        auto result = features::compute_timeline_features(video, t, context.progress.get());
        matrix = std::move(result.matrix);
        notes = std::move(result.notes);
    }
    features::write_features(matrix, out, format);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    for (const auto& n : notes) context.info("note: " + n);
    if (context.json) {
        context.print_json({{"video", video},
                            {"out", out},
                            {"rows", matrix.rows()},
                            {"columns", matrix.spec.columns},
                            {"step", matrix.spec.step},
                            {"window", matrix.spec.window},
                            {"notes", notes},
                            {"elapsed_seconds", elapsed}});
    } else if (!context.quiet) {
        std::printf("wrote %s: %zu rows x %zu columns (step %.3g s, window %.3g s) in %.2f s\n", out.c_str(),
                    matrix.rows(), matrix.cols(), matrix.spec.step, matrix.spec.window, elapsed);
    }
    return 0;
}

}  // namespace

Command features_command() {
    CommandSpec spec{
        .name = "features",
        .summary = "Compute timeline features (audio, visual, transcript) for the learned detectors.",
        .description =
            "Writes one row per --step seconds, each pooling the --window seconds from its start: audio\n"
            "(MFCC mean/std, spectral contrast, RMS, centroid, bandwidth, flatness, zero-crossing rate, chroma,\n"
            "onset strength, tempo, voice-activity share; frame values agree with librosa 0.11 defaults),\n"
            "visual (brightness, saturation, hue histogram, motion, shot cuts, perceptual hash, faces, people,\n"
            "optional ONNX image embeddings) and text (tokens, words/s, transcript coverage with --transcript).\n"
            "A file without audio (or video) gets the other groups and a note. CSV has the header\n"
            "time,<columns>; JSONL starts with a spec line (step, window, columns). See\n"
            "src/vidseg/features/*.hpp for the exact definitions.",
        .positionals = {{.name = "VIDEO", .help = "Input video or audio file."}},
        .options =
            {
                {.name = "out", .short_name = 'o', .type = OptionType::Path,
                 .help = "Output file (.csv or .jsonl; required).", .metavar = "FILE"},
                {.name = "format", .type = OptionType::Choice, .help = "Output format (default: from the extension).",
                 .metavar = "FORMAT", .choices = {"csv", "jsonl"}},
                {.name = "step", .type = OptionType::Double, .default_value = "1", .help = "Seconds between rows (> 0).",
                 .metavar = "SECONDS"},
                {.name = "window", .type = OptionType::Double,
                 .help = "Seconds each row pools (>= step; default: the step).", .metavar = "SECONDS"},
                {.name = "audio-frames", .type = OptionType::Flag,
                 .help = "Write the frame-level audio features instead (one row per 512-sample hop)."},
                {.name = "no-audio", .type = OptionType::Flag, .help = "Skip the audio features."},
                {.name = "no-visual", .type = OptionType::Flag, .help = "Skip the visual features."},
                {.name = "no-people", .type = OptionType::Flag, .help = "Skip face / people detection."},
                {.name = "transcript", .type = OptionType::Path,
                 .help = "Transcript JSON {segments:[{start,end,text}]} for the text columns.", .metavar = "FILE"},
                {.name = "visual-fps", .type = OptionType::Double, .default_value = "4",
                 .help = "Analysed video frames per second (at most).", .metavar = "FPS", .min = 0.01, .max = 120},
                {.name = "embed-model", .type = OptionType::Path,
                 .help = "ONNX image model (OpenCV DNN) whose output becomes embed_* columns.", .metavar = "MODEL.onnx"},
                {.name = "embed-width", .type = OptionType::Int, .default_value = "224", .help = "Model input width.",
                 .metavar = "PX", .min = 1, .max = 4096},
                {.name = "embed-height", .type = OptionType::Int, .default_value = "224", .help = "Model input height.",
                 .metavar = "PX", .min = 1, .max = 4096},
                {.name = "embed-mean", .type = OptionType::String, .default_value = "0.485,0.456,0.406",
                 .help = "Per-channel RGB mean on 0..1 pixels.", .metavar = "R,G,B"},
                {.name = "embed-std", .type = OptionType::String, .default_value = "0.229,0.224,0.225",
                 .help = "Per-channel RGB std on 0..1 pixels.", .metavar = "R,G,B"},
                {.name = "n-mfcc", .type = OptionType::Int, .default_value = "20", .help = "MFCC coefficients.",
                 .metavar = "N", .min = 1, .max = 128},
                {.name = "sample-rate", .type = OptionType::Int, .default_value = "22050",
                 .help = "Audio analysis rate in Hz (librosa's default).", .metavar = "HZ", .min = 8000, .max = 192000},
                {.name = "threads", .type = OptionType::Int, .default_value = "2", .help = "Worker threads.",
                 .metavar = "N", .min = 1, .max = 64},
            },
        .examples = "  vidseg features lesson.mp4 --out lesson.features.csv\n"
                    "  vidseg features lesson.mp4 --out lesson.jsonl --window 10 --step 5 --transcript lesson.json\n"
                    "  vidseg features lesson.mp4 --out frames.csv --audio-frames\n"
                    "  vidseg features lesson.mp4 --out f.jsonl --embed-model resnet18.onnx",
    };
    return {spec, run_features};
}

}  // namespace vidseg::cli

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include "command.hpp"
#include "vidseg/models/lesson_transcript.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/features/feature_io.hpp"
#include "vidseg/features/intro_similarity_timeline.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

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

// --chroma-tuning: a fixed offset in [-0.5, 0.5) (librosa's range) or "auto" (nullopt: estimate it).
std::optional<double> parse_chroma_tuning(const std::string& text) {
    if (text == "auto") return std::nullopt;
    double value = 0;
    try {
        std::size_t used = 0;
        value = std::stod(text, &used);
        if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
        value = std::numeric_limits<double>::quiet_NaN();
    }
    if (!(value >= -0.5 && value < 0.5))
        throw Error(ErrorCode::InvalidArgument, "--chroma-tuning expects a number in [-0.5, 0.5) (fractions of a semitone) "
                                                "or 'auto', got '" + text + "'");
    return value;
}

int run_features(const ParsedOptions& options, Context& context) {
    const std::string video = options.positionals().front();
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out FILE (.csv, .jsonl or .npy)");
    const std::string out = options.str("out");
    const auto format = options.given("format") ? features::parse_feature_format(options.str("format"))
                                                : features::format_for_path(out);
    audio::SpectralConfig spectral;
    spectral.sample_rate = static_cast<double>(options.integer("sample-rate"));
    spectral.n_mfcc = static_cast<std::size_t>(options.integer("n-mfcc"));
    spectral.threads = static_cast<int>(options.integer("threads"));
    const auto fixed_tuning = parse_chroma_tuning(options.str("chroma-tuning"));
    const bool estimate_tuning = !fixed_tuning.has_value();
    spectral.tuning = fixed_tuning.value_or(0.0);
    const auto started = std::chrono::steady_clock::now();
    features::FeatureMatrix matrix;
    std::vector<std::string> notes;
    const auto similarity_options = [&] {  // fused intro features: the season's similarity profile
        features::IntroSimilarityOptions s;
        s.series_dir = options.str("series-dir");
        s.visual = !options.flag("series-audio-only");
        if (!options.flag("no-intro-cache"))
            s.cache_dir = options.given("intro-cache") ? fs::path(options.str("intro-cache"))
                                                       : intro::FingerprintCache::default_dir();
        return s;
    };
    if (options.flag("audio-frames") && options.given("series-dir"))
        throw Error(ErrorCode::InvalidArgument, "--series-dir adds columns to timeline rows, not to --audio-frames");
    if (options.flag("audio-frames")) {
        matrix = features::compute_audio_frames(video, spectral, context.progress.get(), estimate_tuning);
    } else if (options.given("series-dir") && options.flag("no-audio") && options.flag("no-visual") &&
               !options.given("transcript")) {  // the similarity columns alone
        const double step = options.number("step");
        features::IntroSimilarityResult added;
        matrix = features::intro_similarity_matrix(video, similarity_options(), step,
                                                   options.given("window") ? options.number("window") : step, &added,
                                                   context.progress.get());
        notes = std::move(added.notes);
    } else {
        features::TimelineOptions t;
        t.step = options.number("step");
        t.window = options.given("window") ? options.number("window") : t.step;
        features::validate_grid(t.step, t.window);
        t.audio = !options.flag("no-audio");
        t.visual = !options.flag("no-visual");
        t.spectral = spectral;
        t.estimate_tuning = estimate_tuning;
        t.threads = spectral.threads;
        if (options.given("transcript"))  // .json segments, .srt, .vtt (voice tags give the speakers)
            t.transcript_segments = models::read_lesson_transcript(options.str("transcript"));
        t.visual_options.fps = options.number("visual-fps");
        t.visual_options.detect_people = !options.flag("no-people");
        if (options.given("embed-model")) {
            t.visual_options.embed_model = options.str("embed-model");
            t.visual_options.embed_width = static_cast<int>(options.integer("embed-width"));
            t.visual_options.embed_height = static_cast<int>(options.integer("embed-height"));
            t.visual_options.embed_mean = parse_triplet(options.str("embed-mean"), "embed-mean");
            t.visual_options.embed_std = parse_triplet(options.str("embed-std"), "embed-std");
        }
        if (options.given("text-encoder")) t.text_encoder = options.str("text-encoder");
        auto result = features::compute_timeline_features(video, t, context.progress.get());
        matrix = std::move(result.matrix);
        notes = std::move(result.notes);
        if (options.given("series-dir")) {
            auto added = features::append_intro_similarity_columns(video, similarity_options(), matrix,
                                                                   context.progress.get());
            notes.insert(notes.end(), added.notes.begin(), added.notes.end());
        }
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
                            {"chroma_tuning", matrix.chroma_tuning ? nlohmann::json(*matrix.chroma_tuning) : nlohmann::json()},
                            {"chroma_tuning_estimated", matrix.chroma_tuning && matrix.chroma_tuning_estimated},
                            {"elapsed_seconds", elapsed}});
    } else if (!context.quiet) {
        std::printf("wrote %s: %zu rows x %zu columns (step %.3g s, window %.3g s) in %.2f s\n", out.c_str(),
                    matrix.rows(), matrix.cols(), matrix.spec.step, matrix.spec.window, elapsed);
        if (matrix.chroma_tuning && matrix.chroma_tuning_estimated)
            std::printf("estimated chroma tuning: %+.2f semitone\n", *matrix.chroma_tuning);
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
            "optional ONNX / TorchScript image embeddings) and text (tokens, words/s, transcript coverage with --transcript).\n"
            "A file without audio (or video) gets the other groups and a note. CSV has the header\n"
            "time,<columns>; JSONL starts with a spec line (step, window, columns); .npy is the float32 matrix\n"
            "alone (numpy.load), with columns, times and step in F.npy.json. See\n"
            "src/vidseg/features/*.hpp for the exact definitions.",
        .positionals = {{.name = "VIDEO", .help = "Input video or audio file."}},
        .options =
            {
                {.name = "out", .short_name = 'o', .type = OptionType::Path,
                 .help = "Output file (.csv, .jsonl or .npy; required).", .metavar = "FILE"},
                {.name = "format", .type = OptionType::Choice, .help = "Output format (default: from the extension).",
                 .metavar = "FORMAT", .choices = {"csv", "jsonl", "npy"}},
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
                 .help = "Transcript for the text columns: JSON {segments:[{start,end,text,speaker?}]}, .srt or\n"
                         ".vtt (<v Name> voice tags name the speakers: speaker_* columns).",
                 .metavar = "FILE"},
                {.name = "visual-fps", .type = OptionType::Double, .default_value = "4",
                 .help = "Analysed video frames per second (at most).", .metavar = "FPS", .min = 0.01, .max = 120},
                {.name = "embed-model", .type = OptionType::Path,
                 .help = "Image model whose output becomes embed_* columns: ONNX (OpenCV DNN) or TorchScript\n"
                         "(.pt/.pth/.torchscript, libtorch).",
                 .metavar = "MODEL"},
                {.name = "embed-width", .type = OptionType::Int, .default_value = "224", .help = "Model input width.",
                 .metavar = "PX", .min = 1, .max = 4096},
                {.name = "embed-height", .type = OptionType::Int, .default_value = "224", .help = "Model input height.",
                 .metavar = "PX", .min = 1, .max = 4096},
                {.name = "embed-mean", .type = OptionType::String, .default_value = "0.485,0.456,0.406",
                 .help = "Per-channel RGB mean on 0..1 pixels.", .metavar = "R,G,B"},
                {.name = "embed-std", .type = OptionType::String, .default_value = "0.229,0.224,0.225",
                 .help = "Per-channel RGB std on 0..1 pixels.", .metavar = "R,G,B"},
                {.name = "text-encoder", .type = OptionType::Path,
                 .help = "With --transcript: a TorchScript sentence encoder (libtorch) whose output per utterance becomes\n"
                         "text_embed_* columns, pooled per row like the lexical features. Its forward() takes the\n"
                         "utterance's words (List[str]: lower case, runs of letters/digits) or its text (str).",
                 .metavar = "MODEL"},
                {.name = "series-dir", .type = OptionType::Path,
                 .help = "Fused intro features: add intro_similarity_audio/visual, the share of the other episodes in\n"
                         "DIR (the video's season) whose audio / pictures align with each row (intro detector's alignment).\n"
                         "With --no-audio --no-visual: these two columns alone.",
                 .metavar = "DIR"},
                {.name = "series-audio-only", .type = OptionType::Flag,
                 .help = "With --series-dir: compare sound only (intro_similarity_visual stays 0; no video decoding)."},
                {.name = "intro-cache", .type = OptionType::Path,
                 .help = "Fingerprint cache of --series-dir (default: that of `vidseg intro detect`).", .metavar = "DIR"},
                {.name = "no-intro-cache", .type = OptionType::Flag, .help = "With --series-dir: no fingerprint cache."},
                {.name = "chroma-tuning", .type = OptionType::String, .default_value = "0",
                 .help = "Chroma tuning: an offset from A440 in fractions of a semitone, in [-0.5, 0.5) (librosa's\n"
                         "chroma_stft tuning=T; default 0 = A440), or 'auto': estimate it from the audio as librosa's\n"
                         "default chroma_stft does (tuning=None; piptrack peaks of the power spectrogram, 0.01\n"
                         "semitone resolution). auto costs one extra pass over the audio (decoding + one STFT);\n"
                         "the tuning used is reported in --json and in the JSONL header / .npy sidecar.",
                 .metavar = "SEMITONES|auto"},
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
                    "  vidseg features lesson.mp4 --out f.jsonl --embed-model resnet18.onnx\n"
                    "  vidseg features lesson.mp4 --out f.jsonl --embed-model resnet18.pt   (TorchScript, libtorch)\n"
                    "  vidseg features lesson.mp4 --out f.jsonl --transcript lesson.srt --text-encoder words.pt\n"
                    "  vidseg features season1/ep03.mkv --out ep03.csv --series-dir season1   (fused intro features)",
    };
    return {spec, run_features};
}

}  // namespace vidseg::cli

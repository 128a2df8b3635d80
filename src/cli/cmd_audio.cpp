#include <chrono>
#include <cstdio>
#include <filesystem>

#include "command.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/audio_reader.hpp"

namespace vidseg::cli {

namespace {

int run_audio(const ParsedOptions& options, Context& context) {
    const std::string video = options.positionals().front();
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out FILE.wav");
    const std::string out = options.str("out");
    media::AudioFormat format{static_cast<int>(options.integer("rate")), static_cast<int>(options.integer("channels"))};
    const double start = options.number("start");
    const double end = options.given("end") ? options.number("end") : -1.0;
    const auto started = std::chrono::steady_clock::now();
    size_t frames = 0;
    media::extract_audio(video, out, format, start, end, context.progress.get());
    {
        // Frame count from the written file size (header is 44 bytes, 2 bytes per sample).
        std::error_code ec;
        const auto size = std::filesystem::file_size(out, ec);
        if (!ec && size >= 44) frames = static_cast<size_t>((size - 44) / (2 * format.channels));
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double seconds = static_cast<double>(frames) / format.sample_rate;
    if (context.json) {
        context.print_json({{"video", video},
                            {"out", out},
                            {"sample_rate", format.sample_rate},
                            {"channels", format.channels},
                            {"start", start},
                            {"frames", frames},
                            {"duration", seconds},
                            {"elapsed_seconds", elapsed}});
    } else {
        std::printf("wrote %s: %.3f s of %d Hz %s PCM 16-bit audio (%zu frames) in %.2f s\n", out.c_str(), seconds,
                    format.sample_rate, format.channels == 1 ? "mono" : (std::to_string(format.channels) + "-channel").c_str(),
                    frames, elapsed);
    }
    return 0;
}

}  // namespace

Command audio_command() {
    CommandSpec spec{
        .name = "audio",
        .summary = "Extract the audio track (or a span of it) as a WAV file (PCM 16-bit, 16 kHz mono by default).",
        .description = "Decodes the first audio stream, resamples it to the requested rate and channel count and\n"
                       "writes it atomically. Times are seconds from the start of the file; --end is exclusive.",
        .positionals = {{.name = "VIDEO", .help = "Input video or audio file."}},
        .options =
            {
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Output WAV file (required).",
                 .metavar = "FILE.wav"},
                {.name = "rate", .type = OptionType::Int, .default_value = "16000", .help = "Sample rate in Hz.",
                 .metavar = "HZ", .min = 1000, .max = 384000},
                {.name = "channels", .type = OptionType::Int, .default_value = "1",
                 .help = "Channel count (1 = mono mix-down, 2 = stereo).", .metavar = "N", .min = 1, .max = 8},
                {.name = "start", .type = OptionType::Double, .default_value = "0", .help = "Span start in seconds.",
                 .metavar = "SECONDS", .min = 0},
                {.name = "end", .type = OptionType::Double,
                 .help = "Span end in seconds (exclusive). Default: the end of the audio.", .metavar = "SECONDS",
                 .min = 0},
            },
        .examples = "  vidseg audio lesson.mp4 --out lesson.wav\n"
                    "  vidseg audio lesson.mp4 --out part.wav --start 10 --end 20 --rate 48000 --channels 2",
    };
    return {spec, run_audio};
}

}  // namespace vidseg::cli

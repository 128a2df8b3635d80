#include "vidseg/pipeline/transcribe_options.hpp"

#include "vidseg/asr/whisper_options.hpp"

namespace vidseg::pipeline {

CommandSpec transcribe_command_spec() {
    CommandSpec spec{
        .name = "transcribe",
        .summary =
            "Transcribe the speech of a video or audio file (faster-whisper or an OpenAI-compatible server).",
        .description =
            "Extracts the audio (16 kHz mono) and transcribes it with --whisper-backend; writes into OUT:\n"
            "  <stem>.json   language, probability, timed segments with word times\n"
            "  <stem>.txt    the text\n"
            "  <stem>.srt    the segments as SubRip subtitles\n"
            "OUT appears only when everything succeeded.",
        .positionals = {{.name = "MEDIA", .help = "Video or audio file with speech."}},
        .options = {{.name = "out",
                     .short_name = 'o',
                     .type = OptionType::Path,
                     .help = "Output directory (default: <media stem>_transcript beside it).",
                     .metavar = "DIR"}},
        .examples =
            "  vidseg transcribe lesson.mp4\n"
            "  vidseg transcribe lesson.mp4 --whisper-backend http --whisper-url http://127.0.0.1:8000",
    };
    auto whisper = asr::whisper_option_specs();
    // Transcribing is the command's purpose: faster-whisper unless another backend is chosen.
    for (auto& o : whisper)
        if (o.name == "whisper-backend") {
            o.default_value = "faster-whisper";
            o.choices = {"faster-whisper", "http"};
        }
    spec.options.insert(spec.options.end(), whisper.begin(), whisper.end());
    return spec;
}

TranscribeConfig transcribe_config(const ParsedOptions& options) {
    TranscribeConfig config;
    config.media = options.positionals().front();
    config.out_dir = options.str("out");
    config.transcriber = asr::whisper_config(options);
    return config;
}

}  // namespace vidseg::pipeline

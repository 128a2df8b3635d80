#include "vidseg/asr/whisper_options.hpp"

namespace vidseg::asr {

std::vector<OptionSpec> whisper_option_specs() {
    return {
        {.name = "whisper-backend", .type = OptionType::Choice, .default_value = "none",
         .help = "Transcription: 'faster-whisper' (local worker, packaged Whisper base model), 'http' "
                 "(OpenAI-compatible /v1/audio/transcriptions server at --whisper-url) or 'none'.",
         .metavar = "NAME", .choices = {"none", "faster-whisper", "http"}},
        {.name = "whisper-model", .type = OptionType::String,
         .help = "faster-whisper: 'base' (default, shipped in build/pyenv-asr) or a CTranslate2 model "
                 "directory; http: the server's model name (default whisper-1).",
         .metavar = "NAME|DIR"},
        {.name = "device", .type = OptionType::Choice, .default_value = "cpu", .help = "Where faster-whisper runs.",
         .metavar = "DEV", .choices = {"cpu", "cuda", "auto"}},
        {.name = "whisper-url", .type = OptionType::String,
         .help = "Server for --whisper-backend http (e.g. http://127.0.0.1:8000).", .metavar = "URL"},
        {.name = "whisper-language", .type = OptionType::String, .default_value = "ru,en",
         .help = "Spoken language, detected among these candidates; 'auto' = any language Whisper knows; "
                 "one code ('ru') forces it.",
         .metavar = "LANG"},
        {.name = "whisper-python", .type = OptionType::Path,
         .help = "Python with faster-whisper (default $VIDSEG_WHISPER_PYTHON, else build/pyenv-asr).", .metavar = "FILE"},
        {.name = "whisper-worker", .type = OptionType::Path,
         .help = "The worker script (default $VIDSEG_WHISPER_WORKER, else found next to the binary or in the "
                 "source tree).",
         .metavar = "FILE"},
    };
}

TranscriberConfig whisper_config(const ParsedOptions& options) {
    TranscriberConfig config;
    config.backend = parse_backend(options.str("whisper-backend"));
    config.model = options.str("whisper-model");
    config.device = options.str("device");
    config.url = options.str("whisper-url");
    config.language = options.str("whisper-language");
    config.python = options.str("whisper-python");
    config.worker_script = options.str("whisper-worker");
    return config;
}

}  // namespace vidseg::asr

#include "vidseg/asr/transcriber.hpp"

#include "vidseg/asr/faster_whisper_transcriber.hpp"
#include "vidseg/asr/http_transcriber.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::asr {

Backend parse_backend(const std::string& name) {
    if (name == "none" || name.empty()) return Backend::None;
    if (name == "faster-whisper") return Backend::FasterWhisper;
    if (name == "http") return Backend::Http;
    throw Error(ErrorCode::InvalidArgument,
                "option --whisper-backend: expected faster-whisper, http or none, got '" + name + "'");
}

const char* backend_name(Backend backend) noexcept {
    switch (backend) {
        case Backend::FasterWhisper: return "faster-whisper";
        case Backend::Http: return "http";
        case Backend::None: break;
    }
    return "none";
}

std::vector<std::string> parse_languages(const std::string& option) {
    std::vector<std::string> out;
    if (option.empty() || option == "auto") return out;
    size_t pos = 0;
    while (pos <= option.size()) {
        const size_t comma = option.find(',', pos);
        std::string code = option.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        while (!code.empty() && code.front() == ' ') code.erase(code.begin());
        while (!code.empty() && code.back() == ' ') code.pop_back();
        const std::string normalized = language_code(code);
        if (normalized.empty() || normalized.size() > 3)
            throw Error(ErrorCode::InvalidArgument, "option --whisper-language: '" + code +
                                                        "' is not a language code (expected auto, ru, en or a list like ru,en)");
        out.push_back(normalized);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::unique_ptr<Transcriber> make_transcriber(const TranscriberConfig& config) {
    parse_languages(config.language);  // validate before starting anything
    switch (config.backend) {
        case Backend::FasterWhisper: return std::make_unique<FasterWhisperTranscriber>(config);
        case Backend::Http: return std::make_unique<HttpTranscriber>(config);
        case Backend::None: break;
    }
    throw Error(ErrorCode::InvalidArgument, "no transcription backend chosen (--whisper-backend none)");
}

}  // namespace vidseg::asr

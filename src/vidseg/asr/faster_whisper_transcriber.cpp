#include "vidseg/asr/faster_whisper_transcriber.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/asr/child_process.hpp"
#include "vidseg/asr/python_worker_paths.hpp"
#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg::asr {

namespace {

constexpr const char* kWorkerName = "faster_whisper_worker.py";

std::string base64(const unsigned char* data, size_t size) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (size_t i = 0; i < size; i += 3) {
        const unsigned v = data[i] << 16 | (i + 1 < size ? data[i + 1] << 8 : 0) | (i + 2 < size ? data[i + 2] : 0);
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += i + 1 < size ? table[v >> 6 & 63] : '=';
        out += i + 2 < size ? table[v & 63] : '=';
    }
    return out;
}

std::string with_log(const std::string& message, const ChildProcess& worker) {
    const std::string tail = worker.log_tail(1500);
    return tail.empty() ? message : message + "; worker stderr:\n" + tail;
}

}  // namespace

std::string FasterWhisperTranscriber::find_python(const std::string& configured) {
    return find_venv_python(configured, "VIDSEG_WHISPER_PYTHON", "pyenv-asr");
}

std::string FasterWhisperTranscriber::find_worker_script(const std::string& configured) {
    return find_worker_file(configured, "VIDSEG_WHISPER_WORKER", kWorkerName, "asr", "faster-whisper", "--whisper-worker");
}

FasterWhisperTranscriber::FasterWhisperTranscriber(TranscriberConfig config) : config_(std::move(config)) {
    if (config_.model.empty()) config_.model = "base";
    if (config_.device != "cpu" && config_.device != "cuda" && config_.device != "auto")
        throw Error(ErrorCode::InvalidArgument, "option --device: expected cpu, cuda or auto, got '" + config_.device + "'");
    python_ = find_python(config_.python);
    script_ = find_worker_script(config_.worker_script);
    start();
}

FasterWhisperTranscriber::~FasterWhisperTranscriber() {
    if (!worker_) return;
    worker_->write_line(R"({"cmd": "quit"})");
    worker_->finish(5);
}

pid_t FasterWhisperTranscriber::worker_pid() const { return worker_ ? worker_->pid() : -1; }

std::string FasterWhisperTranscriber::description() const {
    return "faster-whisper " + config_.model + " (" + config_.device + ", " + config_.compute_type + ")";
}

void FasterWhisperTranscriber::start() {
    worker_.reset();
    std::vector<std::string> argv = {python_, "-u", script_, "--model", config_.model, "--device", config_.device,
                                     "--compute-type", config_.compute_type, "--threads", std::to_string(config_.threads)};
    try {
        worker_ = std::make_unique<ChildProcess>(argv, std::vector<std::string>{"PYTHONDONTWRITEBYTECODE=1", "HF_HUB_OFFLINE=1"});
    } catch (const Error& e) {
        throw Error(ErrorCode::Unsupported,
                    "faster-whisper backend: cannot run Python '" + python_ + "' (" + e.cause() +
                        "); run scripts/setup.sh (it makes build/pyenv-asr) or pass --whisper-python");
    }
    std::optional<std::string> line;
    try {
        line = worker_->read_line(config_.timeout_seconds);
    } catch (const Error&) {
        worker_.reset();  // cancelled (or silent) while loading the model: stopped now, not asked to quit
        throw;
    }
    if (!line) {
        const std::string status = worker_->finish(5);
        throw Error(ErrorCode::Unsupported,
                    with_log("faster-whisper backend: the worker (" + python_ + " " + script_ + ") ended at start with " + status,
                             *worker_));
    }
    nlohmann::json ready;
    try {
        ready = nlohmann::json::parse(*line);
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::Internal, with_log("faster-whisper backend: unexpected worker output: " + *line, *worker_));
    }
    if (!ready.value("ready", false)) {
        const std::string kind = ready.value("kind", "");
        const std::string message = "faster-whisper backend: " + ready.value("error", std::string("the worker failed to start"));
        worker_->finish(5);
        if (kind == "model_not_found") throw Error(ErrorCode::InputNotFound, message, config_.model);
        throw Error(ErrorCode::Unsupported, kind == "load_failed" ? with_log(message, *worker_) : message);
    }
    load_seconds_ = ready.value("load_seconds", 0.0);
}

Transcript FasterWhisperTranscriber::request(nlohmann::json req, const std::string& subject) {
    const auto languages = parse_languages(config_.language);
    if (languages.size() == 1) req["language"] = languages[0];
    else if (languages.size() > 1) req["languages"] = languages;
    for (int attempt = 0;; ++attempt) {
        if (!worker_ || !worker_->running()) {
            ++restarts_;
            start();
        }
        const int id = next_id_++;
        req["id"] = id;
        std::optional<std::string> line;
        if (worker_->write_line(req.dump())) {
            try {
                line = worker_->read_line(config_.timeout_seconds);
            } catch (const Error& e) {
                worker_.reset();  // a late answer must not be taken for the next request's (stops the worker)
                if (e.code() == ErrorCode::Interrupted)
                    throw;  // cancelled: the job ends now, not after Whisper
                throw Error(ErrorCode::Internal, "faster-whisper backend: " + e.cause(), subject);
            }
        }
        if (!line) {  // the worker died: restart once, then give up with what it said
            const std::string status = worker_->finish(5);
            const std::string message = with_log("faster-whisper worker ended (" + status + ")", *worker_);
            worker_.reset();
            if (attempt == 0) continue;
            throw Error(ErrorCode::Internal, message + " twice; giving up", subject);
        }
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(*line);
        } catch (const nlohmann::json::exception&) {
            throw Error(ErrorCode::Internal, "faster-whisper backend: unexpected worker output: " + line->substr(0, 300), subject);
        }
        if (doc.value("id", -1) != id)
            throw Error(ErrorCode::Internal, "faster-whisper backend: answer to another request: " + line->substr(0, 300), subject);
        if (doc.contains("error")) {
            const std::string message = doc["error"].get<std::string>();
            const bool missing = message.rfind("FileNotFoundError", 0) == 0;
            throw Error(missing ? ErrorCode::InputNotFound : ErrorCode::InvalidMedia, "transcription failed: " + message, subject);
        }
        return transcript_from_json(doc);
    }
}

Transcript FasterWhisperTranscriber::transcribe_file(const std::string& audio_path) {
    if (!fs::exists(audio_path)) throw Error(ErrorCode::InputNotFound, "audio file not found", audio_path);
    return request({{"wav", fs::absolute(audio_path).string()}}, audio_path);
}

Transcript FasterWhisperTranscriber::transcribe(const std::vector<float>& samples_16k) {
    std::vector<unsigned char> pcm(samples_16k.size() * 2);
    for (size_t i = 0; i < samples_16k.size(); ++i) {
        const float c = std::max(-1.0f, std::min(1.0f, samples_16k[i]));
        const auto v = static_cast<int16_t>(c < 0 ? c * 32768.0f - 0.5f : c * 32767.0f + 0.5f);
        pcm[2 * i] = static_cast<unsigned char>(v & 0xff);
        pcm[2 * i + 1] = static_cast<unsigned char>((v >> 8) & 0xff);
    }
    return request({{"pcm_s16le", base64(pcm.data(), pcm.size())}}, "samples");
}

}  // namespace vidseg::asr

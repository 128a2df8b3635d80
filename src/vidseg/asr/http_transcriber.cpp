#include "vidseg/asr/http_transcriber.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unistd.h>
#include <utility>

#include <nlohmann/json.hpp>

#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/net/http_client.hpp"

namespace fs = std::filesystem;

namespace vidseg::asr {

namespace {

// A WAV file under the temp dir, removed when the object dies.
class TempWav {
public:
    TempWav() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/vidseg-asr-XXXXXX.wav";
        const int fd = ::mkstemps(pattern.data(), 4);
        if (fd < 0) throw Error(ErrorCode::OutputError, "cannot create a temporary WAV file");
        ::close(fd);
        path_ = pattern;
    }
    ~TempWav() {
        std::error_code ec;
        fs::remove(path_, ec);
    }
    TempWav(const TempWav&) = delete;
    TempWav& operator=(const TempWav&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

std::string HttpTranscriber::endpoint_for(const std::string& url) {
    std::string u = url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    if (u.find("/audio/transcriptions") != std::string::npos || u.find("/inference") != std::string::npos) return u;
    if (u.size() >= 3 && u.compare(u.size() - 3, 3, "/v1") == 0) return u + "/audio/transcriptions";
    return u + "/v1/audio/transcriptions";
}

HttpTranscriber::HttpTranscriber(TranscriberConfig config) : config_(std::move(config)) {
    if (config_.url.empty())
        throw Error(ErrorCode::InvalidArgument, "option --whisper-url is required with --whisper-backend http");
    if (config_.url.rfind("http://", 0) != 0 && config_.url.rfind("https://", 0) != 0)
        throw Error(ErrorCode::InvalidArgument, "option --whisper-url: expected http:// or https://, got '" + config_.url + "'");
    if (config_.model.empty()) config_.model = "whisper-1";
    if (config_.api_key.empty())
        if (const char* key = std::getenv("OPENAI_API_KEY")) config_.api_key = key;
    endpoint_ = endpoint_for(config_.url);
}

std::string HttpTranscriber::description() const { return "http " + endpoint_ + " " + config_.model; }

Transcript HttpTranscriber::transcribe_file(const std::string& audio_path) {
    if (!fs::exists(audio_path)) throw Error(ErrorCode::InputNotFound, "audio file not found", audio_path);
    net::MultipartPost post;
    post.url = endpoint_;
    post.parts.push_back({"file", {}, audio_path, "audio/wav"});
    post.parts.push_back({"model", config_.model, {}, {}});
    post.parts.push_back({"response_format", "verbose_json", {}, {}});
    // Word times where the server offers them (OpenAI's API; servers that do not know the field ignore
    // it and their transcripts fall back to segment times).
    post.parts.push_back({"timestamp_granularities[]", "segment", {}, {}});
    post.parts.push_back({"timestamp_granularities[]", "word", {}, {}});
    const auto languages = parse_languages(config_.language);
    if (languages.size() == 1) post.parts.push_back({"language", languages[0], {}, {}});
    if (!config_.api_key.empty()) post.headers.push_back("Authorization: Bearer " + config_.api_key);
    post.connect_timeout_seconds = 10;
    post.timeout_seconds = static_cast<long>(config_.timeout_seconds);
    // A cancelled job (its thread's token, core/cancel.hpp) or a stopping process ends the request at
    // once instead of waiting for the server's answer (minutes for a long lesson).
    post.abort_when = [] { return cancel_requested(); };
    // libcurl lives in the dlopen()ed HTTP module (http_client.hpp): loaded on the first request.
    const net::HttpResponse response = net::http_client().post_multipart(post);
    switch (response.outcome) {
    case net::HttpResponse::Outcome::FileUnreadable:
        throw Error(ErrorCode::InputNotFound, "cannot read the audio file", audio_path);
    case net::HttpResponse::Outcome::NotReachable:
        throw Error(ErrorCode::Unsupported, "transcription server " + endpoint_ + " not reachable: " + response.error,
                    audio_path);
    case net::HttpResponse::Outcome::Aborted:
        throw Error(ErrorCode::Interrupted, "interrupted while the transcription server " + endpoint_ + " worked",
                    audio_path);
    case net::HttpResponse::Outcome::Answered:
        break;
    }
    const long status = response.status;
    const std::string& body = response.body;
    if (status < 200 || status >= 300)
        throw Error(ErrorCode::InvalidData,
                    "transcription server " + endpoint_ + " answered HTTP " + std::to_string(status) + ": " + body.substr(0, 400),
                    audio_path);
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
        throw Error(ErrorCode::InvalidData, "transcription server " + endpoint_ + " sent no JSON: " + body.substr(0, 200),
                    audio_path);
    }
    try {
        return transcript_from_json(doc);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidData, "transcription server " + endpoint_ + ": " + e.cause() + ": " + body.substr(0, 200),
                    audio_path);
    }
}

Transcript HttpTranscriber::transcribe(const std::vector<float>& samples_16k) {
    TempWav wav;
    audio::WavWriter writer(wav.path(), 16000, 1);
    writer.write(samples_16k.data(), samples_16k.size());
    writer.close();
    return transcribe_file(wav.path());
}

}  // namespace vidseg::asr

#include "vidseg/asr/http_transcriber.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unistd.h>
#include <utility>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include "vidseg/audio/wav_writer.hpp"
#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg::asr {

namespace {

struct CurlDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct MimeDeleter {
    void operator()(curl_mime* m) const noexcept { curl_mime_free(m); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

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
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) throw Error(ErrorCode::Internal, "curl_easy_init failed");
    std::unique_ptr<curl_mime, MimeDeleter> form(curl_mime_init(curl.get()));
    auto add_field = [&](const char* name, const std::string& value) {
        curl_mimepart* part = curl_mime_addpart(form.get());
        curl_mime_name(part, name);
        curl_mime_data(part, value.c_str(), CURL_ZERO_TERMINATED);
    };
    curl_mimepart* file = curl_mime_addpart(form.get());
    curl_mime_name(file, "file");
    if (curl_mime_filedata(file, audio_path.c_str()) != CURLE_OK)
        throw Error(ErrorCode::InputNotFound, "cannot read the audio file", audio_path);
    curl_mime_type(file, "audio/wav");
    add_field("model", config_.model);
    add_field("response_format", "verbose_json");
    const auto languages = parse_languages(config_.language);
    if (languages.size() == 1) add_field("language", languages[0]);

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    if (!config_.api_key.empty())
        headers.reset(curl_slist_append(nullptr, ("Authorization: Bearer " + config_.api_key).c_str()));
    std::string body;
    char error_text[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl.get(), CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, form.get());
    if (headers) curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(config_.timeout_seconds));
    const CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK)
        throw Error(ErrorCode::Unsupported, "transcription server " + endpoint_ + " not reachable: " +
                                                (error_text[0] ? std::string(error_text) : curl_easy_strerror(rc)),
                    audio_path);
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
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

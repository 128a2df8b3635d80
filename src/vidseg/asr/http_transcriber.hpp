// HTTP backend: OpenAI-compatible `POST /v1/audio/transcriptions` (multipart form: file, model,
// response_format=verbose_json, language when one is forced), via libcurl in the dlopen()ed HTTP
// module (net/http_client.hpp), so only this backend pays libcurl's start-up. Works with whisper.cpp's
// server, faster-whisper servers and OpenAI. Language candidates ("ru,en") cannot be expressed in
// that API: the server detects the language itself.
#pragma once

#include <string>

#include "vidseg/asr/transcriber.hpp"

namespace vidseg::asr {

class HttpTranscriber final : public Transcriber {
public:
    // Throws Error(InvalidArgument) without a URL or with one that is not http(s)://.
    explicit HttpTranscriber(TranscriberConfig config);

    // Throws Error(Unsupported) when the server cannot be reached or libvidseg_http.so cannot be
    // loaded, Error(InputNotFound) when the audio file cannot be read, Error(InvalidData) for an HTTP
    // error status or a response that is not a transcription.
    Transcript transcribe_file(const std::string& audio_path) override;
    Transcript transcribe(const std::vector<float>& samples_16k) override;
    std::string description() const override;

    // The endpoint a base URL stands for ("http://h:8000" -> "http://h:8000/v1/audio/transcriptions").
    static std::string endpoint_for(const std::string& url);

private:
    TranscriberConfig config_;
    std::string endpoint_;
};

}  // namespace vidseg::asr

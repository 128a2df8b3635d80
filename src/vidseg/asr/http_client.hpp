// The boundary between libvidseg and libcurl. libcurl (with gnutls, ldap, ssh, ... ~30 libraries)
// costs ~5 ms of dynamic linking at every process start, yet only the HTTP transcription backend
// (asr/http_transcriber.hpp) uses it; so the curl code lives in a separate module (libvidseg_http.so,
// built from asr/curl/) that is dlopen()ed on the first request, like the libtorch and OpenCV modules.
// This header is curl-free; failures come back as values, not exceptions.
#pragma once

#include <string>
#include <vector>

namespace vidseg::asr {

// One part of a multipart/form-data body: a text field, or a file streamed from disk.
struct FormPart {
    std::string name;
    std::string value;         // the text of a field (unused for a file part)
    std::string file_path;     // non-empty: a file part with this file's bytes
    std::string content_type;  // of a file part ("audio/wav"); empty = libcurl's default
};

struct MultipartPost {
    std::string url;
    std::vector<FormPart> parts;
    std::vector<std::string> headers;  // "Name: value"
    long connect_timeout_seconds = 10;
    long timeout_seconds = 0;  // whole request; 0 = none
};

struct HttpResponse {
    enum class Outcome {
        Answered,        // the server answered: see status and body
        FileUnreadable,  // a file part could not be opened (error names it)
        NotReachable,    // connection / TLS / timeout failure (error is libcurl's text)
    };
    Outcome outcome = Outcome::Answered;
    std::string error;
    long status = 0;
    std::string body;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Thread-safe: every call uses its own curl handle.
    virtual HttpResponse post_multipart(const MultipartPost& request) = 0;
};

// Loads the module on first use: $VIDSEG_HTTP_MODULE, else libvidseg_http.so next to the running
// executable, else <exe dir>/../lib/vidseg/, else the path of the build tree (core/module_loader.hpp).
// Throws Error(Unsupported) naming the file and the paths tried when none loads; calls through the
// returned object turn unexpected module exceptions (out of memory) into Error(Internal).
HttpClient& http_client();

// The module's entry point (extern "C", resolved with dlsym).
inline constexpr const char* kHttpClientSymbol = "vidseg_http_client";
using HttpClientFactory = HttpClient* (*)();

}  // namespace vidseg::asr

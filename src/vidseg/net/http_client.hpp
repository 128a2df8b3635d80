// The boundary between libvidseg and libcurl. libcurl (with gnutls, ldap, ssh, ... ~30 libraries)
// costs ~5 ms of dynamic linking at every process start, yet only the HTTP transcription backend
// (asr/http_transcriber.hpp) and the S3 storage backend (storage/s3_store.hpp) use it; so the curl
// code lives in a separate module (libvidseg_http.so, built from net/curl/) that is dlopen()ed on the
// first request, like the libtorch and OpenCV modules. This header is curl-free; transport failures
// come back as values, not exceptions (exceptions thrown by the caller's callbacks pass through).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace vidseg::net {

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
    // Asked about once a second while the request runs (also while the server is silent); true ends
    // it at once with Outcome::Aborted (a cancelled job's transcription request).
    std::function<bool()> abort_when;
};

// A general request (the S3 backend's GET / HEAD / PUT / POST / DELETE).
struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    // The request body: `body`, or when body_reader is set, body_size bytes pulled from it (it fills
    // up to n bytes of the buffer and returns how many; streamed, never held whole in memory).
    std::string body;
    std::function<std::size_t(char*, std::size_t)> body_reader;
    std::uint64_t body_size = 0;
    // The body of a 2xx answer goes to body_sink when set (else to HttpResponse::body); the body of
    // any other answer always lands in HttpResponse::body (it explains the error).
    std::function<void(const char*, std::size_t)> body_sink;
    // AWS Signature V4 by libcurl (CURLOPT_AWS_SIGV4, e.g. "aws:amz:us-east-1:s3") with the
    // credentials "ACCESS_KEY:SECRET_KEY" (CURLOPT_USERPWD); empty = unsigned.
    std::string aws_sigv4;
    std::string credentials;
    long connect_timeout_seconds = 10;
    long timeout_seconds = 0;  // whole request; 0 = none (large bodies)
    long stall_seconds = 60;   // give up when under 1 byte/s flows for this long; 0 = never
    std::function<bool()> abort_when;  // as MultipartPost::abort_when
};

struct HttpResponse {
    enum class Outcome {
        Answered,        // the server answered: see status and body
        FileUnreadable,  // a file part could not be opened (error names it)
        NotReachable,    // connection / TLS / timeout failure (error is libcurl's text)
        Aborted,         // the request's abort_when() answered true
    };
    Outcome outcome = Outcome::Answered;
    std::string error;
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // of the final answer; names lower-case

    // The first header of that (lower-case) name, or "".
    std::string header(const std::string& name) const {
        for (const auto& [n, v] : headers) {
            if (n == name) return v;
        }
        return {};
    }
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Thread-safe: every call uses its own curl handle.
    virtual HttpResponse post_multipart(const MultipartPost& request) = 0;
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

// Loads the module on first use: $VIDSEG_HTTP_MODULE, else libvidseg_http.so next to the running
// executable, else <exe dir>/../lib/vidseg/, else the path of the build tree (core/module_loader.hpp).
// Throws Error(Unsupported) naming the file and the paths tried when none loads; calls through the
// returned object turn unexpected module exceptions (out of memory) into Error(Internal).
HttpClient& http_client();

// The module's entry point (extern "C", resolved with dlsym).
inline constexpr const char* kHttpClientSymbol = "vidseg_http_client";
using HttpClientFactory = HttpClient* (*)();

}  // namespace vidseg::net

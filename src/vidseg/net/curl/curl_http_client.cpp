// libvidseg_http.so: the libcurl implementation of net/http_client.hpp, dlopen()ed by http_client()
// on the first request. Exported: only the factory below (hidden visibility otherwise).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>

#include <curl/curl.h>

#include "vidseg/net/http_client.hpp"

namespace vidseg::net {

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
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Slist header_list(const std::vector<std::string>& headers) {
    Slist list;
    for (const auto& h : headers) {
        curl_slist* grown = curl_slist_append(list.get(), h.c_str());
        if (grown) {
            (void)list.release();  // curl_slist_append returned the (same) list head
            list.reset(grown);
        }
    }
    return list;
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// What a running transfer needs in its callbacks; exceptions of the caller's callbacks are kept
// here (they must not cross libcurl's C frames) and rethrown once curl_easy_perform returns.
struct Transfer {
    CURL* curl = nullptr;
    const HttpRequest* request = nullptr;
    HttpResponse* response = nullptr;
    std::size_t body_offset = 0;  // of request->body, when it is sent from memory
    std::exception_ptr failure;
};

constexpr std::size_t kMaxErrorBody = 1u << 16;

size_t on_response_bytes(char* data, size_t size, size_t count, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const size_t n = size * count;
    long status = 0;
    curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300 && t.request->body_sink) {
        try {
            t.request->body_sink(data, n);
        } catch (...) {
            t.failure = std::current_exception();
            return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
        }
    } else if (t.response->body.size() < kMaxErrorBody) {
        t.response->body.append(data, n);
    }
    return n;
}

size_t on_request_bytes(char* buffer, size_t size, size_t count, void* user) {
    auto& t = *static_cast<Transfer*>(user);
    const size_t room = size * count;
    if (!t.request->body_reader) {
        const size_t n = std::min(room, t.request->body.size() - t.body_offset);
        std::memcpy(buffer, t.request->body.data() + t.body_offset, n);
        t.body_offset += n;
        return n;
    }
    try {
        return t.request->body_reader(buffer, room);
    } catch (...) {
        t.failure = std::current_exception();
        return CURL_READFUNC_ABORT;
    }
}

size_t on_header_line(char* data, size_t size, size_t count, void* user) {
    auto& headers = static_cast<Transfer*>(user)->response->headers;
    const size_t n = size * count;
    std::string line(data, n);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.rfind("HTTP/", 0) == 0) {
        headers.clear();  // a new answer (after "100 Continue" or a redirect): keep only the last
        return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) return n;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::size_t start = colon + 1;
    while (start < line.size() && line[start] == ' ') ++start;
    headers.emplace_back(std::move(name), line.substr(start));
    return n;
}

// libcurl's progress callback, called about once a second even while nothing flows: non-zero aborts
// the transfer (CURLE_ABORTED_BY_CALLBACK).
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    try {
        return (*static_cast<const std::function<bool()>*>(user))() ? 1 : 0;
    } catch (...) {
        return 1;
    }
}

void abort_when(CURL* curl, const std::function<bool()>& check) {
    if (!check) return;
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &check);
}

// Options every request shares; returns the outcome of curl_easy_perform as a response.
void perform(CURL* curl, const std::string& url, curl_slist* headers, long connect_timeout, long timeout,
             HttpResponse& out) {
    char error_text[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_timeout);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    const CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        out.outcome = HttpResponse::Outcome::Aborted;
        out.error = "abandoned by the caller";
        return;
    }
    if (rc != CURLE_OK) {
        out.outcome = HttpResponse::Outcome::NotReachable;
        out.error = error_text[0] ? std::string(error_text) : curl_easy_strerror(rc);
        return;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
}

HttpResponse no_handle() {
    HttpResponse out;
    out.outcome = HttpResponse::Outcome::NotReachable;
    out.error = "curl_easy_init failed";
    return out;
}

class CurlHttpClient final : public HttpClient {
public:
    // curl_global_init is not thread-safe: done once here, when the module is loaded under a mutex.
    CurlHttpClient() { curl_global_init(CURL_GLOBAL_DEFAULT); }

    HttpResponse post_multipart(const MultipartPost& request) override {
        HttpResponse out;
        std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
        if (!curl) return no_handle();
        std::unique_ptr<curl_mime, MimeDeleter> form(curl_mime_init(curl.get()));
        for (const auto& p : request.parts) {
            curl_mimepart* part = curl_mime_addpart(form.get());
            curl_mime_name(part, p.name.c_str());
            if (!p.file_path.empty()) {
                if (curl_mime_filedata(part, p.file_path.c_str()) != CURLE_OK) {
                    out.outcome = HttpResponse::Outcome::FileUnreadable;
                    out.error = "cannot read " + p.file_path;
                    return out;
                }
                if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
            } else {
                curl_mime_data(part, p.value.c_str(), CURL_ZERO_TERMINATED);
            }
        }
        const Slist headers = header_list(request.headers);
        curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, form.get());
        curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
        curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
        abort_when(curl.get(), request.abort_when);
        perform(curl.get(), request.url, headers.get(), request.connect_timeout_seconds,
                request.timeout_seconds, out);
        return out;
    }

    HttpResponse send(const HttpRequest& request) override {
        HttpResponse out;
        std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
        if (!curl) return no_handle();
        CURL* c = curl.get();
        Transfer transfer{c, &request, &out};
        std::vector<std::string> header_lines = request.headers;
        header_lines.emplace_back("Expect:");  // no 100-continue round trip before a body
        const Slist headers = header_list(header_lines);

        const std::string& method = request.method;
        const bool reads_body = request.body_reader != nullptr;
        if (method == "HEAD") {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (method == "PUT") {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_request_bytes);
            curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                             static_cast<curl_off_t>(reads_body ? request.body_size : request.body.size()));
        } else if (method == "POST" && !reads_body) {
            // In memory, so that libcurl's SigV4 signs the payload's hash.
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
        } else if (method != "GET") {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_response_bytes);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header_line);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
        if (!request.aws_sigv4.empty()) {
            curl_easy_setopt(c, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
            curl_easy_setopt(c, CURLOPT_USERPWD, request.credentials.c_str());
        }
        if (request.stall_seconds > 0) {
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
            curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, request.stall_seconds);
        }
        abort_when(c, request.abort_when);
        perform(c, request.url, headers.get(), request.connect_timeout_seconds, request.timeout_seconds, out);
        if (transfer.failure) std::rethrow_exception(transfer.failure);
        return out;
    }
};

}  // namespace

}  // namespace vidseg::net

extern "C" __attribute__((visibility("default"))) vidseg::net::HttpClient* vidseg_http_client() {
    static vidseg::net::CurlHttpClient client;
    return &client;
}

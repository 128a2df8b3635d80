// libvidseg_http.so: the libcurl implementation of asr/http_client.hpp, dlopen()ed by http_client()
// on the first request. Exported: only the factory below (hidden visibility otherwise).
#include <memory>

#include <curl/curl.h>

#include "vidseg/asr/http_client.hpp"

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

class CurlHttpClient final : public HttpClient {
public:
    // curl_global_init is not thread-safe: done once here, when the module is loaded under a mutex.
    CurlHttpClient() { curl_global_init(CURL_GLOBAL_DEFAULT); }

    HttpResponse post_multipart(const MultipartPost& request) override {
        HttpResponse out;
        std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
        if (!curl) {
            out.outcome = HttpResponse::Outcome::NotReachable;
            out.error = "curl_easy_init failed";
            return out;
        }
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
        std::unique_ptr<curl_slist, SlistDeleter> headers;
        for (const auto& h : request.headers) {
            curl_slist* grown = curl_slist_append(headers.get(), h.c_str());
            if (grown) {
                (void)headers.release();  // curl_slist_append returned the (same) list head
                headers.reset(grown);
            }
        }
        char error_text[CURL_ERROR_SIZE] = {0};
        curl_easy_setopt(curl.get(), CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, form.get());
        if (headers) curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
        curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
        curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
        curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, request.connect_timeout_seconds);
        curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, request.timeout_seconds);
        const CURLcode rc = curl_easy_perform(curl.get());
        if (rc != CURLE_OK) {
            out.outcome = HttpResponse::Outcome::NotReachable;
            out.error = error_text[0] ? std::string(error_text) : curl_easy_strerror(rc);
            return out;
        }
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
        return out;
    }
};

}  // namespace

}  // namespace vidseg::asr

extern "C" __attribute__((visibility("default"))) vidseg::asr::HttpClient* vidseg_http_client() {
    static vidseg::asr::CurlHttpClient client;
    return &client;
}

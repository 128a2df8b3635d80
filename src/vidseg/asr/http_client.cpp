#include "vidseg/asr/http_client.hpp"

#include <mutex>
#include <new>
#include <stdexcept>

#include "vidseg/core/error.hpp"
#include "vidseg/core/module_loader.hpp"

#ifndef VIDSEG_HTTP_MODULE_PATH
#define VIDSEG_HTTP_MODULE_PATH ""
#endif

namespace vidseg::asr {

namespace {

class GuardedClient final : public HttpClient {
public:
    explicit GuardedClient(HttpClient* inner) : inner_(inner) {}
    HttpResponse post_multipart(const MultipartPost& request) override {
        return call_module(ModuleErrors{"the HTTP module", "HTTP module: "},
                           [&] { return inner_->post_multipart(request); });
    }

private:
    HttpClient* inner_;  // owned by the module, which stays loaded for the life of the process
};

}  // namespace

HttpClient& http_client() {
    static std::mutex mutex;
    static HttpClient* client = nullptr;
    std::lock_guard lock(mutex);
    if (!client) {
        const ModuleSpec spec{"libvidseg_http.so", "VIDSEG_HTTP_MODULE", VIDSEG_HTTP_MODULE_PATH,
                              "the libcurl HTTP module"};
        auto factory = reinterpret_cast<HttpClientFactory>(load_module_symbol(spec, kHttpClientSymbol));
        static GuardedClient guarded(factory());
        client = &guarded;
    }
    return *client;
}

}  // namespace vidseg::asr

#include "vidseg/net/http_client.hpp"

#include "vidseg/core/error.hpp"
#include "vidseg/core/module_loader.hpp"

#ifndef VIDSEG_HTTP_MODULE_PATH
#define VIDSEG_HTTP_MODULE_PATH ""
#endif

namespace vidseg::net {

namespace {

const ModuleErrors kErrors{"the HTTP module", "HTTP module: "};

class GuardedClient final : public HttpClient {
public:
    explicit GuardedClient(HttpClient* inner) : inner_(inner) {}
    HttpResponse post_multipart(const MultipartPost& request) override {
        return call_module(kErrors, [&] { return inner_->post_multipart(request); });
    }
    HttpResponse send(const HttpRequest& request) override {
        return call_module(kErrors, [&] { return inner_->send(request); });
    }

private:
    HttpClient* inner_;  // owned by the module, which stays loaded for the life of the process
};

}  // namespace

HttpClient& http_client() {
    static const ModuleSpec spec{"libvidseg_http.so", "VIDSEG_HTTP_MODULE", VIDSEG_HTTP_MODULE_PATH,
                                 "the libcurl HTTP module"};
    // Loaded on the first request; a failed load throws and is tried again on the next call.
    static GuardedClient client(load_module_factory<HttpClientFactory>(spec, kHttpClientSymbol)());
    return client;
}

}  // namespace vidseg::net

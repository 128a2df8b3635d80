// `vidseg serve`'s HTTP layer (cpp-httplib behind an epoll loop, event_server.hpp): read/write timeouts,
// the routes of the JSON API and the tus upload endpoint, /healthz, /metrics, /api/openapi.json.
// Routes only parse requests and format answers; the platform library does the work, and its
// errors (vidseg::Error, ApiError) become an HTTP status + {"error": {"code", "message"}} here.
#pragma once

#include <functional>
#include <string>

#include "vidseg/platform/label_studio_service.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::server {

struct ServerConfig {
    std::string listen = "127.0.0.1:8080";  // host:port; port 0 = any free port
    int threads =
        256;  // threads at most: workers + requests holding one (uploads, streams; event_server.hpp)
    int http_workers =
        0;  // threads serving complete requests from the event loop; 0 = the number of cores (>= 2)
    int read_timeout_seconds = 10;  // a client that sends nothing for this long is cut off
    int write_timeout_seconds = 10;
    int keep_alive_seconds = 5;
    int keep_alive_requests = 100;  // requests on one connection before the server closes it
    bool secure_cookies = false;    // add `Secure` to the session cookie (behind a TLS proxy)
    std::string web_dir;            // the built web UI (--web); empty = found (server/web_assets.hpp)
    platform::LabelStudioSettings label_studio;  // --label-studio-*, --public-url
    // More Prometheus text appended to /metrics (the in-process watch agent's counters); may be empty.
    std::function<std::string()> extra_metrics;
};

// Serves until cancel_requested() (SIGINT/SIGTERM). on_listening(host, port) runs once bound.
// The web UI is served at / from config.web_dir or the folder find_web_root() finds.
// Throws Error(OutputError) when the address cannot be bound, InvalidArgument for a bad address.
void run_server(platform::Platform& platform, const ServerConfig& config,
                const std::function<void(const std::string& host, int port)>& on_listening);

// The OpenAPI 3.1 document of the API (src/vidseg/server/openapi.json, compiled in).
const std::string& openapi_document();

}  // namespace vidseg::server

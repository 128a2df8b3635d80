#include "vidseg/server/http_server.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/stop_request.hpp"
#include "vidseg/server/event_server.hpp"
#include "vidseg/server/platform_extra_routes.hpp"
#include "vidseg/server/router.hpp"
#include "vidseg/server/web_assets.hpp"

namespace vidseg::server {

namespace {

std::pair<std::string, int> split_listen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size())
        throw Error(ErrorCode::InvalidArgument, "--listen expects HOST:PORT, got '" + listen + "'");
    const std::string port_text = listen.substr(colon + 1);
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port_text) > 65535)
        throw Error(ErrorCode::InvalidArgument, "--listen: bad port '" + port_text + "'");
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, std::stoi(port_text)};
}

// Every client holds a descriptor: the soft limit on open files (often 1024 under systemd or a login
// shell) would refuse connections long before the hard limit. The descriptors above 1024 this gives
// are served like the others (http_library.hpp: poll, not select).
void raise_open_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);  // a failure keeps the old limit, which still works
}

}  // namespace

void run_server(platform::Platform& platform, const ServerConfig& config,
                const std::function<void(const std::string&, int)>& on_listening) {
    const auto [host, port] = split_listen(config.listen);
    raise_open_file_limit();
    // Clients wait in one epoll set; a few workers serve complete requests (event_server.hpp).
    EventServerSettings settings;
    settings.workers = config.http_workers > 0
                           ? static_cast<std::size_t>(config.http_workers)
                           : std::max<std::size_t>(2, std::thread::hardware_concurrency());
    settings.max_threads =
        std::max<std::size_t>(settings.workers, static_cast<std::size_t>(std::max(1, config.threads)));
    settings.read_timeout_seconds = config.read_timeout_seconds;
    settings.write_timeout_seconds = config.write_timeout_seconds;
    settings.keep_alive_seconds = config.keep_alive_seconds;
    settings.keep_alive_requests = static_cast<std::size_t>(std::max(1, config.keep_alive_requests));
    EventServer server(settings);
    // Each answer is sent with one write, but streamed ones (SSE) come in chunks: no Nagle delay for them.
    server.set_tcp_nodelay(true);
    // The listening socket, to raise its backlog once bound (below).
    int listen_socket = -1;
    server.set_socket_options([&listen_socket](socket_t sock) {
        httplib::default_socket_options(sock);
        listen_socket = sock;
    });
    server.set_payload_max_length(platform.config().max_upload + (1u << 20));
    server.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});
    // Bodies are only read by the routes that take one (with their own limits); a body sent to a
    // route without one is refused before it is read.
    server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
        const bool takes_body = request.method == "POST" || request.method == "PATCH" ||
                                request.method == "PUT" || request.method == "DELETE";
        const std::string length = request.get_header_value("Content-Length");
        if (!takes_body && ((!length.empty() && length != "0") || request.has_header("Transfer-Encoding"))) {
            send_error(response, 413, "too_large", request.method + " takes no body");
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) return;
        send_error(response, response.status, response.status == 404 ? "not_found" : "http_error",
                   response.status == 404 ? "no such route" : "request refused");
    });

    Metrics metrics;
    Router router(server, platform, metrics, config);
    router.add("GET", "/healthz", "GET /healthz", Access::Public, [&platform](Exchange& x) {
        platform.catalog().user_count();  // the catalog answers
        x.send_json(200, {{"status", "ok"}});
    });
    router.add("GET", "/metrics", "GET /metrics", Access::Public, [&platform, &metrics, &config](Exchange& x) {
        std::string text = metrics.render(platform.catalog().job_counts_by_state(), platform.catalog().lease_stats());
        if (config.extra_metrics) text += config.extra_metrics();
        x.response.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
    });
    router.add("GET", "/api/openapi.json", "GET /api/openapi.json", Access::Public,
               [](Exchange& x) { x.response.set_content(openapi_document(), "application/json"); });
    add_account_routes(router);
    add_upload_routes(router);
    add_stream_routes(router);
    add_video_and_job_routes(router);
    add_review_routes(router);
    add_intro_routes(router);
    add_model_routes(router);
    add_waveform_routes(router);
    const auto label_studio = std::make_shared<platform::LabelStudioService>(platform, config.label_studio);
    add_label_studio_routes(router, label_studio);
    add_mcp_routes(router);
    const auto web_root = find_web_root(config.web_dir);
    if (!web_root && !config.web_dir.empty())
        throw Error(ErrorCode::InputNotFound, "--web: no index.html in '" + config.web_dir + "'",
                    config.web_dir);
    add_web_routes(router, web_root);

    const int bound =
        port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
    if (bound < 0)
        throw Error(ErrorCode::OutputError, "cannot listen on " + config.listen + " (in use or not allowed)");
    // cpp-httplib 0.11 listens with a backlog of 5: a burst of new connections (200 clients, or clients
    // reconnecting after each connection's 5 kept-alive requests) overflows it, the kernel drops them and
    // they retry after 1 s (bench/server_load.py's p99). listen() on the bound socket raises it.
    if (listen_socket >= 0 && ::listen(listen_socket, SOMAXCONN) != 0)
        throw Error(ErrorCode::OutputError, "cannot set the listen backlog on " + config.listen);
    // SIGINT/SIGTERM set the process's cancel flag; this watcher turns it into a clean stop. It sleeps
    // until then (core/stop_request.hpp): an idle server has no periodic wake-up for it.
    StopRequestWait stop_request;
    std::thread watcher([&] {
        if (stop_request.wait()) server.stop_serving();
    });
    // Named here, before the server says it listens (from inside the thread the name could come later):
    // the idle wake-up test finds it by this name.
    ::pthread_setname_np(watcher.native_handle(), "vidseg-stop");
    // Label Studio's webhooks and media links reach this server under --public-url, else the bound address.
    label_studio->set_public_url("http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                                 ":" + std::to_string(bound));
    if (on_listening) on_listening(host, bound);
    log_line({{"level", "info"},
              {"event", "listening"},
              {"host", host},
              {"port", bound},
              {"web", web_root ? web_root->string() : "(not built)"}});
    try {
        server.serve(listen_socket);
    } catch (const Error&) {
        stop_request.release();
        watcher.join();
        throw;
    }
    stop_request.release();
    watcher.join();
    log_line({{"level", "info"}, {"event", "stopped"}});
}

}  // namespace vidseg::server

// Private to the HTTP layer (includes cpp-httplib): registers routes with one wrapper that
// authenticates, checks CSRF for cookie requests, times the request for /metrics, writes the JSON
// log line, and turns exceptions into the JSON error answer.
#pragma once

#include "vidseg/server/http_library.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vidseg/platform/label_studio_service.hpp"
#include "vidseg/platform/platform.hpp"
#include "vidseg/server/http_server.hpp"
#include "vidseg/server/metrics.hpp"

namespace vidseg::server {

inline constexpr std::size_t kMaxJsonBody = 1u << 20;
inline constexpr const char* kSessionCookie = "vidseg_session";

// One request as the handlers see it.
struct Exchange {
    const httplib::Request& request;
    httplib::Response& response;
    const httplib::ContentReader* reader = nullptr;  // routes with a body
    std::optional<platform::Principal> principal;    // set on authenticated routes
    std::string ip;
    mutable bool body_read = false;

    const platform::Principal& who() const { return *principal; }
    // Streams the body to sink (once); false when it ended early.
    bool read_body(const std::function<bool(const char*, std::size_t)>& sink) const;
    // The path parameter i (1-based regex group) as an id; ApiError 404 when it is not one.
    std::int64_t id(int group = 1) const;
    std::string param(int group) const { return request.matches[group].str(); }
    // The body (at most kMaxJsonBody bytes) as a JSON object; ApiError 400 / 413 otherwise.
    nlohmann::json json_body() const;
    void send_json(int status, const nlohmann::json& doc) const;
    // A JSON text made without nlohmann::json (platform/video_json.hpp), sent as it is.
    void send_json_text(int status, std::string text) const;
};

enum class Access { Public, User, Admin };

class Router {
  public:
    Router(httplib::Server& server, platform::Platform& platform, Metrics& metrics,
           const ServerConfig& config)
        : server_(server), platform_(platform), metrics_(metrics), config_(config) {}

    using Handler = std::function<void(Exchange&)>;
    // method: GET (also answers HEAD), POST, PATCH, PUT, DELETE, OPTIONS. `name` labels metrics and
    // logs ("GET /api/jobs/{id}").
    void add(const std::string& method, const std::string& pattern, const std::string& name, Access access,
             Handler handler);

    platform::Platform& platform() { return platform_; }
    Metrics& metrics() { return metrics_; }
    const ServerConfig& config() const { return config_; }

  private:
    void dispatch(const std::string& name, Access access, const Handler& handler,
                  const httplib::Request& request, httplib::Response& response,
                  const httplib::ContentReader* reader);

    httplib::Server& server_;
    platform::Platform& platform_;
    Metrics& metrics_;
    const ServerConfig& config_;
};

// JSON error answer.
void send_error(httplib::Response& response, int status, const std::string& code, const std::string& message);
// One structured log line on stderr.
void log_line(nlohmann::json fields);  // by value: the callers' temporaries are moved in, not copied

// Route groups (routes_*.cpp).
void add_account_routes(Router& router);
void add_upload_routes(Router& router);
void add_video_and_job_routes(Router& router);
// The web UI's files from root (nothing found: a page saying how to build it); registered last.
void add_web_routes(Router& router, const std::optional<std::filesystem::path>& root);
void add_stream_routes(Router& router);  // SSE progress, results as one zip
void add_review_routes(Router& router);  // the web review of a dataset build job (routes_review.cpp)
void add_intro_routes(Router& router);   // the web intros page: series, corrections, labels
// The Label Studio connection (routes_labelstudio.cpp).
void add_label_studio_routes(Router& router, const std::shared_ptr<platform::LabelStudioService>& service);
void add_mcp_routes(Router& router);     // /mcp: the MCP server (streamable HTTP)

}  // namespace vidseg::server

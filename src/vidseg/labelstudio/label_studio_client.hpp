// A client of a Label Studio server's REST API (labelstud.io/api), over the libcurl module
// (net/http_client.hpp). It authenticates with either kind of token Label Studio hands out:
//  * a legacy API token (40 hex characters): sent as `Authorization: Token <token>`;
//  * a personal access token (a JWT refresh token, "eyJ..."): exchanged for a short-lived access token
//    at POST /api/token/refresh/ and sent as `Authorization: Bearer <access>`; an answer 401 (the access
//    token expired) refreshes it once and repeats the request.
// Failures are LabelStudioError with a kind the server turns into a clear state: the server not
// reachable, the token refused, the object gone, or the request refused (the message quotes Label
// Studio's own explanation).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"

namespace vidseg::labelstudio {

struct ClientConfig {
    std::string url;    // "http://127.0.0.1:8081" (a trailing '/' is dropped)
    std::string token;  // legacy token or personal access token
    long connect_timeout_seconds = 10;
    long timeout_seconds = 120;  // whole request (exports of large projects take a while)
};

enum class Failure {
    Unreachable,   // connection refused, DNS, timeout
    Unauthorized,  // 401 / 403: wrong, expired or revoked token
    NotFound,      // 404: the project or task was deleted
    Refused,       // any other non-2xx answer, or an answer that is not the JSON expected
};
const char* failure_name(Failure failure) noexcept;  // "unreachable", "unauthorized", "not_found", "refused"

class LabelStudioError : public Error {
  public:
    LabelStudioError(Failure failure, long status, const std::string& message);
    Failure failure() const noexcept { return failure_; }
    long status() const noexcept { return status_; }  // HTTP status; 0 when there was no answer

  private:
    Failure failure_;
    long status_;
};

// True for a personal access token (a JWT: three base64url parts separated by '.').
bool is_personal_access_token(const std::string& token);

class Client {
  public:
    explicit Client(ClientConfig config);  // InvalidArgument for an empty URL / token or a non-http URL

    const std::string& url() const { return config_.url; }

    // GET /api/current-user/whoami: the token's user ({id, email, username, ...}).
    nlohmann::json whoami();
    // POST /api/projects/ {title, label_config, description}: the new project's id.
    std::int64_t create_project(const std::string& title, const std::string& label_config,
                                const std::string& description = {});
    // POST /api/projects/{id}/import with a JSON list of tasks: Label Studio's answer ({task_count, ...}).
    nlohmann::json import_tasks(std::int64_t project, const nlohmann::json& tasks);
    // GET /api/projects/{id}/export?exportType=JSON: the full JSON export (annotated tasks).
    nlohmann::json export_json(std::int64_t project);
    // GET /api/users/: the organisation's users (for annotator names).
    nlohmann::json users();
    // POST /api/webhooks/: a webhook of the project calling `url` with `headers` for `actions`; its id.
    std::int64_t add_webhook(std::int64_t project, const std::string& url,
                             const std::map<std::string, std::string>& headers,
                             const std::vector<std::string>& actions);

    // A request with authentication; `body` null = none. The parsed JSON answer (null for an empty one).
    nlohmann::json call(const std::string& method, const std::string& path,
                        const nlohmann::json& body = nullptr);

  private:
    std::string authorization();  // the header value, refreshing the access token when needed
    void refresh_access_token();

    ClientConfig config_;
    bool personal_ = false;
    std::mutex mutex_;
    std::string access_token_;  // personal access token mode: the current access token
};

}  // namespace vidseg::labelstudio

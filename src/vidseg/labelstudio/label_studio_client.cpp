#include "vidseg/labelstudio/label_studio_client.hpp"

#include <algorithm>
#include <cctype>

#include "vidseg/net/http_client.hpp"

namespace vidseg::labelstudio {

namespace {

ErrorCode code_for(Failure failure) {
    switch (failure) {
        case Failure::Unreachable:
            return ErrorCode::Unsupported;
        case Failure::Unauthorized:
            return ErrorCode::InvalidArgument;
        case Failure::NotFound:
            return ErrorCode::InputNotFound;
        case Failure::Refused:
            return ErrorCode::InvalidData;
    }
    return ErrorCode::Internal;
}

// Label Studio's explanation of a refusal: {"detail": ...} / {"validation_errors": ...} / the text.
std::string explanation(const std::string& body) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    std::string text;
    if (doc.is_object()) {
        for (const char* key : {"detail", "validation_errors", "error", "message"}) {
            if (!doc.contains(key)) continue;
            text = doc[key].is_string() ? doc[key].get<std::string>() : doc[key].dump();
            break;
        }
        if (text.empty()) text = doc.dump();
    } else {
        text = body;
    }
    for (auto& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    if (text.size() > 300) text = text.substr(0, 300) + "...";
    return text;
}

bool base64url_part(const std::string& part) {
    return !part.empty() && std::all_of(part.begin(), part.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '=';
    });
}

}  // namespace

const char* failure_name(Failure failure) noexcept {
    switch (failure) {
        case Failure::Unreachable:
            return "unreachable";
        case Failure::Unauthorized:
            return "unauthorized";
        case Failure::NotFound:
            return "not_found";
        case Failure::Refused:
            return "refused";
    }
    return "refused";
}

LabelStudioError::LabelStudioError(Failure failure, long status, const std::string& message)
    : Error(code_for(failure), message), failure_(failure), status_(status) {}

bool is_personal_access_token(const std::string& token) {
    const auto first = token.find('.');
    if (first == std::string::npos) return false;
    const auto second = token.find('.', first + 1);
    if (second == std::string::npos || token.find('.', second + 1) != std::string::npos) return false;
    return base64url_part(token.substr(0, first)) &&
           base64url_part(token.substr(first + 1, second - first - 1)) &&
           base64url_part(token.substr(second + 1));
}

Client::Client(ClientConfig config) : config_(std::move(config)) {
    while (!config_.url.empty() && config_.url.back() == '/') config_.url.pop_back();
    if (config_.url.rfind("http://", 0) != 0 && config_.url.rfind("https://", 0) != 0)
        throw Error(ErrorCode::InvalidArgument,
                    "the Label Studio URL must start with http:// or https:// (--label-studio-url)",
                    config_.url);
    if (config_.token.empty())
        throw Error(
            ErrorCode::InvalidArgument,
            "a Label Studio token is required (--label-studio-token: the legacy API token or a personal "
            "access token of Label Studio's Account & Settings page)");
    personal_ = is_personal_access_token(config_.token);
}

void Client::refresh_access_token() {
    net::HttpRequest request;
    request.method = "POST";
    request.url = config_.url + "/api/token/refresh/";
    request.headers = {"Content-Type: application/json", "Accept: application/json"};
    request.body = nlohmann::json{{"refresh", config_.token}}.dump();
    request.connect_timeout_seconds = config_.connect_timeout_seconds;
    request.timeout_seconds = config_.timeout_seconds;
    const auto response = net::http_client().send(request);
    if (response.outcome != net::HttpResponse::Outcome::Answered)
        throw LabelStudioError(Failure::Unreachable, 0,
                               "Label Studio at " + config_.url + " is not reachable: " + response.error);
    if (response.status == 401 || response.status == 403 || response.status == 400)
        throw LabelStudioError(Failure::Unauthorized, response.status,
                               "Label Studio refused the personal access token (HTTP " +
                                   std::to_string(response.status) + ": " + explanation(response.body) +
                                   "); create a new one in Label Studio's Account & Settings");
    const auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status / 100 != 2 || !doc.is_object() || !doc.contains("access") ||
        !doc["access"].is_string())
        throw LabelStudioError(Failure::Refused, response.status,
                               "Label Studio's token refresh answered HTTP " +
                                   std::to_string(response.status) +
                                   " without an access token: " + explanation(response.body));
    access_token_ = doc["access"].get<std::string>();
}

std::string Client::authorization() {
    if (!personal_) return "Token " + config_.token;
    std::lock_guard lock(mutex_);
    if (access_token_.empty()) refresh_access_token();
    return "Bearer " + access_token_;
}

nlohmann::json Client::call(const std::string& method, const std::string& path, const nlohmann::json& body) {
    for (int attempt = 0;; ++attempt) {
        net::HttpRequest request;
        request.method = method;
        request.url = config_.url + path;
        request.headers = {"Authorization: " + authorization(), "Accept: application/json"};
        if (!body.is_null()) {
            request.headers.push_back("Content-Type: application/json");
            request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        request.connect_timeout_seconds = config_.connect_timeout_seconds;
        request.timeout_seconds = config_.timeout_seconds;
        const auto response = net::http_client().send(request);
        const std::string what = method + " " + path;
        if (response.outcome != net::HttpResponse::Outcome::Answered)
            throw LabelStudioError(
                Failure::Unreachable, 0,
                "Label Studio at " + config_.url + " is not reachable (" + what + "): " + response.error);
        if (response.status == 401 && personal_ && attempt == 0) {
            std::lock_guard lock(mutex_);
            access_token_.clear();  // expired: the next authorization() refreshes it
            continue;
        }
        if (response.status == 401 || response.status == 403)
            throw LabelStudioError(Failure::Unauthorized, response.status,
                                   "Label Studio refused the token (HTTP " + std::to_string(response.status) +
                                       " for " + what + ": " + explanation(response.body) +
                                       "); check --label-studio-token");
        if (response.status == 404)
            throw LabelStudioError(Failure::NotFound, 404,
                                   "Label Studio has no such object (" + what + "): it was deleted there");
        if (response.status / 100 != 2)
            throw LabelStudioError(Failure::Refused, response.status,
                                   "Label Studio refused " + what + " (HTTP " +
                                       std::to_string(response.status) + "): " + explanation(response.body));
        if (response.body.empty()) return nullptr;
        auto doc = nlohmann::json::parse(response.body, nullptr, false);
        if (doc.is_discarded())
            throw LabelStudioError(Failure::Refused, response.status,
                                   "Label Studio answered " + what + " with something that is not JSON");
        return doc;
    }
}

nlohmann::json Client::whoami() {
    return call("GET", "/api/current-user/whoami");
}

std::int64_t Client::create_project(const std::string& title, const std::string& label_config,
                                    const std::string& description) {
    const auto doc = call("POST", "/api/projects/",
                          {{"title", title}, {"label_config", label_config}, {"description", description}});
    if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_number_integer())
        throw LabelStudioError(Failure::Refused, 0, "Label Studio created a project without an id");
    return doc["id"].get<std::int64_t>();
}

nlohmann::json Client::import_tasks(std::int64_t project, const nlohmann::json& tasks) {
    return call("POST", "/api/projects/" + std::to_string(project) + "/import", tasks);
}

nlohmann::json Client::export_json(std::int64_t project) {
    auto doc = call("GET", "/api/projects/" + std::to_string(project) + "/export?exportType=JSON");
    if (!doc.is_array())
        throw LabelStudioError(
            Failure::Refused, 0,
            "Label Studio's JSON export of project " + std::to_string(project) + " is not a list");
    return doc;
}

nlohmann::json Client::users() {
    auto doc = call("GET", "/api/users/");
    if (doc.is_object() && doc.contains("results")) return doc["results"];
    return doc.is_array() ? doc : nlohmann::json::array();
}

std::int64_t Client::add_webhook(std::int64_t project, const std::string& url,
                                 const std::map<std::string, std::string>& headers,
                                 const std::vector<std::string>& actions) {
    const auto doc = call("POST", "/api/webhooks/",
                          {{"project", project},
                           {"url", url},
                           {"headers", headers},
                           {"send_payload", true},
                           {"send_for_all_actions", false},
                           {"is_active", true},
                           {"actions", actions}});
    return doc.is_object() && doc.contains("id") && doc["id"].is_number_integer()
               ? doc["id"].get<std::int64_t>()
               : 0;
}

}  // namespace vidseg::labelstudio

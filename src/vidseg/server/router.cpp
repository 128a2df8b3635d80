#include "vidseg/server/router.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "vidseg/core/error.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/server/event_server.hpp"

namespace vidseg::server {

using platform::ApiError;

namespace {

int status_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument:
            return 400;
        case ErrorCode::InvalidData:
            return 400;
        case ErrorCode::InputNotFound:
            return 404;
        case ErrorCode::InvalidMedia:
            return 422;
        case ErrorCode::Unsupported:
            return 422;
        case ErrorCode::OutputError:
            return 500;
        case ErrorCode::Interrupted:
            return 503;
        case ErrorCode::Internal:
            return 500;
    }
    return 500;
}

std::string cookie_value(const httplib::Request& request, const std::string& name) {
    const std::string header = request.get_header_value("Cookie");
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto end = header.find(';', pos);
        if (end == std::string::npos) end = header.size();
        std::string part = header.substr(pos, end - pos);
        pos = end + 1;
        while (!part.empty() && part.front() == ' ') part.erase(part.begin());
        if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    }
    return {};
}

bool changes_state(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

platform::Principal authenticate(platform::Platform& platform, const httplib::Request& request) {
    const std::string authorization = request.get_header_value("Authorization");
    if (!authorization.empty()) {
        if (authorization.rfind("Bearer ", 0) != 0)
            throw platform::unauthorized("Authorization must be 'Bearer <token>'");
        return platform.accounts().authenticate_token(authorization.substr(7));
    }
    const std::string session = cookie_value(request, kSessionCookie);
    if (session.empty())
        throw platform::unauthorized(
            "log in first (POST /api/login) or send 'Authorization: Bearer <token>'");
    auto principal = platform.accounts().authenticate_session(session);
    if (changes_state(request.method) &&
        !platform::constant_time_equal(request.get_header_value("X-CSRF-Token"), principal.csrf_token))
        throw platform::forbidden(
            "a cookie-authenticated request that changes state needs the X-CSRF-Token header");
    return principal;
}

}  // namespace

void log_line(nlohmann::json line) {
    char time[32];
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%SZ", &tm);
    line["time"] = time;
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
}

void send_error(httplib::Response& response, int status, const std::string& code,
                const std::string& message) {
    response.status = status;
    nlohmann::json doc = {{"error", {{"code", code}, {"message", message}}}};
    response.set_content(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
}

std::int64_t Exchange::id(int group) const {
    const std::string text = request.matches[group].str();
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
        throw platform::not_found("'" + text + "'");
    return std::stoll(text);
}

bool Exchange::read_body(const std::function<bool(const char*, std::size_t)>& sink) const {
    if (!reader || body_read) return true;
    body_read = true;
    return (*reader)([&](const char* data, std::size_t size) { return sink(data, size); });
}

nlohmann::json Exchange::json_body() const {
    std::string body;
    bool too_large = false;
    read_body([&](const char* data, std::size_t size) {
        if (body.size() + size > kMaxJsonBody) {
            too_large = true;
            return false;
        }
        body.append(data, size);
        return true;
    });
    if (too_large) throw ApiError(413, "too_large", "a JSON body has at most 1 MiB");
    auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw ApiError(400, "bad_json", "the body must be a JSON object");
    return doc;
}

void Exchange::send_json(int status, const nlohmann::json& doc) const {
    response.status = status;
    response.set_content(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
}

void Exchange::send_json_text(int status, std::string text) const {
    response.status = status;
    response.body = std::move(text);  // set_content() would copy it
    response.set_header("Content-Type", "application/json");
}

void Router::add(const std::string& method, const std::string& pattern, const std::string& name,
                 Access access, Handler handler) {
    auto plain = [this, name, access, handler](const httplib::Request& rq, httplib::Response& rs) {
        dispatch(name, access, handler, rq, rs, nullptr);
    };
    auto with_body = [this, name, access, handler](const httplib::Request& rq, httplib::Response& rs,
                                                   const httplib::ContentReader& reader) {
        dispatch(name, access, handler, rq, rs, &reader);
    };
    if (method == "GET")
        server_.Get(pattern, plain);
    else if (method == "OPTIONS")
        server_.Options(pattern, plain);
    else if (method == "POST")
        server_.Post(pattern, with_body);
    else if (method == "PATCH")
        server_.Patch(pattern, with_body);
    else if (method == "PUT")
        server_.Put(pattern, with_body);
    else if (method == "DELETE")
        server_.Delete(pattern, with_body);
    else
        throw Error(ErrorCode::Internal, "unknown method " + method);
}

void Router::dispatch(const std::string& name, Access access, const Handler& handler,
                      const httplib::Request& request, httplib::Response& response,
                      const httplib::ContentReader* reader) {
    const auto started = std::chrono::steady_clock::now();
    Exchange exchange{request, response, reader, std::nullopt, request.remote_addr};
    try {
        if (access != Access::Public) {
            exchange.principal = authenticate(platform_, request);
            if (access == Access::Admin) platform_.accounts().require_admin(*exchange.principal);
        }
        handler(exchange);
        // A streamed answer (SSE, zip, files) keeps this thread while it is written.
        if (response.content_provider_) hold_thread_for_long_request();
    } catch (const ApiError& e) {
        send_error(response, e.status(), e.api_code(), e.what());
    } catch (const Error& e) {
        send_error(response, status_for(e.code()), error_code_name(e.code()), e.what());
    } catch (const std::exception& e) {
        send_error(response, 500, "internal", std::string("internal error: ") + e.what());
    }
    // A body the route did not read would be taken for the next request on this connection: a small
    // one is read and dropped, a large one ends the connection.
    if (reader && !exchange.body_read) {
        const std::string length = request.get_header_value("Content-Length");
        if (length.size() < 7 && length.find_first_not_of("0123456789") == std::string::npos)
            exchange.read_body([](const char*, std::size_t) { return true; });
        else
            response.set_header("Connection", "close");
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string route =
        (request.method == "HEAD" ? std::string("HEAD") + name.substr(name.find(' ')) : name);
    metrics_.observe(route, response.status, seconds);
    log_line({{"level", response.status >= 500 ? "error" : "info"},
              {"event", "request"},
              {"route", route},
              {"status", response.status},
              {"ms", std::round(seconds * 100000) / 100},
              {"user", exchange.principal ? exchange.principal->user.name : ""},
              {"ip", exchange.ip}});
}

}  // namespace vidseg::server

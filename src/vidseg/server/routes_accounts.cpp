// Login, logout, API tokens, users and roles, the audit log.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "vidseg/platform/api_error.hpp"
#include "vidseg/server/event_server.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

using nlohmann::json;
using platform::ApiError;

namespace {

std::string string_field(const json& body, const std::string& name, bool required = true) {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
        if (required) throw ApiError(400, "bad_request", "'" + name + "' is required");
        return {};
    }
    if (!it->is_string()) throw ApiError(400, "bad_request", "'" + name + "' must be a string");
    return it->get<std::string>();
}

catalog::Role role_field(const json& body) {
    const auto role = catalog::role_from_name(string_field(body, "role"));
    if (!role) throw ApiError(400, "bad_request", "'role' is 'admin' or 'dl-user'");
    return *role;
}

}  // namespace

void add_account_routes(Router& router) {
    auto& platform = router.platform();
    auto& accounts = platform.accounts();
    const bool secure = router.config().secure_cookies;

    router.add("POST", "/api/login", "POST /api/login", Access::Public, [&accounts, secure](Exchange& x) {
        hold_thread_for_long_request();  // argon2id: tens of ms of CPU, maybe waiting for other logins
        const auto body = x.json_body();
        const auto api_token = body.find("api_token");
        if (api_token != body.end() && !api_token->is_boolean())
            throw ApiError(400, "bad_request", "'api_token' must be true or false");
        const bool with_token = api_token == body.end() || api_token->get<bool>();
        const auto result =
            accounts.login(string_field(body, "username"), string_field(body, "password"), x.ip, with_token);
        std::string cookie = std::string(kSessionCookie) + "=" + result.session_id +
                             "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                             std::to_string(result.expires - platform::unix_now());
        if (secure) cookie += "; Secure";
        x.response.set_header("Set-Cookie", cookie);
        json doc = {{"user", platform::to_json(result.user)},
                    {"csrf_token", result.csrf_token},
                    {"expires", result.expires}};
        if (with_token) {
            doc["token"] = result.token;
            doc["token_id"] = result.token_id;
        }
        x.send_json(200, doc);
    });

    router.add("POST", "/api/logout", "POST /api/logout", Access::User, [&accounts](Exchange& x) {
        accounts.logout(x.who());
        x.response.set_header(
            "Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        x.send_json(200, {{"ok", true}});
    });

    // A browser session also gets its CSRF token back, so a reloaded page can still change things
    // (another origin cannot read this answer).
    router.add("GET", "/api/me", "GET /api/me", Access::User, [](Exchange& x) {
        auto doc = platform::to_json(x.who().user);
        if (x.who().via_session) doc["csrf_token"] = x.who().csrf_token;
        x.send_json(200, doc);
    });

    // The caller's own settings: only "language" ("ru" | "en"), the web UI's language after login.
    router.add("PUT", "/api/me", "PUT /api/me", Access::User, [&accounts](Exchange& x) {
        const auto body = x.json_body();
        for (const auto& [key, value] : body.items())
            if (key != "language") throw ApiError(400, "bad_request", "'" + key + "' cannot be changed here");
        auto doc = platform::to_json(accounts.set_language(x.who(), string_field(body, "language")));
        if (x.who().via_session) doc["csrf_token"] = x.who().csrf_token;
        x.send_json(200, doc);
    });

    router.add("GET", "/api/tokens", "GET /api/tokens", Access::User, [&platform](Exchange& x) {
        json out = json::array();
        for (const auto& t : platform.catalog().tokens(x.who().user.id)) out.push_back(platform::to_json(t));
        x.send_json(200, {{"tokens", out}});
    });

    router.add("POST", "/api/tokens", "POST /api/tokens", Access::User, [&accounts](Exchange& x) {
        const auto body = x.json_body();
        const auto token = accounts.create_token(x.who().user, string_field(body, "label", false));
        auto doc = platform::to_json(token.record);
        doc["token"] = token.secret;
        x.send_json(201, doc);
    });

    router.add("DELETE", R"(/api/tokens/([^/]+))", "DELETE /api/tokens/{id}", Access::User,
               [&accounts](Exchange& x) {
                   accounts.revoke_token(x.who().user, x.id());
                   x.send_json(200, {{"revoked", true}});
               });

    router.add("POST", "/api/me/password", "POST /api/me/password", Access::User, [&accounts](Exchange& x) {
        const auto body = x.json_body();
        const int ended = accounts.change_password(x.who(), string_field(body, "old_password"),
                                                   string_field(body, "new_password"), x.ip);
        x.send_json(200, {{"changed", true}, {"sessions_ended", ended}});
    });

    router.add("GET", "/api/users", "GET /api/users", Access::Admin, [&platform](Exchange& x) {
        json out = json::array();
        for (const auto& u : platform.catalog().users()) out.push_back(platform::to_json(u));
        x.send_json(200, {{"users", out}});
    });

    router.add("POST", "/api/users", "POST /api/users", Access::Admin, [&accounts](Exchange& x) {
        const auto body = x.json_body();
        const auto user = accounts.create_user(string_field(body, "username"), role_field(body),
                                               string_field(body, "password"));
        accounts.audit(&x.who(), "create-user", "user " + user.name, catalog::role_name(user.role), x.ip);
        x.send_json(201, platform::to_json(user));
    });

    router.add("PUT", R"(/api/users/([^/]+)/role)", "PUT /api/users/{id}/role", Access::Admin,
               [&accounts](Exchange& x) {
                   const auto body = x.json_body();
                   x.send_json(200,
                               platform::to_json(accounts.set_role(x.who(), x.id(), role_field(body), x.ip)));
               });

    router.add("GET", "/api/audit", "GET /api/audit", Access::Admin, [&platform](Exchange& x) {
        int limit = 200;
        if (x.request.has_param("limit")) {
            const auto text = x.request.get_param_value("limit");
            if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
                throw ApiError(400, "bad_request", "'limit' is a number from 1 to 10000");
            limit = std::clamp(std::stoi(text), 1, 10000);
        }
        json out = json::array();
        for (const auto& e : platform.catalog().audit(limit)) out.push_back(platform::to_json(e));
        x.send_json(200, {{"entries", out}});
    });
}

}  // namespace vidseg::server

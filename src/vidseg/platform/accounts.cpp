#include "vidseg/platform/accounts.hpp"

#include <algorithm>

#include "vidseg/core/error.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/user_name.hpp"

namespace vidseg::platform {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Accounts::Accounts(catalog::Catalog& catalog, AccountsConfig config)
    : catalog_(catalog),
      config_(config),
      token_cache_(std::chrono::seconds(std::max(0, config.token_cache_seconds))),
      dummy_hash_(hash_password(random_token(16))) {}

catalog::User Accounts::create_user(const std::string& name, catalog::Role role,
                                    const std::string& password) {
    check_user_name(name);
    check_password(name, password);
    return catalog_.add_user(name, role, hash_password(password));
}

void Accounts::check_password(const std::string& name, const std::string& password) {
    if (password.size() < 8 || password.size() > 1024)
        throw Error(ErrorCode::InvalidArgument, "a password has 8 to 1024 characters", name);
}

int Accounts::change_password(const Principal& caller, const std::string& old_password,
                              const std::string& new_password, const std::string& ip) {
    const auto now = unix_now();
    const std::string key = "password\n" + caller.user.name + "\n" + ip;
    if (too_many_failures(key, now))
        throw ApiError(429, "too_many_attempts", "too many wrong passwords; try again in a few minutes");
    const auto user = catalog_.user_by_id(caller.user.id);
    if (!user || !verify_password(user->password_hash, old_password)) {
        {
            std::lock_guard lock(failures_mutex_);
            failures_[key].push_back(now);
        }
        audit(&caller, "password-change-failed", "user " + caller.user.name, "", ip);
        throw ApiError(403, "wrong_password", "the current password is wrong");
    }
    check_password(user->name, new_password);
    catalog_.set_password_hash(user->id, hash_password(new_password));
    token_cache_.forget_user(user->id);
    const int ended = catalog_.remove_other_sessions(user->id, caller.session_hash);
    audit(&caller, "password-change", "user " + user->name, "other sessions ended: " + std::to_string(ended),
          ip);
    return ended;
}

catalog::User Accounts::set_language(const Principal& caller, const std::string& language) {
    if (language != "ru" && language != "en")
        throw ApiError(400, "bad_request", "'language' is 'ru' or 'en'");
    catalog_.set_user_language(caller.user.id, language);
    token_cache_.forget_user(caller.user.id);
    auto user = catalog_.user_by_id(caller.user.id);
    if (!user) throw unauthorized("not logged in");
    return *user;
}

std::string Accounts::create_first_admin() {
    if (catalog_.user_count() > 0) return {};
    std::string password = random_token(18);
    create_user("admin", catalog::Role::Admin, password);
    return password;
}

bool Accounts::too_many_failures(const std::string& key, std::int64_t now) {
    std::lock_guard lock(failures_mutex_);
    auto& times = failures_[key];
    while (!times.empty() && times.front() <= now - config_.failure_window_seconds) times.pop_front();
    return static_cast<int>(times.size()) >= config_.max_failed_logins;
}

LoginResult Accounts::login(const std::string& name, const std::string& password, const std::string& ip,
                            bool with_api_token) {
    const auto now = unix_now();
    const std::string key = name + "\n" + ip;
    if (too_many_failures(key, now)) {
        audit(nullptr, "login-throttled", "user " + name, "", ip);
        throw ApiError(429, "too_many_attempts", "too many failed logins; try again in a few minutes");
    }
    const auto user = catalog_.find_user(name);
    const bool ok = user ? verify_password(user->password_hash, password)
                         : (verify_password(dummy_hash_, password), false);
    if (!ok) {
        {
            std::lock_guard lock(failures_mutex_);
            failures_[key].push_back(now);
        }
        audit(nullptr, "login-failed", "user " + name, "", ip);
        throw unauthorized("wrong user name or password");
    }
    {
        std::lock_guard lock(failures_mutex_);
        failures_.erase(key);
    }
    LoginResult result;
    result.user = *user;
    result.session_id = random_token(32);
    result.csrf_token = random_token(32);
    result.expires = now + config_.session_seconds;
    catalog_.add_session({sha256_hex(result.session_id), user->id, result.csrf_token, result.expires});
    if (with_api_token) {
        auto token = create_token(*user, "login " + ip);
        result.token = token.secret;
        result.token_id = token.record.id;
    }
    Principal actor{*user};
    audit(&actor, "login", "user " + name, "", ip);
    return result;
}

void Accounts::logout(const Principal& principal) {
    if (!principal.session_hash.empty()) catalog_.remove_session(principal.session_hash);
    token_cache_.forget_user(principal.user.id);
}

bool Accounts::claim_touch(std::int64_t token_id, std::int64_t now) {
    std::lock_guard lock(touched_mutex_);
    if (touched_.size() > 10000) touched_.clear();  // tokens in use at once; a bound, not a cache policy
    auto& last = touched_[token_id];
    if (last >= now) return false;
    last = now;
    return true;
}

Principal Accounts::authenticate_token(const std::string& token) {
    if (token.empty() || token.size() > 256) throw unauthorized("missing or malformed API token");
    // last_used is kept to the second: a token busy many times a second writes the catalog once a second,
    // not on every request (a write transaction per GET was most of the catalog's time under load), and
    // only one of the requests that see the second change writes it (not all 200 clients of a script).
    const auto now = unix_now();
    if (auto cached = token_cache_.find(token)) {
        if (claim_touch(cached->token_id, now)) catalog_.touch_token(cached->token_id, now);
        return Principal{std::move(cached->user)};
    }
    const auto generation = token_cache_.generation();
    auto found = catalog_.find_token_with_user(sha256_hex(token));
    if (!found || found->first.revoked) throw unauthorized("unknown or revoked API token");
    const auto& record = found->first;
    if (record.last_used != now && claim_touch(record.id, now)) catalog_.touch_token(record.id, now);
    token_cache_.put(token, {record.id, found->second}, generation);
    return Principal{std::move(found->second)};
}

Principal Accounts::authenticate_session(const std::string& session_id) {
    if (session_id.empty() || session_id.size() > 256) throw unauthorized("not logged in");
    const auto hash = sha256_hex(session_id);
    const auto session = catalog_.find_session(hash);
    if (!session || session->expires < unix_now()) throw unauthorized("the session expired; log in again");
    const auto user = catalog_.user_by_id(session->user_id);
    if (!user) throw unauthorized("not logged in");
    return Principal{*user, true, session->csrf_token, hash};
}

NewToken Accounts::create_token(const catalog::User& user, const std::string& label) {
    if (label.size() > 200)
        throw Error(ErrorCode::InvalidArgument, "a token label has at most 200 characters");
    NewToken out;
    out.secret = random_token(32);
    out.record = catalog_.add_token(user.id, label, sha256_hex(out.secret));
    return out;
}

void Accounts::revoke_token(const catalog::User& user, std::int64_t token_id) {
    const bool revoked = catalog_.revoke_token(user.id, token_id);
    token_cache_.forget_token(token_id);
    if (!revoked) throw not_found("token " + std::to_string(token_id));
}

void Accounts::require_admin(const Principal& principal) const {
    if (!principal.is_admin()) throw forbidden("this needs the admin role");
}

catalog::User Accounts::set_role(const Principal& actor, std::int64_t user_id, catalog::Role role,
                                 const std::string& ip) {
    require_admin(actor);
    auto user = catalog_.user_by_id(user_id);
    if (!user) throw not_found("user " + std::to_string(user_id));
    if (user->id == actor.user.id && role != catalog::Role::Admin)
        throw ApiError(409, "conflict", "an admin cannot take the admin role from itself");
    const std::string before = catalog::role_name(user->role);
    catalog_.set_role(user_id, role);
    token_cache_.forget_user(user_id);
    user->role = role;
    audit(&actor, "role-change", "user " + user->name, before + " -> " + catalog::role_name(role), ip);
    return *user;
}

void Accounts::audit(const Principal* actor, const std::string& action, const std::string& subject,
                     const std::string& detail, const std::string& ip) {
    catalog::AuditEntry entry;
    entry.time = unix_now();
    if (actor) {
        entry.user_id = actor->user.id;
        entry.user_name = actor->user.name;
    }
    entry.action = action;
    entry.subject = subject;
    entry.detail = detail;
    entry.ip = ip;
    catalog_.add_audit(entry);
}

}  // namespace vidseg::platform

// Accounts of the platform: users with roles, password login (argon2id, rate-limited per user name
// and client address), browser sessions (cookie + CSRF token), API tokens (shown once, stored as
// SHA-256, revocable) and the audit log of logins and role changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/platform/token_cache.hpp"

namespace vidseg::platform {

struct AccountsConfig {
    std::int64_t session_seconds = 12 * 3600;
    int max_failed_logins = 5;  // per user name + address within the window; then 429
    std::int64_t failure_window_seconds = 300;
    // Authenticated API tokens are remembered this long (token_cache.hpp): a revoke, logout or role
    // change through this process applies at once, through another process on the same PostgreSQL
    // catalog within this time. 0 = look every token up in the catalog.
    int token_cache_seconds = 2;
};

// Who makes a request.
struct Principal {
    catalog::User user;
    bool via_session = false;  // cookie: state-changing requests must carry the CSRF token
    std::string csrf_token;
    std::string session_hash;
    bool is_admin() const { return user.role == catalog::Role::Admin; }
};

struct LoginResult {
    catalog::User user;
    std::string session_id;  // the cookie value (only its hash is stored)
    std::string csrf_token;
    std::string token;  // a new API token (only its hash is stored)
    std::int64_t token_id = 0;
    std::int64_t expires = 0;
};

struct NewToken {
    catalog::ApiToken record;
    std::string secret;  // shown once
};

std::int64_t unix_now();

class Accounts {
  public:
    Accounts(catalog::Catalog& catalog, AccountsConfig config = {});

    // Checks the name (check_user_name) and the password (8..1024 bytes); InvalidArgument otherwise.
    catalog::User create_user(const std::string& name, catalog::Role role, const std::string& password);
    // The caller's own password: ApiError 403 when old_password is wrong (rate-limited like logins:
    // 429), InvalidArgument for a new one outside 8..1024 bytes. Ends the user's other browser
    // sessions (a stolen cookie stops working) and keeps the caller's own; returns how many ended.
    // API tokens stay valid: scripts keep running, and a token is revoked on its own
    // (DELETE /api/tokens/{id}).
    int change_password(const Principal& caller, const std::string& old_password,
                        const std::string& new_password, const std::string& ip);
    // The caller's interface language, "ru" or "en" (ApiError 400 otherwise); the updated user.
    catalog::User set_language(const Principal& caller, const std::string& language);
    // On an empty catalog: creates `admin` with a random password and returns it; "" otherwise.
    std::string create_first_admin();

    // ApiError 401 (wrong name or password: one message for both), 429 (too many failures).
    // with_api_token = false: a browser session only (the web UI), no API token is made.
    LoginResult login(const std::string& name, const std::string& password, const std::string& ip,
                      bool with_api_token = true);
    void logout(const Principal& principal);
    // ApiError 401 for an unknown, revoked or malformed token / an unknown or expired session.
    Principal authenticate_token(const std::string& token);
    Principal authenticate_session(const std::string& session_id);

    NewToken create_token(const catalog::User& user, const std::string& label);
    void revoke_token(const catalog::User& user, std::int64_t token_id);  // ApiError 404 when not the user's

    // Admin actions; ApiError 403 for a dl-user, 404 for an unknown user.
    catalog::User set_role(const Principal& actor, std::int64_t user_id, catalog::Role role,
                           const std::string& ip);
    void require_admin(const Principal& principal) const;

    void audit(const Principal* actor, const std::string& action, const std::string& subject,
               const std::string& detail, const std::string& ip);

  private:
    static void check_password(const std::string& name, const std::string& password);
    bool too_many_failures(const std::string& key, std::int64_t now);
    // True for the first caller that asks for (token, second): it writes last_used; the others skip.
    bool claim_touch(std::int64_t token_id, std::int64_t now);

    catalog::Catalog& catalog_;
    AccountsConfig config_;
    std::mutex failures_mutex_;
    std::map<std::string, std::deque<std::int64_t>> failures_;  // "name\nip" -> failure times
    std::mutex touched_mutex_;
    std::unordered_map<std::int64_t, std::int64_t> touched_;  // token id -> second last_used was written
    TokenCache token_cache_;
    std::string dummy_hash_;  // verified against for unknown names, so both cases take as long
};

}  // namespace vidseg::platform

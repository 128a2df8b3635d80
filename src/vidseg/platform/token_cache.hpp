// A few seconds' memory of authenticated API tokens, so that a script's every request (GET /api/videos
// 200 times a second) does not hash its token and query the catalog each time.
//
// Correctness: every change of a token or a user made through this process (revoke, logout, role or
// language change, password change) forgets the entries it concerns at once; an entry looked up in the
// catalog while such a change happened is not kept (generation counter). Another process sharing the
// PostgreSQL catalog (a second `vidseg serve`) cannot reach this memory: its revoke or role change
// takes effect here within the time to live (AccountsConfig::token_cache_seconds, 2 s by default;
// 0 turns the cache off).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "vidseg/catalog/catalog.hpp"

namespace vidseg::platform {

struct CachedToken {
    std::int64_t token_id = 0;
    catalog::User user;
};

class TokenCache {
  public:
    explicit TokenCache(std::chrono::milliseconds time_to_live, std::size_t max_entries = 10000);

    // The entry of `token` while it lives.
    std::optional<CachedToken> find(const std::string& token);
    // The generation to pass to put() for a lookup starting now.
    std::uint64_t generation();
    // Kept unless something was forgotten since `generation` (the lookup may have read old rows).
    void put(const std::string& token, CachedToken entry, std::uint64_t generation);
    void forget_token(std::int64_t token_id);
    void forget_user(std::int64_t user_id);

  private:
    struct Entry {
        CachedToken value;
        std::chrono::steady_clock::time_point expires;
    };
    const std::chrono::milliseconds time_to_live_;
    const std::size_t max_entries_;
    std::mutex mutex_;
    std::uint64_t generation_ = 0;
    std::unordered_map<std::string, Entry> entries_;  // by the token itself (held only as long as it lives)
};

}  // namespace vidseg::platform

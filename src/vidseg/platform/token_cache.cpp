#include "vidseg/platform/token_cache.hpp"

#include <unordered_map>

namespace vidseg::platform {

TokenCache::TokenCache(std::chrono::milliseconds time_to_live, std::size_t max_entries)
    : time_to_live_(time_to_live), max_entries_(max_entries) {}

std::optional<CachedToken> TokenCache::find(const std::string& token) {
    if (time_to_live_.count() <= 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(token);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.expires <= std::chrono::steady_clock::now()) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.value;
}

std::uint64_t TokenCache::generation() {
    std::lock_guard lock(mutex_);
    return generation_;
}

void TokenCache::put(const std::string& token, CachedToken entry, std::uint64_t generation) {
    if (time_to_live_.count() <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (generation != generation_) return;
    if (entries_.size() >= max_entries_) {
        std::erase_if(entries_, [now](const auto& e) { return e.second.expires <= now; });
        if (entries_.size() >= max_entries_) entries_.clear();  // a bound, not a cache policy
    }
    entries_[token] = Entry{std::move(entry), now + time_to_live_};
}

void TokenCache::forget_token(std::int64_t token_id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    std::erase_if(entries_, [token_id](const auto& e) { return e.second.value.token_id == token_id; });
}

void TokenCache::forget_user(std::int64_t user_id) {
    std::lock_guard lock(mutex_);
    ++generation_;
    std::erase_if(entries_, [user_id](const auto& e) { return e.second.value.user.id == user_id; });
}

}  // namespace vidseg::platform

#include "vidseg/mcp/http_sessions.hpp"

#include <algorithm>

#include "vidseg/platform/crypto.hpp"

namespace vidseg::mcp {

HttpSessions::HttpSessions(std::size_t max_sessions, std::chrono::seconds idle)
    : max_sessions_(std::max<std::size_t>(max_sessions, 1)), idle_(idle) {}

void HttpSessions::stop_calls(Session& session) {
    for (auto& [request, call] : session.calls) call->stop = true;
}

void HttpSessions::expire(std::chrono::steady_clock::time_point now) {
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second.used > idle_ && it->second.calls.empty()) {
            it = sessions_.erase(it);
        } else {
            ++it;
        }
    }
}

std::string HttpSessions::open(std::int64_t user_id) {
    const auto now = std::chrono::steady_clock::now();
    std::string id = platform::random_token(24);  // base64url: visible ASCII only
    std::lock_guard lock(mutex_);
    expire(now);
    if (sessions_.size() >= max_sessions_) {
        const auto oldest =
            std::min_element(sessions_.begin(), sessions_.end(),
                             [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
        stop_calls(oldest->second);
        sessions_.erase(oldest);
    }
    sessions_[id] = Session{.user_id = user_id, .used = now, .calls = {}};
    return id;
}

bool HttpSessions::touch(const std::string& id, std::int64_t user_id) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    expire(now);
    const auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.user_id != user_id) return false;
    it->second.used = now;
    return true;
}

bool HttpSessions::close(const std::string& id, std::int64_t user_id) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.user_id != user_id) return false;
    stop_calls(it->second);
    sessions_.erase(it);
    return true;
}

std::shared_ptr<RunningCall> HttpSessions::start_call(const std::string& id, const std::string& request) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    auto call = std::make_shared<RunningCall>();
    if (const auto before = it->second.calls.find(request); before != it->second.calls.end())
        before->second->stop = true;  // a reused request id: the older call's stream is abandoned
    it->second.calls[request] = call;
    return call;
}

void HttpSessions::end_call(const std::string& id, const std::string& request, const RunningCall* call) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    if (const auto c = it->second.calls.find(request); c != it->second.calls.end() && c->second.get() == call)
        it->second.calls.erase(c);
}

bool HttpSessions::cancel_call(const std::string& id, std::int64_t user_id, const std::string& request) {
    std::lock_guard lock(mutex_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.user_id != user_id) return false;
    const auto call = it->second.calls.find(request);
    if (call == it->second.calls.end()) return false;
    call->second->cancelled = true;  // before stop: the call sees why it stops
    call->second->stop = true;
    return true;
}

std::size_t HttpSessions::size() {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace vidseg::mcp

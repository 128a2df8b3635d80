// The sessions of MCP's streamable HTTP transport (/mcp of `vidseg serve`): an answered initialize
// opens one (its id goes back in the Mcp-Session-Id header); every later message carries the id, and
// only the user who opened the session may use it; DELETE ends it. Kept in memory: a restart ends
// every session, and clients then get 404 and initialize anew, as the protocol asks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace vidseg::mcp {

// A tools/call of a session whose answer streams. stop: the call ends (the client left, the session
// ended); cancelled: the client's notifications/cancelled (the call also stops what it started).
struct RunningCall {
    std::atomic<bool> stop{false};
    std::atomic<bool> cancelled{false};
};

class HttpSessions {
  public:
    // At most max_sessions at once (opening one more ends the least recently used); a session unused
    // for `idle` ends.
    explicit HttpSessions(std::size_t max_sessions = 1000, std::chrono::seconds idle = std::chrono::hours(8));

    // A new session of user_id: its id (random, URL-safe, visible ASCII as the protocol asks).
    std::string open(std::int64_t user_id);
    // Whether `id` is a live session of user_id; marks it used.
    bool touch(const std::string& id, std::int64_t user_id);
    // Ends the session and stops its running calls; false when there is no such session of user_id.
    bool close(const std::string& id, std::int64_t user_id);

    // A call (request id as JSON text) of a live session; nullptr when the session has ended.
    std::shared_ptr<RunningCall> start_call(const std::string& id, const std::string& request);
    // Forgets the call (unless the request id was reused by a newer call meanwhile).
    void end_call(const std::string& id, const std::string& request, const RunningCall* call);
    // notifications/cancelled: cancels and stops the call if it runs; false when it does not.
    bool cancel_call(const std::string& id, std::int64_t user_id, const std::string& request);

    std::size_t size();

  private:
    struct Session {
        std::int64_t user_id = 0;
        std::chrono::steady_clock::time_point used;
        std::map<std::string, std::shared_ptr<RunningCall>> calls;
    };
    // Ends sessions idle too long (the caller holds mutex_).
    void expire(std::chrono::steady_clock::time_point now);
    static void stop_calls(Session& session);

    std::size_t max_sessions_;
    std::chrono::seconds idle_;
    std::mutex mutex_;
    std::map<std::string, Session> sessions_;
};

}  // namespace vidseg::mcp

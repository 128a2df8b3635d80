// The watch agent inside `vidseg serve` (--agent-source / --agent-publish): the same cycles as
// `vidseg agent watch` (watch_agent.hpp) on a thread of the server, whose counters the server's
// /metrics shows. A cycle that fails as a whole (the source unreachable, the target's manifest
// unreadable) is logged and counted, and the next one runs on time: the server never stops for it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "vidseg/agent/watch_agent.hpp"

namespace vidseg::agent {

class BackgroundAgent {
  public:
    // Opens the state (throws as open_agent_state does: a bad state file stops the server's start)
    // and starts the first cycle at once.
    explicit BackgroundAgent(WatchConfig config);
    // Stops after the lesson in progress (a cancelled process stops at once) and waits for the thread.
    ~BackgroundAgent();
    BackgroundAgent(const BackgroundAgent&) = delete;
    BackgroundAgent& operator=(const BackgroundAgent&) = delete;

    // The agent's counters in the Prometheus text format, as of the last cycle, plus
    // vidseg_agent_cycle_errors_total and vidseg_agent_running.
    std::string metrics() const;

  private:
    void run();

    WatchConfig config_;
    AgentState state_;  // the thread's alone
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool running_ = true;
    std::string metrics_;             // under mutex_
    std::uint64_t cycle_errors_ = 0;  // under mutex_
    std::thread thread_;
};

}  // namespace vidseg::agent

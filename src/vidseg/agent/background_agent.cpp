#include "vidseg/agent/background_agent.hpp"

#include <chrono>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"

namespace vidseg::agent {

BackgroundAgent::BackgroundAgent(WatchConfig config)
    : config_(std::move(config)), state_(open_agent_state(config_)), metrics_(metrics_text(state_)) {
    thread_ = std::thread([this] { run(); });
}

BackgroundAgent::~BackgroundAgent() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BackgroundAgent::run() {
    const auto say = [this](const std::string& line) {
        if (config_.log) config_.log(line);
    };
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || cancel_requested()) break;
        }
        bool failed = false;
        try {
            const auto report = run_watch_cycle(config_, state_);
            say("agent cycle " + std::to_string(state_.counters.cycles) + ": " +
                std::to_string(report.found) + " found, " + std::to_string(report.published) +
                " published, " + std::to_string(report.skipped) + " skipped, " +
                std::to_string(report.failed) + " failed, " + std::to_string(report.waiting) + " waiting");
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted) break;
            failed = true;
            say(std::string("agent cycle failed: ") + e.what());
        } catch (const std::exception& e) {  // a bug must not take the server down
            failed = true;
            say(std::string("agent cycle failed (internal error): ") + e.what());
        }
        std::unique_lock lock(mutex_);
        if (failed) ++cycle_errors_;
        metrics_ = metrics_text(state_);
        // Wakes early when stopping; checks the process's cancel flag (SIGTERM) every 200 ms.
        const auto until =
            std::chrono::steady_clock::now() + std::chrono::duration<double>(config_.every_seconds);
        while (!stopping_ && !cancel_requested() && std::chrono::steady_clock::now() < until)
            wake_.wait_for(lock, std::chrono::milliseconds(200));
    }
    std::lock_guard lock(mutex_);
    running_ = false;
}

std::string BackgroundAgent::metrics() const {
    std::lock_guard lock(mutex_);
    return metrics_ +
           "# HELP vidseg_agent_cycle_errors_total Watch cycles that failed as a whole (source or target "
           "unreachable).\n# TYPE vidseg_agent_cycle_errors_total counter\nvidseg_agent_cycle_errors_total " +
           std::to_string(cycle_errors_) +
           "\n# HELP vidseg_agent_running 1 while the server's watch agent runs.\n# TYPE "
           "vidseg_agent_running "
           "gauge\nvidseg_agent_running " +
           (running_ ? "1" : "0") + "\n";
}

}  // namespace vidseg::agent

// `vidseg agent watch`: the users' planned "storage watcher + cloud checker + orchestrator" as one
// loop. Every look lists the source's lessons (lesson_source.hpp); a lesson is taken once its video
// and export had the same size (and tag) on two looks in a row; its content (SHA-256 of both files)
// is compared with what was published (the state, agent_state.hpp) so that a lesson published
// before — under this name or another — is skipped; otherwise `dataset build` runs (--keyframe best,
// plus the configured build options: transcripts, patterns, ...) and the result is published under the
// lesson's name at the target (publish/publisher.hpp: only what the target lacks is sent). A failing
// lesson is reported by name and retried after a doubling back-off, never blocking the others. The
// state is saved after every step; counters go to a Prometheus text file.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/agent/agent_state.hpp"
#include "vidseg/publish/publisher.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::agent {

struct WatchConfig {
    storage::StoreConfig source;     // location: a folder or s3://bucket/prefix
    publish::PublishConfig publish;  // target, credentials; dir and prefix are set per lesson
    std::filesystem::path state_file;
    std::filesystem::path work_dir;  // datasets are built here (kept until published)
    nlohmann::json build_options = nlohmann::json::object();  // more `dataset build` options, by name
    double every_seconds = 60;
    double settle_seconds = 5;     // --once: the pause between its two looks
    double backoff_seconds = 30;   // first retry delay of a failed lesson; doubles per failure
    double backoff_max_seconds = 3600;
    std::filesystem::path metrics_file;  // empty = none
    std::function<void(const std::string&)> log;  // one line per lesson event (may be empty)
};

struct CycleReport {
    std::size_t found = 0, published = 0, skipped = 0, failed = 0, waiting = 0;
    std::vector<std::pair<std::string, std::string>> failures;  // lesson, error
};

// The state file of config (created folders; an empty state when missing). Throws
// Error(InvalidArgument) when it belongs to another --source / --publish pair.
AgentState open_agent_state(const WatchConfig& config);

// One look and the work it allows. Saves the state after every lesson step.
CycleReport run_watch_cycle(const WatchConfig& config, AgentState& state);

// --once: a look, the settle pause, then run_watch_cycle. Returns the second look's report.
CycleReport run_watch_once(const WatchConfig& config);

// The loop: a cycle every every_seconds until cancelled (SIGINT / SIGTERM); `on_cycle` after each.
void run_watch_loop(const WatchConfig& config, const std::function<void(const CycleReport&)>& on_cycle);

// "60" / "60s" / "5m" / "1h" / "0.5s" -> seconds. Throws Error(InvalidArgument) naming the option.
double parse_duration(const std::string& text, const std::string& option);

// --build-options / --agent-build-options: a JSON object of `dataset build` options. Throws
// Error(InvalidArgument) naming the option when the text is not JSON or not an object.
nlohmann::json parse_build_options(const std::string& text, const std::string& option);

// The counters in the Prometheus text exposition format (what /metrics serves).
std::string metrics_text(const AgentState& state);

}  // namespace vidseg::agent

// `vidseg serve --agent-source ... --agent-publish ...`: the watch agent run inside the server (its
// counters on the server's /metrics). The options and the config made from them.
#pragma once

#include <memory>
#include <vector>

#include "vidseg/agent/background_agent.hpp"
#include "vidseg/core/options.hpp"

namespace vidseg::cli {

// --agent-source, --agent-publish, --agent-every, --agent-state, --agent-work, --agent-build-options,
// --agent-backoff.
std::vector<OptionSpec> serve_agent_options();

// The agent the options ask for, started; nullptr without --agent-source. Throws
// Error(InvalidArgument) for --agent-publish without --agent-source (and the reverse), a bad duration
// or build options, a Hub target without HF_TOKEN (environment or ./.env).
std::unique_ptr<agent::BackgroundAgent> start_serve_agent(const ParsedOptions& options);

}  // namespace vidseg::cli

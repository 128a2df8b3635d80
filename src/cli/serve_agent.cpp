#include "serve_agent.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "platform_options.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/publish/env_file.hpp"
#include "vidseg/publish/publish_target.hpp"
#include "vidseg/server/router.hpp"

namespace fs = std::filesystem;

namespace vidseg::cli {

std::vector<OptionSpec> serve_agent_options() {
    return {
        {.name = "agent-source",
         .type = OptionType::String,
         .help =
             "Run the watch agent in the server (as `vidseg agent watch`): where lessons arrive, a folder or "
             "s3://bucket/prefix (the S3 options above apply). Its counters are on /metrics.",
         .metavar = "DIR|s3://bucket/prefix"},
        {.name = "agent-publish",
         .type = OptionType::String,
         .help = "The agent's target: hf://USER/NAME (token from HF_TOKEN, environment or ./.env), "
                 "s3://bucket/prefix "
                 "or a folder.",
         .metavar = "TARGET"},
        {.name = "agent-every",
         .type = OptionType::String,
         .default_value = "60s",
         .help = "Time between the agent's looks.",
         .metavar = "DURATION"},
        {.name = "agent-backoff",
         .type = OptionType::String,
         .default_value = "30s",
         .help = "Delay before the agent tries a failed lesson again; doubles per failure (at most 1 h).",
         .metavar = "DURATION"},
        {.name = "agent-state",
         .type = OptionType::Path,
         .help = "The agent's state file (default: DIR/agent/state.json).",
         .metavar = "FILE"},
        {.name = "agent-work",
         .type = OptionType::Path,
         .help = "Where the agent builds datasets (default: DIR/agent/work).",
         .metavar = "DIR"},
        {.name = "agent-build-options",
         .type = OptionType::String,
         .help =
             "More dataset build options for the agent, as a JSON object (--keyframe best is the default).",
         .metavar = "JSON"},
    };
}

std::unique_ptr<agent::BackgroundAgent> start_serve_agent(const ParsedOptions& options) {
    const bool has_source = !options.str("agent-source").empty(),
               has_target = !options.str("agent-publish").empty();
    if (!has_source && !has_target) return nullptr;
    if (!has_source || !has_target)
        throw Error(ErrorCode::InvalidArgument,
                    has_source ? "--agent-source needs --agent-publish TARGET"
                               : "--agent-publish needs --agent-source DIR|s3://bucket/prefix");
    agent::WatchConfig config;
    config.source = store_config(options);
    config.source.location = options.str("agent-source");
    config.publish.target = publish::parse_publish_target(options.str("agent-publish"));
    config.publish.store = config.source;
    config.publish.store.location.clear();
    if (config.publish.target.kind == publish::PublishTarget::Kind::Hub) {
        if (const char* token = std::getenv("HF_TOKEN"); token && *token)
            config.publish.hub.token = token;
        else if (std::error_code ec; fs::is_regular_file(".env", ec))
            if (const auto values = publish::read_env_file(".env"); values.count("HF_TOKEN"))
                config.publish.hub.token = values.at("HF_TOKEN");
        if (config.publish.hub.token.empty())
            throw Error(ErrorCode::InvalidArgument,
                        "--agent-publish: no Hub token: set HF_TOKEN (environment or ./.env)",
                        config.publish.target.location);
    }
    const fs::path data = options.str("data");
    config.state_file = options.str("agent-state").empty() ? data / "agent" / "state.json"
                                                           : fs::path(options.str("agent-state"));
    config.work_dir =
        options.str("agent-work").empty() ? data / "agent" / "work" : fs::path(options.str("agent-work"));
    if (options.given("agent-build-options"))
        config.build_options =
            agent::parse_build_options(options.str("agent-build-options"), "agent-build-options");
    config.every_seconds = agent::parse_duration(options.str("agent-every"), "agent-every");
    config.backoff_seconds = agent::parse_duration(options.str("agent-backoff"), "agent-backoff");
    config.log = [](const std::string& line) {
        server::log_line({{"level", "info"}, {"event", "agent"}, {"message", line}});
    };
    return std::make_unique<agent::BackgroundAgent>(std::move(config));
}

}  // namespace vidseg::cli

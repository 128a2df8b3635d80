#include <cstdio>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "platform_options.hpp"
#include "vidseg/agent/watch_agent.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/publish/publish_options.hpp"

namespace vidseg::cli {

namespace {

nlohmann::json cycle_json(const agent::CycleReport& r) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& [lesson, error] : r.failures) failures.push_back({{"lesson", lesson}, {"error", error}});
    return {{"found", r.found},     {"published", r.published}, {"skipped", r.skipped},
            {"failed", r.failed},   {"waiting", r.waiting},     {"failures", failures}};
}

void print_cycle(const agent::CycleReport& r, std::uint64_t cycle, const Context& context) {
    if (context.json) {
        nlohmann::json doc = cycle_json(r);
        doc["cycle"] = cycle;
        std::printf("%s\n", doc.dump().c_str());  // one JSON line per cycle
    } else if (!context.quiet) {
        std::printf("%s\n", context.messages.text(Msg::AgentCycle, {{"cycle", std::to_string(cycle)},
                                                                   {"found", std::to_string(r.found)},
                                                                   {"published", std::to_string(r.published)},
                                                                   {"skipped", std::to_string(r.skipped)},
                                                                   {"failed", std::to_string(r.failed)},
                                                                   {"waiting", std::to_string(r.waiting)}})
                                .c_str());
    }
    std::fflush(stdout);
}

int run_agent_watch(const ParsedOptions& options, Context& context) {
    agent::WatchConfig config;
    config.source = store_config(options);
    config.source.location = options.str("source");
    publish::PublishInputs inputs;
    inputs.dir = "unused";  // the agent publishes the datasets it builds
    if (options.given("publish")) inputs.to = options.str("publish");
    config.publish = publish::publish_config_from(options, inputs);
    config.publish.store = config.source;
    config.publish.store.location.clear();
    if (config.publish.dry_run) throw Error(ErrorCode::InvalidArgument, "option --dry-run: not available for agent watch");
    config.state_file = options.str("state");
    config.work_dir = options.str("work");
    if (options.given("build-options"))
        config.build_options = agent::parse_build_options(options.str("build-options"), "build-options");
    config.every_seconds = agent::parse_duration(options.str("every"), "every");
    config.settle_seconds = agent::parse_duration(options.str("settle"), "settle");
    config.backoff_seconds = agent::parse_duration(options.str("backoff"), "backoff");
    config.backoff_max_seconds = agent::parse_duration(options.str("backoff-max"), "backoff-max");
    config.metrics_file = options.str("metrics-file");
    if (!context.quiet && !context.json)
        config.log = [](const std::string& line) {
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
        };
    else if (context.json)
        config.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };

    if (options.flag("once")) {
        const auto report = agent::run_watch_once(config);
        print_cycle(report, agent::load_agent_state(config.state_file).counters.cycles, context);
        return report.failed > 0 ? 1 : 0;
    }
    agent::run_watch_loop(config, [&](const agent::CycleReport& r) {
        print_cycle(r, agent::load_agent_state(config.state_file).counters.cycles, context);
    });
    return 130;
}

}  // namespace

Command agent_watch_command() {
    std::vector<OptionSpec> options = {
        {.name = "source", .short_name = 's', .type = OptionType::String,
         .help = "Where lessons arrive: a folder or s3://bucket/prefix (video + Label Studio export of the same "
                 "stem, or the only export beside the only video of a folder).",
         .metavar = "DIR|s3://bucket/prefix"},
        {.name = "publish", .short_name = 'p', .type = OptionType::String,
         .help = "Target of the datasets: hf://USER/NAME, s3://bucket/prefix or a folder; each lesson goes under its "
                 "name there (default: hf://HF_USERNAME/DATASET_NAME).",
         .metavar = "TARGET"},
        {.name = "every", .type = OptionType::String, .default_value = "60s", .help = "Time between looks.",
         .metavar = "DURATION"},
        {.name = "once", .type = OptionType::Flag,
         .help = "Look twice (--settle apart), do the work, exit (for cron). Exit 1 when a lesson failed."},
        {.name = "settle", .type = OptionType::String, .default_value = "5s",
         .help = "--once: the pause between its two looks (a file is taken when its size is the same in both).",
         .metavar = "DURATION"},
        {.name = "state", .type = OptionType::Path, .default_value = "vidseg-agent-state.json",
         .help = "The agent's state (JSON, replaced atomically): what was seen, published, failed.", .metavar = "FILE"},
        {.name = "work", .type = OptionType::Path, .default_value = "vidseg-agent-work",
         .help = "Where datasets are built (a lesson's folder goes once it is published).", .metavar = "DIR"},
        {.name = "build-options", .type = OptionType::String,
         .help = "More dataset build options as a JSON object, e.g. "
                 "'{\"whisper-backend\": \"faster-whisper\", \"patterns\": \"patterns.xlsx\"}' (--keyframe best is the "
                 "default).",
         .metavar = "JSON"},
        {.name = "backoff", .type = OptionType::String, .default_value = "30s",
         .help = "Delay before a failed lesson is tried again; doubles per failure.", .metavar = "DURATION"},
        {.name = "backoff-max", .type = OptionType::String, .default_value = "1h", .help = "Longest back-off.",
         .metavar = "DURATION"},
        {.name = "metrics-file", .type = OptionType::Path,
         .help = "Write the counters in the Prometheus text format here after every cycle (node_exporter's textfile "
                 "collector reads it).",
         .metavar = "FILE"},
    };
    for (const auto& o : publish::publish_credential_options())
        if (o.name != "message") options.push_back(o);
    for (auto& o : s3_options()) options.push_back(o);
    CommandSpec spec{
        .name = "agent watch",
        .summary = "Watch a folder or S3 for new lessons + exports; build and publish each once.",
        .description =
            "Every --every, lists the lessons at --source (a video with its Label Studio export). A lesson is taken once\n"
            "its files had the same size on two looks in a row; one whose content (SHA-256 of the video and the export)\n"
            "was already published, under its name or another, is skipped. The others go through `dataset build`\n"
            "(--keyframe best, plus --build-options) and `dataset publish` to TARGET/<lesson name> (only what the\n"
            "target lacks is sent). A failing lesson is reported by name and retried after --backoff (doubling),\n"
            "without holding up the others. The state file is replaced atomically after every step, so a restart\n"
            "(even after kill -9) neither repeats a published lesson nor loses one. Lines: one per lesson event and a\n"
            "summary per cycle (--json: one JSON object per cycle). SIGINT / SIGTERM stop after the current lesson.\n"
            "S3 settings (--s3-endpoint, keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) serve the source and an\n"
            "S3 target; Hub credentials as for `dataset publish` (.env, HF_TOKEN, --token-file).",
        .options = options,
        .examples = "  vidseg agent watch --source /srv/lessons --publish hf://anna/ppi-lessons --every 5m\n"
                    "  vidseg agent watch --source s3://ppi-media --s3-endpoint http://127.0.0.1:9000 "
                    "--publish /srv/published --once\n"
                    "  */10 * * * * vidseg agent watch --source /srv/lessons --publish s3://datasets/ppi --once "
                    "--metrics-file /var/lib/node_exporter/vidseg.prom",
    };
    return {spec, run_agent_watch};
}

}  // namespace vidseg::cli

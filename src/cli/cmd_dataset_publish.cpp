#include <cstdio>

#include "command.hpp"
#include "platform_options.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/publish/publish_options.hpp"

namespace vidseg::cli {

namespace {

void print_report(const publish::PublishReport& report, const std::string& dir, const Context& context) {
    const auto& plan = report.plan;
    const Messages& m = context.messages;
    const std::string target = report.target.location;
    if (report.dry_run) {
        std::printf("%s\n", m.text(Msg::PublishDryRun, {{"target", target},
                                                        {"sent", std::to_string(plan.send.size())},
                                                        {"bytes", std::to_string(plan.send_bytes())},
                                                        {"copied", std::to_string(plan.copy.size())},
                                                        {"deleted", std::to_string(plan.remove.size())},
                                                        {"unchanged", std::to_string(plan.unchanged.size())}})
                                .c_str());
        for (const auto& [file, key] : plan.send) std::printf("  send   %s (%llu bytes)\n", key.c_str(), static_cast<unsigned long long>(file.size));
        for (const auto& c : plan.copy) std::printf("  copy   %s (= %s)\n", c.key.c_str(), c.from.c_str());
        for (const auto& key : plan.remove) std::printf("  delete %s\n", key.c_str());
    } else if (plan.nothing_to_do()) {
        std::printf("%s\n", m.text(Msg::PublishNothingToDo, {{"target", target}, {"dir", dir},
                                                             {"files", std::to_string(plan.unchanged.size())}})
                                .c_str());
    } else {
        std::printf("%s\n", m.text(Msg::PublishDone, {{"dir", dir},
                                                      {"target", target},
                                                      {"sent", std::to_string(report.sent)},
                                                      {"bytes", std::to_string(report.bytes_sent)},
                                                      {"copied", std::to_string(report.copied)},
                                                      {"deleted", std::to_string(report.removed)},
                                                      {"unchanged", std::to_string(plan.unchanged.size())},
                                                      {"seconds", two_decimals(report.seconds)}})
                                .c_str());
    }
    if (plan.same_content)
        std::printf("%s\n", m.text(Msg::PublishSameContent, {{"source", plan.same_content->source},
                                                             {"time", plan.same_content->published_at}})
                                .c_str());
    if (report.card_generated) std::printf("%s\n", m.text(Msg::PublishCardGenerated).c_str());
    if (!report.url.empty()) std::printf("  %s\n", report.url.c_str());
}

int run_dataset_publish(const ParsedOptions& options, Context& context) {
    publish::PublishInputs inputs;
    if (!options.positionals().empty()) inputs.dir = options.positionals()[0];
    if (options.given("to")) inputs.to = options.str("to");
    auto config = publish::publish_config_from(options, inputs);
    if (config.dir.empty())
        throw Error(ErrorCode::InvalidArgument, "no dataset folder: pass DIR or set LOCAL_DATASET_PATH (environment or .env)");
    config.store = store_config(options);
    config.prefix = options.str("prefix");
    while (!config.prefix.empty() && config.prefix.back() == '/') config.prefix.pop_back();
    const auto report = publish::publish_dataset(config);
    if (context.json) context.print_json(publish::to_json(report));
    else if (!context.quiet) print_report(report, config.dir.string(), context);
    return 0;
}

}  // namespace

Command dataset_publish_command() {
    auto options = publish::publish_credential_options();
    options.insert(options.begin(),
                   {.name = "to", .short_name = 't', .type = OptionType::String,
                    .help = "Target: hf://USER/NAME (a Hub dataset repository), s3://bucket/prefix or a folder "
                            "(default: hf://HF_USERNAME/DATASET_NAME).",
                    .metavar = "TARGET"});
    options.push_back({.name = "prefix", .type = OptionType::String,
                       .help = "Folder at the target to publish under (default: its root).", .metavar = "PATH"});
    for (auto& o : s3_options()) options.push_back(o);
    CommandSpec spec{
        .name = "dataset publish",
        .summary = "Publish a dataset folder to the Hugging Face Hub, S3 or a folder (only what changed).",
        .description =
            "Sends DIR (default LOCAL_DATASET_PATH) with its dataset card (README.md; a minimal card is generated when\n"
            "the folder has none) to TARGET, keeping its layout, so that datasets.load_dataset reads the copy:\n"
            "  hf://USER/NAME        a Hub dataset repository, through huggingface_hub (a Python worker in the venv\n"
            "                        of tests/python/requirements-hub.txt); created when missing (--private)\n"
            "  s3://bucket/prefix    any S3 server (--s3-endpoint; keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)\n"
            "  DIR                   a local folder\n"
            "The target keeps a manifest, .vidseg-publish.json (SHA-256 and size of every published file, and when and\n"
            "from where each dataset was published): a re-publish sends only the files whose content changed, copies at\n"
            "the target the ones whose bytes it already holds under another name, deletes the ones the folder no longer\n"
            "has, and recognises a folder whose content was published before, whatever it is called.\n"
            "Credentials and names: flags, then the environment, then the .env file (HF_USERNAME, HF_TOKEN,\n"
            "DATASET_NAME, LOCAL_DATASET_PATH). The token is never printed or logged.\n"
            "Hidden files and build_manifest.json are not published.",
        .positionals = {{"DIR", "The dataset folder (vidseg dataset build / foto output).", 0, 1}},
        .options = options,
        .examples = "  vidseg dataset publish huggingface_dataset --to hf://anna/ppi-lessons --private\n"
                    "  vidseg dataset publish                          # everything from ./.env\n"
                    "  vidseg dataset publish ds --to s3://datasets/ppi --s3-endpoint http://127.0.0.1:9000\n"
                    "  vidseg dataset publish ds --to /srv/published/ppi --dry-run",
    };
    return {spec, run_dataset_publish};
}

}  // namespace vidseg::cli

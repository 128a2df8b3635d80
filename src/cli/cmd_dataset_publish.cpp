#include <cstdio>

#include "command.hpp"
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
    if (report.stale_temp_files_removed > 0)
        std::printf("%s\n", m.count(Msg::PublishStaleTempRemoved,
                                    static_cast<long long>(report.stale_temp_files_removed)).c_str());
    if (plan.same_content)
        std::printf("%s\n", m.text(Msg::PublishSameContent, {{"source", plan.same_content->source},
                                                             {"time", plan.same_content->published_at}})
                                .c_str());
    if (report.card_generated) std::printf("%s\n", m.text(Msg::PublishCardGenerated).c_str());
    if (!report.url.empty()) std::printf("  %s\n", report.url.c_str());
}

int run_dataset_publish(const ParsedOptions& options, Context& context) {
    const auto config = publish::dataset_publish_config(options);
    const auto report = publish::publish_dataset(config);
    if (context.json) context.print_json(publish::to_json(report));
    else if (!context.quiet) print_report(report, config.dir.string(), context);
    return 0;
}

}  // namespace

Command dataset_publish_command() { return {publish::dataset_publish_command_spec(), run_dataset_publish}; }

}  // namespace vidseg::cli

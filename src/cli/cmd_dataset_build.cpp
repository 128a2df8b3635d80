#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>

#include "command.hpp"
#include "dataset_messages.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"

namespace vidseg::cli {

namespace {

std::string shell_word(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// `view N`: the session has printed the path; open it when something can show it. Never fails.
// $VIDSEG_IMAGE_VIEWER (a command, given the path) wins; else xdg-open when a display is there.
void open_keyframe(const dataset::ReviewItem& item, std::ostream& out, const Messages& m) {
    const char* custom = std::getenv("VIDSEG_IMAGE_VIEWER");
    const bool display = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
    std::string viewer;
    if (custom && *custom) viewer = custom;
    else if (display && std::system("command -v xdg-open >/dev/null 2>&1") == 0) viewer = "xdg-open";
    if (viewer.empty()) {
        out << m.text(Msg::ReviewNoViewer) << "\n";
        return;
    }
    // In the background: a viewer that stays open must not block the review.
    const std::string cmd = viewer + " " + shell_word(item.keyframe) + " </dev/null >/dev/null 2>&1 &";
    if (std::system(cmd.c_str()) != 0) out << m.text(Msg::ReviewViewerFailed, {{"viewer", viewer}}) << "\n";
}

extern "C" void cancel_on_signal(int) { request_cancel(); }

// Ctrl-C at the review prompt: without SA_RESTART the blocked read returns, the session ends as
// aborted and the cancellation turns into exit 130 (the default handler would restart the read).
class InterruptibleReads {
public:
    InterruptibleReads() {
        struct sigaction sa {};
        sa.sa_handler = cancel_on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~InterruptibleReads() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }
    InterruptibleReads(const InterruptibleReads&) = delete;
    InterruptibleReads& operator=(const InterruptibleReads&) = delete;

private:
    struct sigaction old_int_ {}, old_term_ {};
};

// The summary on stdout, in the language of --lang: what was built, reused, excluded, transcribed.
void print_build_summary(const dataset::DatasetReport& report, bool skip_deletion, const Messages& m) {
    const auto& plan = report.plan;
    const auto count = [&m](Msg noun, std::size_t n) { return m.count(noun, static_cast<long long>(n)); };
    const auto line = [](const std::string& text) { std::printf("%s\n", text.c_str()); };
    size_t test = 0;
    for (const auto& i : plan.items) test += i.split == "test";
    if (report.written) {
        line(m.text(Msg::DatasetBuilt, {{"dir", report.out_dir},
                                        {"fragments", count(Msg::CountFragments, plan.items.size())},
                                        {"crops", std::to_string(report.crops)},
                                        {"seconds", one_decimal(report.seconds)}}));
        line(m.text(Msg::DatasetReused, {{"fragments", count(Msg::CountFragments, report.reused_items)},
                                         {"files", count(Msg::CountFiles, report.built_artifacts)},
                                         {"reused", std::to_string(report.reused_artifacts)}}));
        if (!report.excluded.empty())
            line(m.text(Msg::DatasetExcluded,
                        {{"fragments", count(Msg::CountFragments, report.excluded.size())},
                         {"kept", skip_deletion ? m.text(Msg::DatasetExcludedFilesKept) : ""}}));
        if (!plan.test_lessons.empty())
            line(m.text(Msg::DatasetSplit, {{"train", std::to_string(plan.items.size() - test)},
                                            {"test", std::to_string(test)}}));
        if (report.transcripts_skipped)
            line(m.text(Msg::DatasetTranscriptsSkipped));
        else
            line(m.text(Msg::DatasetTranscriptsMade,
                        {{"made", std::to_string(report.transcribed)},
                         {"by", report.transcriber.empty() ? ""
                                                           : m.text(Msg::DatasetTranscribedBy,
                                                                    {{"transcriber", report.transcriber}})},
                         {"reused", std::to_string(plan.items.size() -
                                                   std::min(plan.items.size(), report.transcribed))}}));
    } else if (plan.items.empty()) {
        line(m.text(Msg::DatasetNothingNoInterval));
    } else {
        line(m.text(Msg::DatasetNothingFailed, {{"items", count(Msg::CountItems, plan.errors.size())},
                                                {"good", std::to_string(plan.items.size())}}));
    }
    if (plan.matches.unmatched.empty()) {
        line(m.text(Msg::DatasetEveryLabelMatched));
    } else {
        std::string names;
        for (const auto& u : plan.matches.unmatched) names += (names.empty() ? "'" : ", '") + u.label + "'";
        line(m.text(Msg::DatasetUnmatchedLabels, {{"labels", names}}));
    }
    if (!plan.errors.empty())
        line(m.text(report.written ? Msg::DatasetSummaryWritten : Msg::DatasetSummaryNotWritten,
                    {{"items", count(Msg::CountItems, plan.errors.size())},
                     {"fragments", count(Msg::CountFragments, plan.items.size())}}));
}

int run_dataset_build(const ParsedOptions& options, Context& context) {
    auto config = dataset::dataset_build_config(options);
    config.progress = context.progress.get();
    const char* user = std::getenv("USER");
    config.reviewer = user && *user ? user : "unknown";
    // Interactive review: on a terminal unless --yes / --skip-deletion / --json; --review forces it
    // (piped commands, tests).
    const bool force_review = options.flag("review");
    if (force_review && options.flag("yes"))
        throw Error(ErrorCode::InvalidArgument, "--review and --yes contradict each other (review or auto-confirm)");
    const bool review = force_review || (::isatty(STDIN_FILENO) && !options.flag("yes") &&
                                         !config.skip_deletion && !context.json);
    if (review) {
        // With --json, stdout is the JSON report; the dialogue goes to stderr.
        std::ostream& dialogue = context.json ? std::cerr : std::cout;
        config.review = [&dialogue, &context](dataset::ReviewSession& session) {
            if (context.progress) context.progress->end();
            const InterruptibleReads interruptible;
            const Messages& m = context.messages;
            const auto viewer = [&m](const dataset::ReviewItem& item, std::ostream& out) {
                open_keyframe(item, out, m);
            };
            const auto outcome = session.run(std::cin, dialogue, viewer, m);
            throw_if_cancelled();  // Ctrl-C at the prompt: exit 130, nothing written
            return outcome == dataset::ReviewSession::Outcome::Confirmed;
        };
    }

    const auto report = dataset::build_dataset(config);
    if (report.aborted) {
        if (context.json) context.print_json(dataset::to_json(report));
        else if (!context.quiet)
            std::printf("%s\n", context.messages.text(Msg::DatasetReviewAborted).c_str());
        return 1;
    }
    const auto& plan = report.plan;
    const int code = plan.errors.empty() && report.written ? 0 : 1;
    if (context.json) {
        context.print_json(dataset::to_json(report));
        return code;
    }
    // Item errors and unmatched labels go to stderr, always by name.
    print_item_errors(plan.errors);
    print_warnings(plan.warnings, context.messages);
    print_unmatched_labels(plan.matches, context.messages);
    if (context.quiet) return code;
    print_build_summary(report, config.skip_deletion, context.messages);
    return code;
}

}  // namespace

Command dataset_build_command() {
    auto spec = dataset::dataset_build_command_spec();
    spec.options.push_back(language_option());
    return {spec, run_dataset_build};
}

}  // namespace vidseg::cli

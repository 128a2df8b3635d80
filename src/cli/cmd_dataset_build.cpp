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
void open_keyframe(const dataset::ReviewItem& item, std::ostream& out) {
    const char* custom = std::getenv("VIDSEG_IMAGE_VIEWER");
    const bool display = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
    std::string viewer;
    if (custom && *custom) viewer = custom;
    else if (display && std::system("command -v xdg-open >/dev/null 2>&1") == 0) viewer = "xdg-open";
    if (viewer.empty()) {
        out << "  (no display or viewer: open the file above; set VIDSEG_IMAGE_VIEWER to a command to open it here)\n";
        return;
    }
    // In the background: a viewer that stays open must not block the review.
    const std::string cmd = viewer + " " + shell_word(item.keyframe) + " </dev/null >/dev/null 2>&1 &";
    if (std::system(cmd.c_str()) != 0) out << "  (could not start '" << viewer << "')\n";
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
            const auto outcome = session.run(std::cin, dialogue, open_keyframe);
            throw_if_cancelled();  // Ctrl-C at the prompt: exit 130, nothing written
            return outcome == dataset::ReviewSession::Outcome::Confirmed;
        };
    }

    const auto report = dataset::build_dataset(config);
    if (report.aborted) {
        if (context.json) context.print_json(dataset::to_json(report));
        else if (!context.quiet) std::printf("Review aborted: nothing written (finished files are kept for the next run)\n");
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
    for (const auto& w : plan.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    print_unmatched_labels(plan.matches);
    if (context.quiet) return code;
    size_t test = 0;
    for (const auto& i : plan.items) test += i.split == "test";
    if (report.written) {
        std::printf("Built dataset %s: %zu fragment(s) (%zu with a crop) in %.1f s\n", report.out_dir.c_str(),
                    plan.items.size(), report.crops, report.seconds);
        std::printf("  %zu fragment(s) reused unchanged from an earlier build; %zu file(s) made, %zu reused\n",
                    report.reused_items, report.built_artifacts, report.reused_artifacts);
        if (!report.excluded.empty())
            std::printf("  excluded in review: %zu fragment(s)%s (decisions in review.jsonl)\n", report.excluded.size(),
                        config.skip_deletion ? ", files kept under excluded/" : "");
        if (!plan.test_lessons.empty()) std::printf("  split by lesson: train %zu, test %zu\n", plan.items.size() - test, test);
        if (report.transcripts_skipped)
            std::printf("  transcripts: skipped (no --whisper-backend; transcripts/ is empty)\n");
        else
            std::printf("  transcripts: %zu made%s, %zu reused\n", report.transcribed,
                        report.transcriber.empty() ? "" : (" by " + report.transcriber).c_str(),
                        plan.items.size() - std::min(plan.items.size(), report.transcribed));
    } else if (plan.items.empty()) {
        std::printf("Nothing written: no valid labeled interval for the given videos\n");
    } else {
        std::printf("Nothing written: %zu item(s) failed (use --keep-going to write the %zu good ones)\n",
                    plan.errors.size(), plan.items.size());
    }
    if (plan.matches.unmatched.empty()) {
        std::printf("  every label matched a pattern\n");
    } else {
        std::string names;
        for (const auto& m : plan.matches.unmatched) names += (names.empty() ? "'" : ", '") + m.label + "'";
        std::printf("  unmatched labels (kept in 'labels', no pattern): %s\n", names.c_str());
    }
    if (!plan.errors.empty())
        std::printf("Summary: %zu item(s) failed, %zu fragment(s) %s\n", plan.errors.size(), plan.items.size(),
                    report.written ? "written" : "not written");
    return code;
}

}  // namespace

Command dataset_build_command() {
    return {dataset::dataset_build_command_spec(), run_dataset_build};
}

}  // namespace vidseg::cli

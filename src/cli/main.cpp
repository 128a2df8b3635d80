// vidseg command-line front end: parse, call libvidseg, print; errors become exit codes.
#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/config_file.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/language.hpp"
#include "vidseg/core/version.hpp"

namespace {

using vidseg::cli::Command;

std::vector<Command> all_commands() {
    return {vidseg::cli::probe_command(), vidseg::cli::prepare_command(), vidseg::cli::cut_command(),
            vidseg::cli::keyframes_command(), vidseg::cli::keyframes_learn_command(), vidseg::cli::audio_command(),
            vidseg::cli::intro_detect_command(), vidseg::cli::intro_learn_command(), vidseg::cli::intro_eval_command(),
            vidseg::cli::dataset_build_command(), vidseg::cli::dataset_foto_command(), vidseg::cli::dataset_publish_command(),
            vidseg::cli::dataset_agreement_command(),
            vidseg::cli::features_command(),
            vidseg::cli::train_command(), vidseg::cli::predict_command(), vidseg::cli::patterns_find_command(),
            vidseg::cli::patterns_eval_command(), vidseg::cli::transcribe_command(), vidseg::cli::serve_command(),
            vidseg::cli::users_add_command(), vidseg::cli::worker_command(), vidseg::cli::agent_watch_command(),
            vidseg::cli::mcp_command()};
}

void print_usage(const std::vector<Command>& commands) {
    std::printf(
        "vidseg %s - turn raw videos into labeled temporal segments, datasets and detectors\n\n"
        "Usage: vidseg COMMAND [OPTIONS] [ARGS]\n       vidseg COMMAND --help\n\nCommands:\n",
        vidseg::version());
    for (const auto& c : commands) std::printf("  %-18s %s\n", c.spec.name.c_str(), c.spec.summary.c_str());
    std::printf(
        "\nGlobal options:\n  --version    Print version and linked library versions.\n"
        "  --help       Show this help.\n\n"
        "Exit codes:\n"
        "  0 success            1 some items failed     2 invalid arguments\n"
        "  3 input not found    4 invalid/corrupt media 5 unsupported input\n"
        "  6 cannot write output  7 malformed data file  70 internal error  130 interrupted\n");
}

// A command with a --config option reads its defaults from that file (or $<PREFIX>CONFIG).
vidseg::CommandSpec with_config(const vidseg::CommandSpec& spec, const std::vector<std::string>& args) {
    const auto option = std::find_if(spec.options.begin(), spec.options.end(),
                                     [](const vidseg::OptionSpec& o) { return o.name == "config"; });
    if (option == spec.options.end()) return spec;
    std::string file;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) file = args[i + 1];
        else if (args[i].rfind("--config=", 0) == 0) file = args[i].substr(9);
    }
    if (file.empty())
        if (const char* v = std::getenv(vidseg::option_env_name(spec, *option).c_str()); v && *v) file = v;
    return file.empty() ? spec : vidseg::with_config_file(spec, file);
}

extern "C" void on_signal(int) { vidseg::request_cancel(); }

}  // namespace

int main(int argc, char** argv) {
    // Decoders and x264 start many short-lived threads; glibc would give each a heap arena that keeps
    // its freed frame buffers, so peak memory grew with the video's length (~360 MB for 1 h of 1080p
    // in `prepare`). Two arenas keep it flat at no measurable cost in speed.
    mallopt(M_ARENA_MAX, 2);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::vector<std::string> args(argv + 1, argv + argc);
    auto commands = all_commands();
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_usage(commands);
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "version") {
        std::printf("vidseg %s\n%s\n", vidseg::version(), vidseg::library_versions());
        return 0;
    }
    // Commands are one word ("prepare") or a group and a verb ("intro eval"); the longer match wins.
    const Command* command = nullptr;
    size_t words = 0;
    for (const auto& c : commands) {
        if (c.spec.name == args[0] && words < 1) {
            command = &c;
            words = 1;
        } else if (args.size() > 1 && c.spec.name == args[0] + " " + args[1]) {
            command = &c;
            words = 2;
        }
    }
    if (!command) {
        std::fprintf(stderr, "vidseg: unknown command '%s' (run 'vidseg --help' for the list)\n", args[0].c_str());
        return 2;
    }
    vidseg::cli::Context context;
    try {
        const std::vector<std::string> command_args(args.begin() + static_cast<long>(words), args.end());
        const auto spec = with_config(command->spec, command_args);
        auto parsed = vidseg::parse_command_line(spec, command_args);
        if (parsed.flag("help")) {
            std::cout << vidseg::format_help(spec);
            return 0;
        }
        context.json = parsed.flag("json");
        context.quiet = parsed.flag("quiet");
        context.messages = vidseg::Messages(vidseg::chosen_language(parsed));
        if (!context.quiet && !context.json && vidseg::stderr_is_terminal())
            context.progress = std::make_unique<vidseg::TerminalProgress>();
        else
            context.progress = std::make_unique<vidseg::NullProgress>();
        return command->run(parsed, context);
    } catch (const vidseg::Error& e) {
        if (context.progress) context.progress->end();
        // The text stays English; the code in brackets (the "code" of --json) is stable, for a UI to
        // translate.
        std::fprintf(stderr, "vidseg %s: error[%s]: %s\n", command->spec.name.c_str(),
                     vidseg::error_code_name(e.code()), e.what());
        if (context.json) {
            nlohmann::json doc = {{"error", {{"code", vidseg::error_code_name(e.code())},
                                              {"message", e.what()},
                                              {"subject", e.subject()}}}};
            std::cout << doc.dump(2) << "\n";
        }
        return vidseg::exit_code_for(e.code());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vidseg %s: error[internal]: internal error: %s\n", command->spec.name.c_str(),
                     e.what());
        return 70;
    }
}

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/mcp/local_tools.hpp"
#include "vidseg/mcp/stdio_transport.hpp"

namespace vidseg::cli {

namespace {

extern "C" void stop_on_signal(int) {
    request_cancel();
}

int run_mcp(const ParsedOptions& options, Context&) {
    // stdout carries the protocol alone: it is kept for the messages and fd 1 becomes stderr, so that
    // nothing else written to stdout (a library's note) can break a line of JSON-RPC.
    const int protocol_fd = ::dup(STDOUT_FILENO);
    std::FILE* protocol = protocol_fd >= 0 ? ::fdopen(protocol_fd, "w") : nullptr;
    if (!protocol || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        throw Error(ErrorCode::OutputError, "cannot set up stdout for the MCP messages");
    // SIGINT/SIGTERM end the blocked read of stdin (no SA_RESTART) as well as the running tools.
    struct sigaction stop {};
    stop.sa_handler = stop_on_signal;
    sigemptyset(&stop.sa_mask);
    ::sigaction(SIGINT, &stop, nullptr);
    ::sigaction(SIGTERM, &stop, nullptr);
    mcp::serve_stdio(mcp::local_toolbox({.datasets_dir = options.str("datasets")}), std::cin, protocol);
    std::fclose(protocol);
    return cancel_requested() ? 130 : 0;
}

}  // namespace

Command mcp_command() {
    CommandSpec spec{
        .name = "mcp",
        .summary = "Serve vidseg's tools to an assistant over the Model Context Protocol (stdio).",
        .description =
            "Reads JSON-RPC messages, one per line, on stdin and answers on stdout (MCP's stdio transport).\n"
            "Tools: probe, prepare, dataset_build, dataset_agreement, intro_detect; each takes the options "
            "of\n"
            "the command of the same name (input schemas made from the same option tables), long ones "
            "report\n"
            "progress and can be cancelled. Resources: the datasets in --datasets DIR. `vidseg serve` "
            "offers\n"
            "the same protocol at /mcp (streamable HTTP, Bearer token), where the tools run as jobs.",
        .options = {{.name = "datasets",
                     .type = OptionType::Path,
                     .help = "Folder of built datasets, offered as resources vidseg://datasets/NAME.",
                     .metavar = "DIR"}},
        .examples =
            "  vidseg mcp --datasets ~/datasets\n"
            "  (an assistant's config: {\"mcpServers\": {\"vidseg\": {\"command\": \"vidseg\", "
            "\"args\": [\"mcp\"]}}})",
    };
    return {spec, run_mcp};
}

}  // namespace vidseg::cli

// The CLI's command registry: each command is a table (drives --help and validation) plus a
// run function that turns parsed options into a library config, calls the library and prints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/options.hpp"
#include "vidseg/core/progress.hpp"

namespace vidseg::cli {

struct Context {
    bool json = false;
    bool quiet = false;
    std::unique_ptr<Progress> progress;  // TerminalProgress on a tty, NullProgress otherwise

    // Informational message on stderr (suppressed by --quiet and --json).
    void info(const std::string& message) const;
    // Prints a JSON document on stdout.
    void print_json(const nlohmann::json& doc) const;
};

struct Command {
    CommandSpec spec;
    int (*run)(const ParsedOptions& options, Context& context);
};

// One factory per command file.
Command probe_command();
Command prepare_command();
Command cut_command();
Command keyframes_command();
Command audio_command();
Command intro_eval_command();
Command dataset_agreement_command();
Command dataset_build_command();
Command dataset_foto_command();
Command intro_detect_command();

}  // namespace vidseg::cli

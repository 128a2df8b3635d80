#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_prepare(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command prepare_command() {
    CommandSpec spec{.name = "prepare", .summary = "(not yet implemented)"};
    return {spec, run_prepare};
}

}  // namespace vidseg::cli

#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_intro_eval(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command intro_eval_command() {
    CommandSpec spec{.name = "intro eval", .summary = "(not yet implemented)"};
    return {spec, run_intro_eval};
}

}  // namespace vidseg::cli

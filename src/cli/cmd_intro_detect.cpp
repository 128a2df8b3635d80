#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_intro_detect(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command intro_detect_command() {
    CommandSpec spec{.name = "intro detect", .summary = "(not yet implemented)"};
    return {spec, run_intro_detect};
}

}  // namespace vidseg::cli

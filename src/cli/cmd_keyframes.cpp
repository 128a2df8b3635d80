#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_keyframes(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command keyframes_command() {
    CommandSpec spec{.name = "keyframes", .summary = "(not yet implemented)"};
    return {spec, run_keyframes};
}

}  // namespace vidseg::cli

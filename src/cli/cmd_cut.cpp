#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_cut(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command cut_command() {
    CommandSpec spec{.name = "cut", .summary = "(not yet implemented)"};
    return {spec, run_cut};
}

}  // namespace vidseg::cli

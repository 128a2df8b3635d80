#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_dataset_build(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command dataset_build_command() {
    CommandSpec spec{.name = "dataset build", .summary = "(not yet implemented)"};
    return {spec, run_dataset_build};
}

}  // namespace vidseg::cli

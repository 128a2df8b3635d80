#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_dataset_agreement(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command dataset_agreement_command() {
    CommandSpec spec{.name = "dataset agreement", .summary = "(not yet implemented)"};
    return {spec, run_dataset_agreement};
}

}  // namespace vidseg::cli

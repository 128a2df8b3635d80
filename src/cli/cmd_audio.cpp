#include "command.hpp"

namespace vidseg::cli {

namespace {
int run_audio(const ParsedOptions&, Context&) { return 70; }
}  // namespace

Command audio_command() {
    CommandSpec spec{.name = "audio", .summary = "(not yet implemented)"};
    return {spec, run_audio};
}

}  // namespace vidseg::cli

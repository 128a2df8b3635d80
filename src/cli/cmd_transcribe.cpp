#include <cstdio>

#include "command.hpp"
#include "vidseg/pipeline/transcribe_options.hpp"

namespace vidseg::cli {

namespace {

int run_transcribe(const ParsedOptions& options, Context& context) {
    auto config = pipeline::transcribe_config(options);
    config.progress = context.progress.get();
    const auto report = pipeline::transcribe(config);
    if (context.json) {
        context.print_json(pipeline::to_json(report));
        return 0;
    }
    if (!context.quiet)
        std::printf("Transcribed %s (%s, language %s, %zu segments) into %s in %.1f s\n",
                    config.media.c_str(), report.transcriber.c_str(), report.transcript.language.c_str(),
                    report.transcript.segments.size(), report.out_dir.c_str(), report.seconds);
    return 0;
}

}  // namespace

Command transcribe_command() {
    return {pipeline::transcribe_command_spec(), run_transcribe};
}

}  // namespace vidseg::cli

#include <cstdio>

#include "command.hpp"
#include "vidseg/pipeline/prepare_options.hpp"

namespace vidseg::cli {

namespace {

int run_prepare(const ParsedOptions& options, Context& context) {
    auto config = pipeline::prepare_config(options);
    config.progress = context.progress.get();

    const auto report = pipeline::prepare(config);
    if (context.json) {
        context.print_json(pipeline::to_json(report));
        return 0;
    }
    for (const auto& w : report.warnings) context.info("warning: " + w);
    if (!context.quiet) {
        std::printf("Prepared %zu segments of %.1f s from %s in %.1f s (%s mode)\n", report.segments.size(),
                    config.segment_seconds, config.video.c_str(), report.seconds,
                    config.mode == media::CutMode::Copy ? "copy" : "exact");
        std::printf("Outputs in %s:\n", report.out_dir.c_str());
        std::printf("  part_films/        %zu clips\n", report.segments.size());
        std::printf("  processed_data/    keyframes (segment_<i>_keyframe.jpg), features.jsonl, features.csv\n");
        if (!report.audio_wav.empty()) {
            std::printf("  %-18s full audio track (%d Hz, %d ch)\n", report.audio_wav.c_str(), config.audio_sample_rate,
                        config.audio_channels);
            std::printf("  audio/             each segment's audio (segment_<i>.wav), what its task plays\n");
        }
        std::printf("  tasks.json         Label Studio tasks (import into a project)\n");
        std::printf("  label_config.xml   Label Studio labeling config\n");
        std::printf("  manifest.json      input, parameters and every segment's actual boundaries\n");
    }
    return 0;
}

}  // namespace

Command prepare_command() { return {pipeline::prepare_command_spec(), run_prepare}; }

}  // namespace vidseg::cli

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
    if (!context.quiet)
        for (const auto& w : report.warnings) context.warning(w);
    if (!context.quiet) {
        const Messages& m = context.messages;
        const long long segments = static_cast<long long>(report.segments.size());
        std::printf("%s\n", m.text(Msg::PreparedSummary,
                                   {{"segments", m.count(Msg::CountSegments, segments)},
                                    {"length", one_decimal(config.segment_seconds)},
                                    {"video", config.video},
                                    {"seconds", one_decimal(report.seconds)},
                                    {"mode", config.mode == media::CutMode::Copy ? "copy" : "exact"}})
                                .c_str());
        std::printf("%s\n", m.text(Msg::PreparedOutputs, {{"dir", report.out_dir}}).c_str());
        std::printf("%s\n",
                    m.text(Msg::PreparedClips, {{"clips", m.count(Msg::CountClips, segments)}}).c_str());
        std::printf("%s\n", m.text(Msg::PreparedKeyframes).c_str());
        if (!report.audio_wav.empty()) {
            std::printf("  %-18s %s\n", report.audio_wav.c_str(),
                        m.text(Msg::PreparedAudioTrack, {{"rate", std::to_string(config.audio_sample_rate)},
                                                         {"channels", std::to_string(config.audio_channels)}})
                            .c_str());
            std::printf("%s\n", m.text(Msg::PreparedSegmentAudio).c_str());
        }
        for (Msg line : {Msg::PreparedTasks, Msg::PreparedLabelConfig, Msg::PreparedManifest})
            std::printf("%s\n", m.text(line).c_str());
    }
    return 0;
}

}  // namespace

Command prepare_command() {
    // --lang is the console's alone: a prepare job of `vidseg serve` takes the same table without it.
    auto spec = pipeline::prepare_command_spec();
    spec.options.push_back(language_option());
    return {spec, run_prepare};
}

}  // namespace vidseg::cli

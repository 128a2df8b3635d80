#include <cstdio>

#include "command.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::cli {

namespace {

int run_probe(const ParsedOptions& options, Context& context) {
    media::ProbeOptions probe_options;
    probe_options.scan_packets = !options.flag("fast");
    const auto info = media::probe(options.positionals().front(), probe_options);
    if (context.json) {
        context.print_json(media::to_json(info));
        return 0;
    }
    std::printf("%s\n  container: %s\n  duration:  %.3f s\n  size:      %lld bytes\n", info.path.c_str(),
                info.container.c_str(), info.duration, info.size_bytes);
    for (const auto& s : info.streams) {
        std::printf("  stream #%d %s: %s%s%s", s.index, media::stream_kind_name(s.kind), s.codec.c_str(),
                    s.profile.empty() ? "" : " (", s.profile.empty() ? "" : (s.profile + ")").c_str());
        if (s.kind == media::StreamKind::Video) {
            std::printf(", %dx%d %s, %.3f fps%s", s.width, s.height, s.pixel_format.c_str(), s.fps,
                        s.variable_frame_rate ? " (variable frame rate)" : "");
            if (s.rotation) std::printf(", rotation %d", s.rotation);
            if (s.frame_count) std::printf(", %lld frames", s.frame_count);
            std::printf(", %zu keyframes", s.keyframes.size());
            if (!s.keyframes.empty()) {
                std::printf(" [");
                for (size_t i = 0; i < s.keyframes.size() && i < 8; ++i)
                    std::printf("%s%.3f", i ? ", " : "", s.keyframes[i]);
                std::printf("%s]", s.keyframes.size() > 8 ? ", ..." : "");
            }
        } else if (s.kind == media::StreamKind::Audio) {
            std::printf(", %d Hz, %d ch (%s), %s", s.sample_rate, s.channels, s.channel_layout.c_str(),
                        s.sample_format.c_str());
        }
        std::printf("\n");
    }
    return 0;
}

}  // namespace

Command probe_command() {
    CommandSpec spec{
        .name = "probe",
        .summary = "Show container, duration, streams, codecs, frame rate, rotation and keyframes of a media file.",
        .description = "Reads the container index and, unless --fast, every video packet (no decoding) to list\n"
                       "exact keyframe positions, the frame count and whether the frame rate is variable.",
        .positionals = {{.name = "VIDEO", .help = "Media file to inspect."}},
        .options = {{.name = "fast", .type = OptionType::Flag,
                     .help = "Trust the MP4/MOV sample table instead of reading every packet (other containers "
                             "are always scanned): faster on huge files, no truncation or VFR check."}},
        .examples = "  vidseg probe lesson.mp4\n  vidseg probe --json lesson.mp4 | jq '.streams[0].keyframes'",
    };
    return {spec, run_probe};
}

}  // namespace vidseg::cli

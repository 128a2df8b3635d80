#include "vidseg/media/probe_options.hpp"

namespace vidseg::media {

CommandSpec probe_command_spec() {
    return {
        .name = "probe",
        .summary =
            "Show container, duration, streams, codecs, frame rate, rotation and keyframes of a media file.",
        .description =
            "Reads the container index and, unless --fast, every video packet (no decoding) to list\n"
            "exact keyframe positions, the frame count and whether the frame rate is variable.",
        .positionals = {{.name = "VIDEO", .help = "Media file to inspect."}},
        .options = {{.name = "fast",
                     .type = OptionType::Flag,
                     .help =
                         "Trust the MP4/MOV sample table instead of reading every packet (other containers "
                         "are always scanned): faster on huge files, no truncation or VFR check."}},
        .examples =
            "  vidseg probe lesson.mp4\n  vidseg probe --json lesson.mp4 | jq '.streams[0].keyframes'",
    };
}

ProbeOptions probe_options(const ParsedOptions& options) {
    ProbeOptions probe;
    probe.scan_packets = !options.flag("fast");
    return probe;
}

}  // namespace vidseg::media

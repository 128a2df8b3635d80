#include <cstdio>

#include "command.hpp"
#include "vidseg/media/probe_options.hpp"

namespace vidseg::cli {

namespace {

int run_probe(const ParsedOptions& options, Context& context) {
    const auto info = media::probe(options.positionals().front(), media::probe_options(options));
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

Command probe_command() { return {media::probe_command_spec(), run_probe}; }

}  // namespace vidseg::cli

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/cutter.hpp"
#include "vidseg/media/probe.hpp"

namespace vidseg::cli {

namespace {

namespace fs = std::filesystem;

// Parses "s-e,s-e,..." (seconds, decimals allowed) into clips.
std::vector<media::ClipSpec> parse_clip_list(const std::string& text) {
    std::vector<media::ClipSpec> clips;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        const std::string item = text.substr(pos, comma - pos);
        const size_t dash = item.find('-', 1);
        auto bad = [&] {
            return Error(ErrorCode::InvalidArgument,
                         "--clips: '" + item + "' is not START-END in seconds (e.g. --clips \"1.5-4,10-12\")");
        };
        if (item.empty() || dash == std::string::npos) throw bad();
        try {
            size_t used1 = 0, used2 = 0;
            const std::string a = item.substr(0, dash), b = item.substr(dash + 1);
            const double s = std::stod(a, &used1);
            const double e = std::stod(b, &used2);
            if (used1 != a.size() || used2 != b.size()) throw bad();
            clips.push_back({s, e, {}});
        } catch (const std::logic_error&) {
            throw bad();
        }
        pos = comma + 1;
    }
    return clips;
}

int run_cut(const ParsedOptions& options, Context& context) {
    const std::string input = options.positionals().front();
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "--out DIR is required");
    if (options.given("segment") && options.given("clips"))
        throw Error(ErrorCode::InvalidArgument, "give either --segment or --clips, not both");

    const auto info = media::probe(input, media::ProbeOptions{.scan_packets = false});
    const auto* video = info.video();
    if (!video) throw Error(ErrorCode::InvalidMedia, "has no video stream", input);

    media::CutOptions cut;
    cut.mode = options.str("mode") == "copy" ? media::CutMode::Copy : media::CutMode::Exact;
    cut.crf = static_cast<int>(options.integer("crf"));
    cut.preset = options.str("preset");
    cut.audio = !options.flag("no-audio");
    cut.progress = context.progress.get();

    std::vector<media::ClipSpec> clips;
    if (options.given("clips")) {
        clips = parse_clip_list(options.str("clips"));
    } else {
        const double fps = video->fps > 0 ? video->fps : (video->nominal_fps > 0 ? video->nominal_fps : 25.0);
        // Over the picture: sound that outlasts it is reported below, not cut into clips without frames.
        clips = media::fixed_segments(media::picture_end(info), options.number("segment"), 1.0 / fps);
    }
    std::vector<std::string> warnings;
    if (const std::string w = media::sound_past_picture_note(info, Messages().text(Msg::WhatClips));
        !w.empty() && !options.given("clips"))
        warnings.push_back(w);

    AtomicOutputDir out(options.str("out"));
    const std::string ext = media::clip_extension(info.container, video->codec, cut.mode);
    std::vector<std::string> names;
    for (size_t i = 0; i < clips.size(); ++i) {
        char name[64];
        std::snprintf(name, sizeof(name), "segment_%05zu%s", i, ext.c_str());
        names.emplace_back(name);
        clips[i].output_path = (out.staging() / name).string();
    }
    auto results = media::cut_clips(input, clips, cut);

    nlohmann::json manifest = nlohmann::json::array();
    for (size_t i = 0; i < results.size(); ++i) {
        auto j = media::to_json(results[i]);
        j.erase("output_path");
        j["file"] = names[i];
        manifest.push_back(j);
    }
    write_file_atomic(out.staging() / "manifest.json", manifest.dump(2) + "\n");
    out.commit();

    if (context.json) {
        context.print_json({{"input", input}, {"out", out.destination().string()}, {"mode", options.str("mode")},
                            {"clips", manifest}, {"warnings", warnings}});
        return 0;
    }
    for (size_t i = 0; i < results.size() && !context.quiet && !context.json; ++i) {
        const auto& r = results[i];
        std::printf("%s  %9.3f-%9.3f s  (asked %.3f-%.3f)  %5lld frames  %-8s re-encoded %.2f s\n",
                    names[i].c_str(), r.actual_start, r.actual_end, r.requested_start, r.requested_end, r.frames,
                    r.method.c_str(), r.reencoded_seconds);
    }
    for (const auto& w : warnings) context.info("warning: " + w);
    context.info(std::to_string(results.size()) + " clips written to " + out.destination().string());
    return 0;
}

}  // namespace

Command cut_command() {
    CommandSpec spec{
        .name = "cut",
        .summary = "Cut a video into fixed-length segments or given clips (frame-exact smart cut or stream copy).",
        .description =
            "Writes OUT/segment_00000.<ext>, ... and OUT/manifest.json (actual start/end, frames, method per clip).\n"
            "The output directory appears complete or not at all.\n\n"
            "--mode exact (default): each clip holds exactly the frames in [start, end), timestamps from 0.\n"
            "  H.264 (MP4/MKV) and VP9 (WebM) are smart-cut: only the partial GOPs at the cut points are\n"
            "  re-encoded, whole GOPs are copied untouched. Other codecs are re-encoded to H.264/AAC MP4.\n"
            "  Audio is re-encoded (AAC, or Opus for WebM) over exactly the span of the video.\n"
            "--mode copy: no re-encoding at all, very fast; clips start at the first keyframe at or after\n"
            "  the requested start (like ffmpeg's segment muxer); the manifest records the real cut points.",
        .positionals = {{.name = "VIDEO", .help = "Video file to cut."}},
        .options =
            {
                {.name = "segment", .type = OptionType::Double, .default_value = "5",
                 .help = "Cut consecutive segments of this length; the last one is shorter.", .metavar = "SECONDS",
                 .min = 0.04, .max = 86400},
                {.name = "clips", .type = OptionType::String,
                 .help = "Cut these clips instead: comma-separated START-END in seconds (may overlap).",
                 .metavar = "S-E,S-E"},
                {.name = "mode", .type = OptionType::Choice, .default_value = "exact",
                 .help = "exact = frame-accurate smart cut; copy = keyframe-aligned stream copy.",
                 .choices = {"exact", "copy"}},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Output directory (required).",
                 .metavar = "DIR"},
                {.name = "crf", .type = OptionType::Int, .default_value = "18",
                 .help = "Quality of re-encoded video (x264/vpx CRF; lower = better, larger).", .metavar = "N",
                 .min = 0, .max = 51},
                {.name = "preset", .type = OptionType::Choice, .default_value = media::kDefaultPreset,
                 .help = "x264 speed preset for re-encoded parts.",
                 .choices = {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                             "veryslow"}},
                {.name = "no-audio", .type = OptionType::Flag, .help = "Leave the audio track out of the clips."},
            },
        .examples = "  vidseg cut lesson.mp4 --out segments/                 # 5 s frame-exact segments\n"
                    "  vidseg cut lesson.mp4 --segment 10 --mode copy --out seg/\n"
                    "  vidseg cut lesson.mp4 --clips \"3.2-7.5,12-20\" --out clips/ --json",
    };
    return {spec, run_cut};
}

}  // namespace vidseg::cli

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "command.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"

namespace vidseg::cli {

namespace {

std::vector<double> parse_times(const std::string& text) {
    std::vector<double> times;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(item, &used);
        } catch (...) {
            used = 0;
        }
        if (item.empty() || used != item.size() || !std::isfinite(v) || v < 0)
            throw Error(ErrorCode::InvalidArgument,
                        "option --at: expects comma-separated times in seconds >= 0, got '" + item + "'");
        times.push_back(v);
    }
    if (times.empty()) throw Error(ErrorCode::InvalidArgument, "option --at: no times given");
    return times;
}

media::PixelRect parse_crop(const std::string& text) {
    int v[4];
    char extra = 0;
    if (std::sscanf(text.c_str(), "%d,%d,%d,%d%c", &v[0], &v[1], &v[2], &v[3], &extra) != 4 || v[0] < 0 || v[1] < 0 ||
        v[2] <= 0 || v[3] <= 0)
        throw Error(ErrorCode::InvalidArgument,
                    "option --crop: expects x,y,w,h in pixels (x,y >= 0; w,h > 0), got '" + text + "'");
    return {v[0], v[1], v[2], v[3]};
}

std::string time_name(double t) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3f", t);
    return buf;
}

int run_keyframes(const ParsedOptions& options, Context& context) {
    namespace fs = std::filesystem;
    const std::string video = options.positionals().front();
    if (!options.given("out")) throw Error(ErrorCode::InvalidArgument, "missing option --out DIR");
    if (options.given("segment") && options.given("at"))
        throw Error(ErrorCode::InvalidArgument, "options --segment and --at are mutually exclusive");
    const std::string ext = options.str("format") == "png" ? "png" : "jpg";
    media::ImageWriteOptions write_options;
    write_options.format = ext == "png" ? media::ImageFormat::Png : media::ImageFormat::Jpeg;
    write_options.quality = static_cast<int>(options.integer("quality"));
    const int width = options.given("width") ? static_cast<int>(options.integer("width")) : 0;
    media::FrameReaderOptions reader_options;
    reader_options.serialize_sink = false;  // the sink below writes distinct files and locks shared state
    reader_options.nearest_keyframe = options.flag("nearest-keyframe");
    if (options.given("crop")) {
        write_options.crop = parse_crop(options.str("crop"));
        write_options.width = width;  // crop at native size, then scale
    } else {
        reader_options.max_width = width;  // convert + scale in one swscale step
    }

    const auto started = std::chrono::steady_clock::now();
    media::FrameReader reader(video, reader_options);
    if (write_options.crop) media::image_output_size(reader.width(), reader.height(), write_options);  // validate early

    std::vector<double> times;
    std::vector<std::string> names;
    if (options.given("at")) {
        times = parse_times(options.str("at"));
        for (double t : times) names.push_back("frame_" + time_name(t) + "." + ext);
    } else {
        const double segment = options.number("segment");
        const double duration = reader.picture_duration();  // sound past the picture gets no keyframes
        const auto count = static_cast<size_t>(std::max(1.0, std::ceil(duration / segment - 1e-9)));
        for (size_t i = 0; i < count; ++i) {
            const double a = static_cast<double>(i) * segment;
            const double b = std::min(duration, a + segment);
            times.push_back(std::min(duration, (a + b) / 2));
            names.push_back("segment_" + std::to_string(i) + "_keyframe." + ext);
        }
    }

    AtomicOutputDir out(options.str("out"));
    std::vector<double> frame_times(times.size(), 0);
    std::mutex mutex;
    reader.read_many(
        times,
        [&](size_t i, const media::Image& image) {
            media::write_image(image, (out.staging() / names[i]).string(), write_options);
            std::lock_guard lock(mutex);
            frame_times[i] = image.time;
        },
        context.progress.get());
    out.commit();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (context.json) {
        nlohmann::json frames = nlohmann::json::array();
        for (size_t i = 0; i < times.size(); ++i)
            frames.push_back({{"index", i},
                              {"time", times[i]},
                              {"frame_time", frame_times[i]},
                              {"file", (out.destination() / names[i]).string()}});
        context.print_json({{"video", video},
                            {"out", out.destination().string()},
                            {"count", times.size()},
                            {"format", ext},
                            {"elapsed_seconds", elapsed},
                            {"frames", frames}});
    } else {
        std::printf("wrote %zu %s frame%s to %s in %.2f s\n", times.size(), ext.c_str(), times.size() == 1 ? "" : "s",
                    out.destination().string().c_str(), elapsed);
        if (!context.quiet)
            for (size_t i = 0; i < times.size(); ++i)
                std::printf("  %-28s t=%.3f s (frame at %.3f s)\n", names[i].c_str(), times[i], frame_times[i]);
    }
    return 0;
}

}  // namespace

Command keyframes_command() {
    CommandSpec spec{
        .name = "keyframes",
        .summary = "Extract representative frames (mid-segment or at given times) as JPEG/PNG images.",
        .description =
            "Writes the exact frame shown at each requested time (not the nearest codec keyframe); with\n"
            "--nearest-keyframe, the keyframe (I-frame) nearest to each time instead: approximate (up to half\n"
            "a GOP away, the time it shows is in --json 'frame_time'), but only that frame is decoded.\n"
            "With --segment, the video is split into fixed-length segments and the frame in the middle of\n"
            "each is saved as segment_<i>_keyframe.<ext> (i from 0); with --at, frame_<t>.<ext> per time.\n"
            "The output directory appears complete or not at all (it replaces a previous one).",
        .positionals = {{.name = "VIDEO", .help = "Input video file."}},
        .options =
            {
                {.name = "segment", .type = OptionType::Double, .default_value = "5",
                 .help = "Segment length in seconds; one frame from the middle of each segment.",
                 .metavar = "SECONDS", .min = 0.04, .max = 86400},
                {.name = "at", .type = OptionType::String,
                 .help = "Comma-separated times in seconds instead of segments, e.g. 1.5,10,42.",
                 .metavar = "T1,T2,..."},
                {.name = "out", .short_name = 'o', .type = OptionType::Path, .help = "Output directory (required).",
                 .metavar = "DIR"},
                {.name = "format", .type = OptionType::Choice, .default_value = "jpg", .help = "Image format.",
                 .metavar = "FORMAT", .choices = {"jpg", "png"}},
                {.name = "quality", .type = OptionType::Int, .default_value = "90",
                 .help = "JPEG quality, 1 (smallest) to 100 (best).", .min = 1, .max = 100},
                {.name = "width", .type = OptionType::Int,
                 .help = "Output width in pixels (height keeps the aspect ratio). Default: native width; "
                         "never upscales unless --crop is given.",
                 .metavar = "PIXELS", .min = 1, .max = 16384},
                {.name = "crop", .type = OptionType::String,
                 .help = "Crop rectangle x,y,w,h in pixels of the (rotated) frame, applied before --width.",
                 .metavar = "X,Y,W,H"},
                {.name = "nearest-keyframe", .type = OptionType::Flag,
                 .help = "Approximate and fast: the keyframe (I-frame) nearest to each time, decoded alone, "
                         "instead of the exact frame."},
            },
        .examples = "  vidseg keyframes lesson.mp4 --segment 5 --out keyframes/\n"
                    "  vidseg keyframes lesson.mp4 --at 1.5,12,20 --format png --out frames/\n"
                    "  vidseg keyframes lesson.mp4 --segment 10 --nearest-keyframe --width 320 --out thumbs/\n"
                    "  vidseg keyframes lesson.mp4 --width 320 --crop 0,0,320,180 --quality 80 --out thumbs/ --json",
    };
    return {spec, run_keyframes};
}

}  // namespace vidseg::cli

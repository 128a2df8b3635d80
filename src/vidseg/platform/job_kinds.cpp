#include "vidseg/platform/job_kinds.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"
#include "vidseg/media/probe.hpp"
#include "vidseg/pipeline/prepare_options.hpp"
#include "vidseg/platform/uploads.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

const std::vector<std::string>& submittable_job_kinds() {
    static const std::vector<std::string> kinds = {"prepare"};
    return kinds;
}

ParsedOptions parse_job_options(const CommandSpec& spec, const nlohmann::json& options,
                                const std::vector<std::string>& positionals) {
    if (options.is_object())
        for (const auto& o : spec.options)
            if (o.type == OptionType::Path && options.contains(o.name))
                throw Error(ErrorCode::InvalidArgument,
                            "option " + o.name + " is chosen by the server, not by a job");
    return parse_option_object(spec, options, positionals);
}

void validate_job_request(const std::string& kind, const std::vector<std::int64_t>& video_ids,
                          const nlohmann::json& options) {
    if (kind == "prepare") {
        if (video_ids.size() != 1)
            throw Error(ErrorCode::InvalidArgument, "a prepare job takes exactly one video (video_ids)");
        parse_job_options(pipeline::prepare_command_spec(), options, {"video"});
        return;
    }
    std::string known;
    for (const auto& k : submittable_job_kinds()) known += (known.empty() ? "" : ", ") + k;
    throw Error(ErrorCode::InvalidArgument, "unknown job kind '" + kind + "' (known: " + known + ")");
}

const std::vector<StageSpan>& job_stage_spans(const std::string& kind) {
    static const std::vector<StageSpan> arrival = {{"fetch", "prepare", 0, 10},
                                                   {"audio", "prepare", 10, 80},
                                                   {"poster", "frames", 80, 90},
                                                   {"assemble", "assemble", 90, 100}};
    static const std::vector<StageSpan> prepare = {{"fetch", "prepare", 0, 5},
                                                   {"cutting", "segments", 5, 75},
                                                   {"keyframes", "frames", 75, 90},
                                                   {"assemble", "assemble", 90, 100}};
    static const std::vector<StageSpan> none;
    if (kind == "arrival") return arrival;
    if (kind == "prepare") return prepare;
    return none;
}

void remove_job_files(catalog::Catalog& catalog, storage::ObjectStore& store, std::int64_t job_id) {
    for (const auto& f : catalog.job_files(job_id)) store.remove(f.key);
    catalog.clear_job_files(job_id);
}

namespace {

catalog::Video job_video(JobContext& c, std::size_t index) {
    if (index >= c.job.video_ids.size()) throw Error(ErrorCode::InvalidArgument, "the job names no video");
    auto video = c.catalog.find_video(c.job.video_ids[index]);
    if (!video)
        throw Error(ErrorCode::InputNotFound, "the video was deleted",
                    "video " + std::to_string(c.job.video_ids[index]));
    return *video;
}

fs::path fetch_video(JobContext& c, const catalog::Video& video) {
    c.progress.begin("fetch", 1);
    const fs::path local = c.work_dir / "input" / video.key.substr(video.key.rfind('/') + 1);  // a safe name
    fs::create_directories(local.parent_path());
    c.store.get_file(video.key, local);
    c.progress.end();
    c.log("fetched " + video.key + " (" + std::to_string(video.size) + " bytes)");
    return local;
}

catalog::JobFile store_file(JobContext& c, const fs::path& file, const std::string& name,
                            const std::string& key) {
    const auto info = c.store.put_file(key, file, {{"job", std::to_string(c.job.id)}});
    catalog::JobFile out{name, key, info.size};
    c.catalog.add_job_file(c.job.id, out);
    return out;
}

void run_arrival(JobContext& c) {
    auto video = job_video(c, 0);
    const auto local = fetch_video(c, video);
    const auto info = media::probe(local.string());
    nlohmann::json summary = media::to_json(info);
    summary.erase("path");
    // Outputs beside the video: anna/task_20261207/lesson.mp4 -> lesson.wav, lesson.poster.jpg.
    const std::string prefix = key_stem(video.key);
    const std::string stem = prefix.substr(prefix.rfind('/') + 1);
    nlohmann::json outputs = nlohmann::json::object();
    if (info.audio()) {
        const auto wav = c.work_dir / (stem + ".wav");
        media::extract_audio(local.string(), wav.string(), media::AudioFormat{16000, 1}, 0, -1, &c.progress);
        outputs["audio"] = store_file(c, wav, stem + ".wav", prefix + ".wav").key;
        c.log("audio track extracted (16 kHz mono WAV)");
    } else {
        c.log("the video has no audio track");
    }
    {
        c.progress.begin("poster", 1);
        media::FrameReaderOptions options;
        options.max_width = 640;
        media::FrameReader reader(local.string(), options);
        const double at = std::min(reader.duration() * 0.1, 10.0);
        const auto poster = c.work_dir / (stem + ".poster.jpg");
        media::write_image(reader.read_at(at), poster.string());
        outputs["poster"] = store_file(c, poster, stem + ".poster.jpg", prefix + ".poster.jpg").key;
        c.progress.end();
    }
    c.progress.begin("assemble", 1);
    nlohmann::json record = {{"duration", info.duration}, {"media", summary}, {"outputs", outputs}};
    c.catalog.update_video(video.id, "ready", record.dump());
    c.progress.end();
}

void run_prepare(JobContext& c) {
    auto video = job_video(c, 0);
    const auto local = fetch_video(c, video);
    const auto options = parse_job_options(pipeline::prepare_command_spec(),
                                           nlohmann::json::parse(c.job.options_json), {local.string()});
    auto config = pipeline::prepare_config(options);
    const fs::path out = c.work_dir / "out";
    config.out_dir = out.string();
    config.progress = &c.progress;
    const auto report = pipeline::prepare(config);
    for (const auto& w : report.warnings) c.log("warning: " + w);
    c.log("prepared " + std::to_string(report.segments.size()) + " segments in " +
          std::to_string(report.seconds) + " s");

    const auto owner = c.catalog.user_by_id(c.job.user_id);
    const std::string prefix = (owner ? owner->name : "unknown") + "/jobs/" + std::to_string(c.job.id) + "/";
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(out))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    c.progress.begin("assemble", static_cast<double>(files.size()));
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string name = fs::relative(files[i], out).generic_string();
        store_file(c, files[i], name, prefix + name);
        c.progress.update(static_cast<double>(i + 1));
    }
    c.progress.end();
    c.log("stored " + std::to_string(files.size()) + " result files under " + prefix);
}

}  // namespace

void run_job(JobContext& context) {
    if (context.job.kind == "arrival") return run_arrival(context);
    if (context.job.kind == "prepare") return run_prepare(context);
    throw Error(ErrorCode::InvalidArgument, "unknown job kind '" + context.job.kind + "'");
}

}  // namespace vidseg::platform

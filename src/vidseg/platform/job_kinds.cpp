#include "vidseg/platform/job_kinds.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"
#include "vidseg/dataset/keyframe_learn_options.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/media/audio_reader.hpp"
#include "vidseg/media/frame_reader.hpp"
#include "vidseg/media/image_writer.hpp"
#include "vidseg/media/probe.hpp"
#include "vidseg/models/predict_options.hpp"
#include "vidseg/models/train_options.hpp"
#include "vidseg/pipeline/prepare_options.hpp"
#include "vidseg/pipeline/transcribe_options.hpp"
#include "vidseg/platform/dataset_review.hpp"
#include "vidseg/platform/job_checkpoint.hpp"
#include "vidseg/platform/job_steps.hpp"
#include "vidseg/platform/model_registry.hpp"
#include "vidseg/platform/keyframe_learn_job.hpp"
#include "vidseg/platform/train_job.hpp"
#include "vidseg/platform/uploads.hpp"
#include "vidseg/platform/video_waveform.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {

// What a submittable kind takes: its command's option table, how many videos, and whether it reads
// inputs given as data.
struct KindSpec {
    std::string kind;
    CommandSpec (*spec)();
    std::size_t min_videos, max_videos;
    bool takes_inputs = false;
};

const std::vector<KindSpec>& kind_specs() {
    static const std::vector<KindSpec> kinds = {
        {"prepare", pipeline::prepare_command_spec, 1, 1},
        {"dataset build", dataset::dataset_build_command_spec, 1, 64, true},
        {"transcribe", pipeline::transcribe_command_spec, 1, 1},
        {"intro detect", intro::intro_detect_command_spec, 2, 256},
        {"predict", models::predict_command_spec, 1, 1, true},
        {"intro learn", intro::intro_detect_command_spec, 2, 256, true},
        {kKeyframeLearnKind, dataset::keyframes_learn_command_spec, 0, 0, true},
        {kTrainKind, models::train_command_spec, 0, 0, true},
    };
    return kinds;
}

// The options' positionals: the command's video arguments (dataset build takes its videos through
// --video, which the server sets).
std::vector<std::string> job_positionals(const std::string& kind, std::size_t videos) {
    if (kind == "dataset build" || kind == kKeyframeLearnKind || kind == kTrainKind) return {};
    return std::vector<std::string>(videos, "video");
}

void validate_inputs(const KindSpec& spec, const nlohmann::json& inputs) {
    if (spec.kind == kKeyframeLearnKind) return validate_keyframe_learn_inputs(inputs);
    if (inputs.is_null() || (inputs.is_object() && inputs.empty())) {
        if (spec.takes_inputs) throw Error(ErrorCode::InvalidArgument, "a " + spec.kind + " job needs inputs.annotations");
        return;
    }
    if (!spec.takes_inputs) throw Error(ErrorCode::InvalidArgument, "a " + spec.kind + " job takes no inputs");
    if (!inputs.is_object()) throw Error(ErrorCode::InvalidArgument, "'inputs' must be an object");
    for (const auto& [name, value] : inputs.items())
        if (name != "annotations" && name != "label_config" && name != "review")
            throw Error(ErrorCode::InvalidArgument,
                        "unknown input '" + name + "' (known: annotations, label_config, review)");
    const auto a = inputs.find("annotations");
    if (a == inputs.end() || !(a->is_array() || a->is_object() || a->is_string()))
        throw Error(ErrorCode::InvalidArgument,
                    "inputs.annotations must be the Label Studio export (JSON, JSON_MIN, or CSV text)");
    if (inputs.contains("label_config") && !inputs["label_config"].is_string())
        throw Error(ErrorCode::InvalidArgument, "inputs.label_config must be the label config XML text");
    if (!inputs.contains("review")) return;
    if (!inputs["review"].is_array())
        throw Error(ErrorCode::InvalidArgument, "inputs.review must be a list of decisions");
    for (const auto& d : inputs["review"]) {
        if (!d.is_object() || !d.contains("item") || !d["item"].is_string() || d["item"].get<std::string>().empty() ||
            d["item"].get<std::string>().find_first_of("\r\n") != std::string::npos)
            throw Error(ErrorCode::InvalidArgument,
                        "inputs.review: each decision is {\"item\": \"3\" or a fragment name, \"decision\": "
                        "\"excluded\"|\"kept\", \"reason\": \"...\"}");
        const std::string decision = d.value("decision", "excluded");
        if (decision != "excluded" && decision != "kept")
            throw Error(ErrorCode::InvalidArgument, "inputs.review: decision must be excluded or kept, got '" + decision + "'");
        if (d.contains("reason") && !d["reason"].is_string())
            throw Error(ErrorCode::InvalidArgument, "inputs.review: reason must be text");
        if (d.contains("keyframe") && (!d["keyframe"].is_number() || d["keyframe"].get<double>() < 0))
            throw Error(ErrorCode::InvalidArgument,
                        "inputs.review: keyframe must be the picked frame's time in seconds");
    }
}

}  // namespace

const std::vector<std::string>& submittable_job_kinds() {
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> names;
        for (const auto& k : kind_specs()) names.push_back(k.kind);
        return names;
    }();
    return kinds;
}

ParsedOptions parse_job_options(const CommandSpec& spec, const nlohmann::json& options,
                                const std::vector<std::string>& positionals) {
    if (options.is_object()) {
        for (const auto& o : spec.options)
            if (o.type == OptionType::Path && options.contains(o.name))
                throw Error(ErrorCode::InvalidArgument,
                            "option " + o.name + " is chosen by the server, not by a job");
        // The transcription server is the deployment's (VIDSEG_WHISPER_URL): a URL from a job would make
        // the server send a user's audio, and requests from inside its network, wherever the user says.
        if (options.contains("whisper-url"))
            throw Error(ErrorCode::InvalidArgument,
                        "option whisper-url is chosen by the server (VIDSEG_WHISPER_URL), not by a job");
        // `--keyframe model:FILE` would read a file of the server's disk: a job names a learned model by
        // the id of its keyframes learn job (keyframe_learn_job.hpp), anything else is refused.
        keyframe_model_job_id(options);
        // A model is named, never a folder of the server; an exclusion is a list, never a server file.
        for (const char* name : {"whisper-model", "exclude"})
            if (const auto it = options.find(name);
                it != options.end() && it->is_string() && it->get<std::string>().find('/') != std::string::npos)
                throw Error(ErrorCode::InvalidArgument,
                            std::string("option ") + name + ": a job gives a name or list here, not a path");
    }
    return parse_option_object(spec, options, positionals);
}

void validate_job_request(const std::string& kind, const std::vector<std::int64_t>& video_ids,
                          const nlohmann::json& options, const nlohmann::json& inputs) {
    for (const auto& k : kind_specs()) {
        if (k.kind != kind) continue;
        if (video_ids.size() < k.min_videos || video_ids.size() > k.max_videos)
            throw Error(ErrorCode::InvalidArgument,
                        "a " + kind + " job takes " +
                            (k.max_videos == 0   ? std::string("no video")
                             : k.max_videos == 1 ? std::string("exactly one video")
                                               : std::to_string(k.min_videos) + " to " +
                                                     std::to_string(k.max_videos) + " videos") +
                            " (video_ids)");
        if (kind == "predict")
            predict_job_model(inputs);  // a registered model's name, never a path
        else if (kind == "intro learn")
            validate_intro_learn_inputs(inputs, video_ids);
        else if (kind == kTrainKind)
            validate_train_inputs(inputs, options);
        else
            validate_inputs(k, inputs);
        parse_job_options(k.spec(), options, job_positionals(kind, video_ids.size()));
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
    static const std::vector<StageSpan> dataset_build = {{"fetch", "prepare", 0, 5},
                                                         {"making clips", "segments", 5, 60},
                                                         {"transcribing", "transcribe", 60, 90},
                                                         {"assemble", "assemble", 90, 100}};
    static const std::vector<StageSpan> transcribe = {{"fetch", "prepare", 0, 5},
                                                      {"audio", "prepare", 5, 20},
                                                      {"transcribe", "transcribe", 20, 90},
                                                      {"assemble", "assemble", 90, 100}};
    static const std::vector<StageSpan> intro_detect = {{"fetch", "prepare", 0, 10},
                                                        {"Fingerprinting", "frames", 10, 50},
                                                        {"Grouping", "segments", 50, 60},
                                                        {"Comparing", "segments", 60, 75},
                                                        {"Decoding audio", "segments", 75, 85},
                                                        {"Refining", "segments", 75, 85},
                                                        {"Snapping", "segments", 85, 90},
                                                        {"assemble", "assemble", 90, 100}};
    // Features computed on the model's grid, then the network (labels of the feature extraction).
    static const std::vector<StageSpan> predict = {{"", "frames", 10, 90},
                                                   {"fetch", "prepare", 0, 10},
                                                   {"assemble", "assemble", 90, 100}};
    static const std::vector<StageSpan> keyframes_learn = {{"fetch", "prepare", 0, 30},
                                                           {"learn", "segments", 30, 90},
                                                           {"assemble", "assemble", 90, 100}};
    // The build's videos fetched, their features computed (labels of the feature extraction), the network.
    static const std::vector<StageSpan> train = {{"", "frames", 10, 60},
                                                 {"fetch", "prepare", 0, 10},
                                                 {"train", "segments", 60, 95},
                                                 {"assemble", "assemble", 95, 100}};
    static const std::vector<StageSpan> none;
    if (kind == "arrival") return arrival;
    if (kind == "prepare") return prepare;
    if (kind == "dataset build") return dataset_build;
    if (kind == "transcribe") return transcribe;
    if (kind == "intro detect") return intro_detect;
    if (kind == "predict") return predict;
    if (kind == "intro learn") return intro_detect;
    if (kind == kKeyframeLearnKind) return keyframes_learn;
    if (kind == kTrainKind) return train;
    return none;
}

void remove_job_files(catalog::Catalog& catalog, storage::ObjectStore& store, std::int64_t job_id) {
    for (const auto& f : catalog.job_files(job_id)) store.remove(f.key);
    catalog.clear_job_files(job_id);
    remove_checkpoint(store, job_id);  // what an interrupted attempt saved to resume from
    // A dataset build's web review draft (dataset_review.hpp) goes with its results.
    if (const auto job = catalog.find_job(job_id))
        if (const auto owner = catalog.user_by_id(job->user_id))
            store.remove(review_draft_key(owner->name, job_id));
}

namespace {

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
        // The web UI's waveform, drawn from these instead of the whole WAV (video_waveform.hpp).
        const auto peaks = c.work_dir / (stem + ".peaks.json");
        write_file_atomic(peaks, waveform_peaks_json(audio::waveform_peaks(wav, kWaveformPeakCount)) + "\n");
        outputs["peaks"] = store_file(c, peaks, stem + ".peaks.json", peaks_key_of(prefix + ".wav")).key;
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

    store_output_folder(c, out);
}

}  // namespace

void run_job(JobContext& context) {
    if (context.job.kind == "arrival") return run_arrival(context);
    if (context.job.kind == "prepare") return run_prepare(context);
    if (context.job.kind == "dataset build") return run_dataset_build_job(context);
    if (context.job.kind == "transcribe") return run_transcribe_job(context);
    if (context.job.kind == "intro detect") return run_intro_detect_job(context);
    if (context.job.kind == "predict") return run_predict_job(context);
    if (context.job.kind == "intro learn") return run_intro_learn_job(context);
    if (context.job.kind == kKeyframeLearnKind) return run_keyframes_learn_job(context);
    if (context.job.kind == kTrainKind) return run_train_job(context);
    throw Error(ErrorCode::InvalidArgument, "unknown job kind '" + context.job.kind + "'");
}

}  // namespace vidseg::platform

// The job kinds that run an analysis command of the CLI on uploaded videos: dataset build,
// transcribe, intro detect. Each parses its options with the command's own table and turns them into
// the library config with the command's own function; only what the server decides (paths: inputs,
// outputs, caches) is set here.
#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/intro_detect_report.hpp"
#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/dataset/build_manifest.hpp"
#include "vidseg/platform/job_checkpoint.hpp"
#include "vidseg/pipeline/transcribe_options.hpp"
#include "vidseg/platform/job_steps.hpp"
#include "vidseg/platform/keyframe_learn_job.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {

nlohmann::json job_options(const JobContext& c) {
    return nlohmann::json::parse(c.job.options_json);
}
nlohmann::json job_inputs(const JobContext& c) {
    return nlohmann::json::parse(c.job.inputs_json);
}

std::vector<fs::path> fetch_all_videos(JobContext& c) {
    std::vector<fs::path> files;
    for (std::size_t i = 0; i < c.job.video_ids.size(); ++i) files.push_back(fetch_video(c, job_video(c, i)));
    return files;
}

// The exclude file of a dataset build job: the `exclude` option's selections (a LIST, never a
// server path) and the excluded items of the review decisions, one per line with their reason.
fs::path write_exclusions(JobContext& c, const nlohmann::json& options, const nlohmann::json& inputs) {
    std::string text;
    if (options.contains("exclude")) text += options["exclude"].get<std::string>() + "\n";
    for (const auto& d : inputs.value("review", nlohmann::json::array())) {
        if (d.value("decision", "excluded") != "excluded") continue;
        std::string reason = d.value("reason", "");
        for (auto& ch : reason)
            if (ch == '\n' || ch == '\r') ch = ' ';
        text += d["item"].get<std::string>() + (reason.empty() ? "" : " " + reason) + "\n";
    }
    const fs::path file = c.work_dir / "input" / "exclude.txt";
    write_file_atomic(file, text);
    return file;
}

// The deployment's transcription server for --whisper-backend http: jobs may not name one.
void use_server_whisper_url(asr::TranscriberConfig& transcriber) {
    if (const char* url = std::getenv("VIDSEG_WHISPER_URL")) transcriber.url = url;
}

}  // namespace

void run_dataset_build_job(JobContext& c) {
    const auto videos = fetch_all_videos(c);
    const auto option_object = job_options(c);
    const auto inputs = job_inputs(c);
    parse_job_options(dataset::dataset_build_command_spec(), option_object, {});  // what a job may give
    auto local_options = option_object;
    fetch_keyframe_model(c, local_options);  // model:<learn job id> -> the model fetched into the work folder
    auto config = dataset::dataset_build_config(
        parse_option_object(dataset::dataset_build_command_spec(), local_options, {}));
    use_server_whisper_url(config.transcriber);
    for (const auto& v : videos) config.videos.push_back(v.string());
    // Tasks name their video by id (data.vidseg_video_id of the server's Label Studio tasks), so two
    // uploads of one file name in one job are two lessons (dataset_plan.hpp).
    config.video_ids.assign(c.job.video_ids.begin(), c.job.video_ids.end());
    const auto& annotations = inputs.at("annotations");
    const fs::path export_file =
        c.work_dir / "input" / (annotations.is_string() ? "export.csv" : "export.json");
    write_file_atomic(export_file,
                      annotations.is_string() ? annotations.get<std::string>() : annotations.dump());
    config.annotations = export_file.string();
    if (inputs.contains("label_config")) {
        const fs::path xml = c.work_dir / "input" / "label_config.xml";
        write_file_atomic(xml, inputs["label_config"].get<std::string>());
        config.label_config = xml.string();
    }
    config.exclude = write_exclusions(c, option_object, inputs).string();
    // The web review's picks among the `--keyframe best` candidates, which the job keeps for it.
    for (const auto& d : inputs.value("review", nlohmann::json::array()))
        if (d.contains("keyframe"))
            config.keyframe_picks[d["item"].get<std::string>()] = d["keyframe"].get<double>();
    const fs::path candidates = c.work_dir / "out" / "keyframe_candidates";
    if (config.keyframe == dataset::KeyframeMode::Best || config.keyframe == dataset::KeyframeMode::Model) {
        fs::remove_all(candidates);
        config.keyframe_candidates_dir = candidates.string();
    }
    const auto owner = c.catalog.user_by_id(c.job.user_id);
    config.reviewer = owner ? owner->name : "unknown";
    const fs::path out = c.work_dir / "out" / "dataset";
    config.out_dir = out.string();
    config.progress = &c.progress;
    // The engine's partial folder, saved to the store as artifacts finish and restored from it by an
    // attempt on another machine (job_checkpoint.hpp).
    JobCheckpoint checkpoint(c, dataset::partial_dir_of(out));
    const auto report = dataset::build_dataset(config);
    checkpoint.stop();
    for (const auto& e : report.plan.errors) c.log("item error: " + e.item + ": " + e.message);
    for (const auto& w : report.plan.warnings) c.log("warning: " + w);
    dataset::require_written(report);
    c.log("built " + std::to_string(report.plan.items.size()) + " fragment(s), " +
          std::to_string(report.excluded.size()) + " excluded in review, " +
          std::to_string(report.transcribed) + " transcript(s) made; " +
          std::to_string(report.reused_artifacts) + " artifact(s) reused, " +
          std::to_string(report.built_artifacts) + " made");
    store_output_folder(c, out);
    if (!config.keyframe_candidates_dir.empty() && fs::exists(candidates))
        store_output_folder(c, candidates, std::string(kKeyframeCandidatesFolder) + "/");
}

void run_transcribe_job(JobContext& c) {
    const auto local = fetch_video(c, job_video(c, 0));
    auto config = pipeline::transcribe_config(
        parse_job_options(pipeline::transcribe_command_spec(), job_options(c), {local.string()}));
    use_server_whisper_url(config.transcriber);
    const fs::path out = c.work_dir / "out";
    config.out_dir = out.string();
    config.progress = &c.progress;
    const auto report = pipeline::transcribe(config);
    c.log("transcribed by " + report.transcriber + ": language " + report.transcript.language + ", " +
          std::to_string(report.transcript.segments.size()) + " segment(s)");
    store_output_folder(c, out);
}

void run_intro_detect_job(JobContext& c) {
    const auto episodes = fetch_all_videos(c);
    std::vector<std::string> paths;
    for (const auto& e : episodes) paths.push_back(e.string());
    const auto options = parse_job_options(intro::intro_detect_command_spec(), job_options(c), paths);
    // The engine's fingerprint cache, kept by this server or worker beside the jobs' work folders: a
    // season's episodes are fetched with their upload time (fetch_video), so a re-run over the same
    // season (other options, one more episode) does not fingerprint the known ones again.
    const auto run =
        intro::detect_season(paths, intro::intro_detect_options(options),
                             c.cache_dir.empty() ? "" : (c.cache_dir / "intro").string(), &c.progress);
    for (const auto& w : run.warnings) c.log("warning: " + w);
    if (run.shown_cache) {
        const auto stats = run.shown_cache->stats();
        for (const auto& w : run.shown_cache->warnings()) c.log("warning: " + w);
        c.log("fingerprint cache: " + std::to_string(stats.hits) + " hit(s), " +
              std::to_string(stats.misses) + " miss(es), " + std::to_string(stats.result_hits) +
              " detection result(s) reused");
    }
    // Result names from the episodes' file names; two of one name (two users' uploads in an admin's
    // job) are told apart by their video id: ep1, ep1_v17.
    std::vector<std::string> stems;
    std::set<std::string> taken;
    for (std::size_t i = 0; i < run.season.detections.size(); ++i) {
        std::string stem = safe_file_name(fs::path(run.season.detections[i].episode).stem().string());
        if (!taken.insert(stem).second) {
            stem += "_v" + std::to_string(c.job.video_ids[i]);
            taken.insert(stem);
        }
        stems.push_back(stem);
    }
    const fs::path out = c.work_dir / "out";
    fs::create_directories(out / "edl");
    fs::create_directories(out / "chapters");
    std::vector<intro::IntroLabel> labels;
    nlohmann::json episodes_json = nlohmann::json::array();
    std::size_t usable = 0;
    for (std::size_t i = 0; i < run.season.detections.size(); ++i) {
        const auto& d = run.season.detections[i];
        const std::string& stem = stems[i];
        nlohmann::json e = {{"episode", fs::path(d.episode).filename().string()},
                            {"video_id", c.job.video_ids[i]}};
        if (!d.error.empty()) {
            e["error"] = d.error;
            e["intro"] = nullptr;
            c.log("skipped " + fs::path(d.episode).filename().string() + ": " + d.error);
        } else {
            ++usable;
            e["intro"] = d.intro ? nlohmann::json::array({d.intro->start, d.intro->end}) : nlohmann::json();
            e["confidence"] = d.confidence;
            e["confirmations"] = d.confirmations;
            e["variant"] = d.variant >= 0 ? nlohmann::json(d.variant) : nlohmann::json();
            labels.push_back({stem, d.intro, {}, {}});
            write_file_atomic(out / "edl" / (stem + ".edl"), intro::to_edl(d.intro));
            write_file_atomic(out / "chapters" / (stem + ".ffmetadata"),
                              intro::to_ffmetadata_chapters(d.intro));
            c.log(fs::path(d.episode).filename().string() + ": " + intro::intro_found_line(d.intro));
        }
        episodes_json.push_back(std::move(e));
    }
    intro::require_usable(run.season);
    write_file_atomic(out / "test_predictions.json", intro::to_predictions_json(labels).dump(2) + "\n");
    write_file_atomic(
        out / "intro.json",
        nlohmann::json({{"episodes", episodes_json}, {"usable", usable}, {"audio_only", run.audio_only}})
                .dump(2) +
            "\n");
    store_output_folder(c, out);
}

}  // namespace vidseg::platform

// The `predict` job: `vidseg predict` on one uploaded video with a model the server knows. Its options
// are the command's (models/predict_options.hpp, the same table and config function as the CLI); the
// model comes from the registry (model_registry.hpp), never from a path a job gives. The result,
// predictions.json, is the document `vidseg predict --out` writes, its source the video's name.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/models/predict_options.hpp"
#include "vidseg/platform/job_steps.hpp"
#include "vidseg/platform/model_registry.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

void run_predict_job(JobContext& c) {
    const auto name = predict_job_model(nlohmann::json::parse(c.job.inputs_json));
    const auto video = job_video(c, 0);
    const auto local = fetch_video(c, video);
    const fs::path model_file = c.work_dir / "model" / (name + ".model");
    if (!c.store.stat(model_object_key(name)))
        throw Error(ErrorCode::InputNotFound, "the model '" + name + "' is no longer registered on the server");
    fs::create_directories(model_file.parent_path());
    c.store.get_file(model_object_key(name), model_file);

    auto config = models::predict_config(
        parse_job_options(models::predict_command_spec(), nlohmann::json::parse(c.job.options_json), {local.string()}));
    config.model = model_file.string();
    // The deployment's transcription server (as the transcribe job); no fingerprint cache (a job's
    // video lives only in its work folder).
    if (const char* url = std::getenv("VIDSEG_WHISPER_URL")) config.transcript.transcriber.url = url;
    config.season.cache_dir.clear();

    nlohmann::json doc;
    if (models::UtteranceModel::is_text_model_file(model_file)) {
        const auto model = models::UtteranceModel::load(model_file);
        doc = {{"arch", "utterance-lr"}, {"task", "patterns"}, {"videos", nlohmann::json::array()}};
        for (const auto& lesson : models::predict_text_item(model, local.string(), config.text_options()))
            doc["videos"].push_back(models::text_prediction_json(model, lesson, config.rows));
    } else {
        const auto model = models::TrainedModel::load(model_file);
        auto [prediction, seconds] = models::predict_item(model, local.string(), config, &c.progress);
        doc = {{"arch", models::architecture_name(model.info().arch)},
               {"task", models::task_name(model.info().task)},
               {"videos", nlohmann::json::array({models::prediction_json(prediction, config.rows)})}};
        doc["videos"][0]["inference_seconds"] = seconds;
    }
    doc["model"] = name;
    std::size_t intervals = 0;
    for (auto& v : doc["videos"]) {
        v["source"] = video.name;  // not the work folder's path
        v["video_id"] = video.id;
        intervals += v["intervals"].size();
    }
    doc["skipped"] = nlohmann::json::array();
    doc["failed"] = nlohmann::json::array();
    c.log("model " + name + ": " + std::to_string(intervals) + " interval(s) predicted");
    const fs::path out = c.work_dir / "out";
    fs::create_directories(out);
    write_file_atomic(out / "predictions.json", doc.dump(2) + "\n");
    store_output_folder(c, out);
}

}  // namespace vidseg::platform

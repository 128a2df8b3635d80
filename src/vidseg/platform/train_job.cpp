#include "vidseg/platform/train_job.hpp"

#include <algorithm>
#include <array>
#include <thread>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/features/timeline_features.hpp"
#include "vidseg/models/torch_backend.hpp"
#include "vidseg/models/train_options.hpp"
#include "vidseg/models/transcript_features.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/job_steps.hpp"
#include "vidseg/platform/model_registry.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<const char*, 3> kFeatureSources = {"audio", "audio-visual", "transcripts"};

std::int64_t dataset_job_id(const json& inputs) {
    return inputs.at("dataset").get<std::int64_t>();
}

std::string feature_source(const json& inputs) {
    return inputs.contains("features") ? inputs["features"].get<std::string>() : std::string("audio");
}

// The dataset's text files (metadata.jsonl of the whole and of its splits, transcripts, README): the
// labels and the transcripts; its clips and keyframes are not needed (features come from the videos).
bool is_dataset_text(const std::string& name) {
    if (name.rfind(kKeyframeCandidatesFolder, 0) == 0) return false;
    const auto ext = fs::path(name).extension().string();
    for (const char* e : {".jsonl", ".json", ".md", ".csv", ".txt", ".srt", ".vtt"})
        if (ext == e) return true;
    return false;
}

// Who may put a model under `name`: nobody holds it, the caller holds it, or the caller is an admin.
void require_model_name_free(storage::ObjectStore& store, const Principal& caller, const std::string& name) {
    const auto owner = registered_model_owner(store, name);
    if (owner && *owner != caller.user.name && !caller.is_admin())
        throw ApiError(409, "model_name_taken",
                       "a model named '" + name + "' is already registered by another user; choose another name");
}

}  // namespace

void validate_train_inputs(const json& inputs, const json& options) {
    const auto usage =
        "a train job needs inputs {\"dataset\": <dataset build job id>, \"features\": \"audio\" | \"audio-visual\" | "
        "\"transcripts\" (optional), \"register_as\": NAME (optional)}";
    if (!inputs.is_object() || !inputs.contains("dataset")) throw Error(ErrorCode::InvalidArgument, usage);
    for (const auto& [name, value] : inputs.items()) {
        if (name == "dataset") {
            if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
                throw Error(ErrorCode::InvalidArgument, "inputs.dataset must be a dataset build job id");
        } else if (name == "features") {
            // (a copy: a lambda may not capture a structured binding in clang 14, the sanitizer tree's compiler)
            const std::string source = value.is_string() ? value.get<std::string>() : std::string();
            if (std::none_of(kFeatureSources.begin(), kFeatureSources.end(),
                             [&source](const char* s) { return source == s; }))
                throw Error(ErrorCode::InvalidArgument,
                            "inputs.features must be audio, audio-visual or transcripts");
        } else if (name == "register_as") {
            if (!value.is_string()) throw Error(ErrorCode::InvalidArgument, "inputs.register_as must be a model name");
            check_model_name(value.get<std::string>());
        } else {
            throw Error(ErrorCode::InvalidArgument,
                        "unknown input '" + name + "' (known: dataset, features, register_as)");
        }
    }
    if (options.is_object() && options.contains("task") && options["task"] != "patterns")
        throw Error(ErrorCode::InvalidArgument,
                    "a train job learns patterns from a dataset build (task intro: `vidseg train --task intro`)");
}

void check_train_references(Platform& platform, const Principal& caller, const json& inputs) {
    const auto id = dataset_job_id(inputs);
    const auto build = platform.job(caller, id);  // 404 for another user's job
    if (build.kind != "dataset build" || build.state != "finished")
        throw ApiError(409, "not_a_dataset", "job " + std::to_string(id) + " is not a finished dataset build");
    if (inputs.contains("register_as"))
        require_model_name_free(platform.store(), caller, inputs["register_as"].get<std::string>());
}

void run_train_job(JobContext& c) {
    const auto inputs = json::parse(c.job.inputs_json);
    const auto options = json::parse(c.job.options_json);
    validate_train_inputs(inputs, options);
    const auto parsed = parse_job_options(models::train_command_spec(), options, {});
    auto config = models::train_config(parsed);
    // A job shares the server's cores with the other jobs and the API: never more threads than it has.
    config.threads = std::min(config.threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    const auto build_id = dataset_job_id(inputs);
    const auto build = c.catalog.find_job(build_id);
    if (!build || build->user_id != c.job.user_id || build->kind != "dataset build" || build->state != "finished")
        throw Error(ErrorCode::InputNotFound, "not a finished dataset build job of this user",
                    "job " + std::to_string(build_id));

    c.progress.begin("fetch", 1);
    const fs::path dataset = c.work_dir / "dataset";
    fs::create_directories(dataset);
    std::size_t fetched = 0;
    for (const auto& f : c.catalog.job_files(build_id)) {
        if (!is_dataset_text(f.name)) continue;
        const auto local = join_under(dataset, f.name);
        fs::create_directories(local.parent_path());
        c.store.get_file(f.key, local);
        ++fetched;
    }
    c.progress.end();
    c.log("dataset of job " + std::to_string(build_id) + ": " + std::to_string(fetched) + " file(s)");
    std::string split_note;
    const auto data = models::dataset_split(dataset, parsed.str("split"), &split_note);
    if (!split_note.empty()) c.log(split_note);
    const auto labels = models::read_interval_labels(data, config.task);

    std::vector<features::FeatureMatrix> matrices;
    const auto source = feature_source(inputs);
    if (source == "transcripts") {
        auto text = models::transcript_features_from_dataset(data);
        c.log("text-only training on the transcripts of " + std::to_string(text.with_transcript) + " of " +
              std::to_string(text.fragments) + " fragments");
        matrices = std::move(text.matrices);
    } else {
        features::TimelineOptions t;
        t.visual = source == "audio-visual";
        t.threads = config.threads;
        for (const auto video_id : build->video_ids) {
            const auto video = c.catalog.find_video(video_id);
            if (!video)
                throw Error(ErrorCode::InputNotFound, "a video of the dataset was deleted",
                            "video " + std::to_string(video_id));
            const auto local = fetch_video(c, *video);
            auto result = features::compute_timeline_features(local.string(), t, &c.progress);
            for (const auto& n : result.notes) c.log(video->name + ": " + n);
            matrices.push_back(std::move(result.matrix));
        }
    }
    auto set = models::make_training_set(std::move(matrices), labels, config.task);
    for (const auto& s : set.missing_features) c.log("warning: no features for labelled video '" + s + "' (skipped)");
    models::check_training_folds(set, config);
    c.log("training " + std::string(models::architecture_name(config.arch)) + " on " +
          std::to_string(set.sequences.size()) + " video(s), " + std::to_string(models::training_rows(set)) +
          " rows, " + std::to_string(set.labels.size()) + " label(s)");

    c.progress.begin("train", double(config.epochs));
    const auto on_epoch = [&](const models::EpochReport& e) {
        throw_if_cancelled();
        if (e.fold < 0) c.progress.update(double(e.epoch));
    };
    const auto model =
        models::TrainedModel::train(set, config, models::split_comma_list(parsed.all("columns")), on_epoch);
    c.progress.end();
    const fs::path out = c.work_dir / "out";
    fs::create_directories(out);
    model.save(out / kTrainedModelFile);
    auto doc = models::trained_model_json(model, kTrainedModelFile, "job " + std::to_string(build_id), set);
    doc["dataset_job"] = build_id;
    doc["features"] = source;

    if (inputs.contains("register_as")) {
        const auto name = inputs["register_as"].get<std::string>();
        const auto owner_user = c.catalog.user_by_id(c.job.user_id);
        const std::string owner = owner_user ? owner_user->name : "unknown";
        const auto holder = registered_model_owner(c.store, name);
        const bool admin = owner_user && owner_user->role == catalog::Role::Admin;
        if (holder && *holder != owner && !admin) {
            c.log("not registered: a model named '" + name + "' was registered by another user meanwhile");
        } else {
            store_registered_model(c.store, name, out / kTrainedModelFile, owner, {{"job", c.job.id}});
            doc["registered_as"] = name;
            c.log("registered as model '" + name + "'");
        }
    }
    write_file_atomic(out / "train.json", doc.dump(2) + "\n");
    store_output_folder(c, out);
}

nlohmann::json register_trained_model(Platform& platform, const Principal& caller, std::int64_t job_id,
                                      const std::string& name, const std::string& ip) {
    check_model_name(name);
    const auto job = platform.job(caller, job_id);  // 404 for another user's job (an admin sees every job)
    if (job.kind != kTrainKind || job.state != "finished")
        throw ApiError(409, "not_a_train_job", "job " + std::to_string(job_id) + " is not a finished train job");
    require_model_name_free(platform.store(), caller, name);
    std::string key;
    for (const auto& f : platform.catalog().job_files(job_id))
        if (f.name == kTrainedModelFile) key = f.key;
    if (key.empty()) throw ApiError(409, "not_a_train_job", "job " + std::to_string(job_id) + " has no model file");
    const fs::path staged = platform.config().data_dir / "work" / ("register-" + random_token(12) + ".model");
    fs::create_directories(staged.parent_path());
    platform.store().get_file(key, staged);
    const auto owner = platform.catalog().user_by_id(job.user_id);
    json info;
    try {
        info = store_registered_model(platform.store(), name, staged, owner ? owner->name : caller.user.name,
                                      {{"job", job_id}});
    } catch (...) {
        std::error_code ignored;
        fs::remove(staged, ignored);
        throw;
    }
    std::error_code ignored;
    fs::remove(staged, ignored);
    platform.accounts().audit(&caller, "register-model", "model " + name, "job " + std::to_string(job_id), ip);
    return info;
}

}  // namespace vidseg::platform

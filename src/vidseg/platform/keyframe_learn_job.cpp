#include "vidseg/platform/keyframe_learn_job.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/keyframe_candidates.hpp"
#include "vidseg/dataset/keyframe_learn_options.hpp"
#include "vidseg/dataset/review.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/dataset_review.hpp"
#include "vidseg/platform/job_steps.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxReviewJobs = 64;
constexpr const char* kReviewLogName = "review.jsonl";  // a build's decisions (dataset/review.hpp)

std::vector<std::int64_t> job_ids(const json& inputs, const char* name) {
    std::vector<std::int64_t> ids;
    if (const auto it = inputs.find(name); it != inputs.end())
        for (const auto& id : *it) ids.push_back(id.get<std::int64_t>());
    return ids;
}

// A build whose decisions can be learned from: finished, made with candidates (--keyframe best/model).
bool has_candidates(catalog::Catalog& catalog, std::int64_t job_id) {
    for (const auto& f : catalog.job_files(job_id))
        if (f.name == dataset::kKeyframeCandidatesFile) return true;
    return false;
}

std::string read_text(storage::ObjectStore& store, const std::string& key) {
    std::string text;
    store.read(key, [&text](const char* data, std::size_t size) { text.append(data, size); });
    return text;
}

// The review folder of one build job: keyframe_candidates.jsonl and review.jsonl (the build's own
// decisions, then the web review's draft).
fs::path fetch_review_folder(JobContext& c, std::int64_t build_id, const fs::path& into) {
    const auto build = c.catalog.find_job(build_id);
    if (!build || build->user_id != c.job.user_id || build->kind != "dataset build" ||
        build->state != "finished")
        throw Error(ErrorCode::InputNotFound, "not a finished dataset build job of this user",
                    "job " + std::to_string(build_id));
    const fs::path dir = into / ("job_" + std::to_string(build_id));
    fs::create_directories(dir);
    std::string review;
    bool candidates = false;
    for (const auto& f : c.catalog.job_files(build_id)) {
        if (f.name == dataset::kKeyframeCandidatesFile) {
            c.store.get_file(f.key, dir / dataset::kKeyframeCandidatesFile);
            candidates = true;
        } else if (f.name == kReviewLogName) {
            review += read_text(c.store, f.key);
        }
    }
    if (!candidates)
        throw Error(ErrorCode::InputNotFound,
                    "the build has no keyframe_candidates.jsonl (build it with the option keyframe best)",
                    "job " + std::to_string(build_id));
    const auto owner = c.catalog.user_by_id(build->user_id);
    const std::string draft = review_draft_key(owner ? owner->name : "unknown", build_id);
    if (c.store.stat(draft)) {
        if (!review.empty() && review.back() != '\n') review += '\n';
        review += read_text(c.store, draft);
    }
    write_file_atomic(dir / kReviewLogName, review);
    return dir;
}

}  // namespace

void validate_keyframe_learn_inputs(const json& inputs) {
    const auto usage =
        "a keyframes learn job needs inputs {\"reviews\": [dataset build job ids], \"evaluate\": "
        "[job ids] (optional)}";
    if (!inputs.is_object() || !inputs.contains("reviews")) throw Error(ErrorCode::InvalidArgument, usage);
    for (const auto& [name, value] : inputs.items()) {
        if (name != "reviews" && name != "evaluate")
            throw Error(ErrorCode::InvalidArgument,
                        "unknown input '" + name + "' (known: reviews, evaluate)");
        if (!value.is_array() || value.size() > kMaxReviewJobs || (name == "reviews" && value.empty()))
            throw Error(ErrorCode::InvalidArgument, "inputs." + name + " must be a list of 1 to " +
                                                        std::to_string(kMaxReviewJobs) +
                                                        " dataset build job ids");
        for (const auto& id : value)
            if (!id.is_number_integer() || id.get<std::int64_t>() <= 0)
                throw Error(ErrorCode::InvalidArgument,
                            "inputs." + name + " must hold job ids (positive integers)");
    }
}

std::optional<std::int64_t> keyframe_model_job_id(const json& options) {
    if (!options.is_object()) return std::nullopt;
    const auto it = options.find("keyframe");
    if (it == options.end() || !it->is_string()) return std::nullopt;
    const std::string value = it->get<std::string>();
    if (value.rfind("model:", 0) != 0) return std::nullopt;
    const std::string id = value.substr(6);
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(id) <= 0)
        throw Error(
            ErrorCode::InvalidArgument,
            "option keyframe: a job chooses a learned model by its id, model:<keyframes learn job id>, "
            "never a file of the server");
    return std::stoll(id);
}

void check_job_references(Platform& platform, const Principal& caller, const std::string& kind,
                          const json& options, const json& inputs) {
    if (kind == kKeyframeLearnKind) {
        for (const char* name : {"reviews", "evaluate"})
            for (const auto id : job_ids(inputs, name)) {
                const auto build = platform.job(caller, id);  // 404 for another user's job
                if (build.kind != "dataset build" || build.state != "finished" ||
                    !has_candidates(platform.catalog(), id))
                    throw ApiError(
                        409, "not_reviewable",
                        "job " + std::to_string(id) +
                            " is not a finished dataset build with keyframe candidates (option keyframe "
                            "best)");
            }
    }
    if (kind == "dataset build")
        if (const auto id = keyframe_model_job_id(options)) {
            const auto learn = platform.job(caller, *id);  // 404 for another user's job
            if (learn.kind != kKeyframeLearnKind || learn.state != "finished")
                throw ApiError(409, "not_a_keyframe_model",
                               "job " + std::to_string(*id) + " is not a finished keyframes learn job");
        }
}

void run_keyframes_learn_job(JobContext& c) {
    const auto options = json::parse(c.job.options_json);
    const auto inputs = json::parse(c.job.inputs_json);
    auto config = dataset::keyframes_learn_config(
        parse_job_options(dataset::keyframes_learn_command_spec(), options, {}), false);
    c.progress.begin("fetch", 1);
    for (const auto id : job_ids(inputs, "reviews"))
        config.reviews.push_back(fetch_review_folder(c, id, c.work_dir / "reviews"));
    for (const auto id : job_ids(inputs, "evaluate"))
        config.evaluate.push_back(fetch_review_folder(c, id, c.work_dir / "evaluate"));
    c.progress.end();
    const fs::path out = c.work_dir / "out";
    fs::create_directories(out);
    config.out = out / kKeyframeModelFile;
    c.progress.begin("learn", 1);
    const auto report = dataset::learn_keyframe_ranker(config);
    c.progress.end();
    auto doc = dataset::to_json(report);
    doc["model"] = "model:" + std::to_string(c.job.id);
    write_file_atomic(out / "learn.json", doc.dump(2) + "\n");
    const auto& a = report.training_agreement;
    c.log("learned from " + std::to_string(report.training.choices.size()) + " review decision(s) (" +
          std::to_string(report.training.picks) +
          " picked frames); the model takes the reviewer's frame in " + std::to_string(a.model) + " of " +
          std::to_string(a.decisions) + ", the fixed score in " + std::to_string(a.heuristic) +
          "; use it in a dataset build with keyframe model:" + std::to_string(c.job.id));
    store_output_folder(c, out);
}

void fetch_keyframe_model(JobContext& c, json& options) {
    const auto id = keyframe_model_job_id(options);
    if (!id) return;
    const auto learn = c.catalog.find_job(*id);
    if (!learn || learn->user_id != c.job.user_id || learn->kind != kKeyframeLearnKind ||
        learn->state != "finished")
        throw Error(ErrorCode::InputNotFound, "not a finished keyframes learn job of this user",
                    "keyframe model:" + std::to_string(*id));
    for (const auto& f : c.catalog.job_files(*id))
        if (f.name == kKeyframeModelFile) {
            const fs::path local = c.work_dir / "input" / kKeyframeModelFile;
            fs::create_directories(local.parent_path());
            c.store.get_file(f.key, local);
            options["keyframe"] = "model:" + local.string();
            c.log("keyframe model of job " + std::to_string(*id));
            return;
        }
    throw Error(ErrorCode::InputNotFound, "the keyframes learn job has no model file (deleted?)",
                "keyframe model:" + std::to_string(*id));
}

}  // namespace vidseg::platform

// What each kind of job does, for the in-process workers of `vidseg serve` (and later `vidseg
// worker`). A job's options are exactly the options of the matching CLI command, validated by that
// command's option table (pipeline/prepare_options.hpp) — the server keeps no second copy.
//
//   arrival  (made by the server when an upload completes) probes the video, extracts its audio
//            (WAV 16 kHz mono) and a poster frame (JPEG) beside it in the store, records duration etc.
//   prepare        `vidseg prepare` on one video; results under <user>/jobs/<id>/.
//   dataset build  `vidseg dataset build` on one or more videos with a Label Studio export given as
//                  data (inputs.annotations; inputs.label_config; inputs.review: the review decisions).
//   transcribe     `vidseg transcribe` on one video (<stem>.json/.txt/.srt).
//   intro detect   `vidseg intro detect` over two or more episodes (intro.json, test_predictions.json,
//                  edl/, chapters/).
//   predict        `vidseg predict` on one video with a model the server knows (inputs.model: a name,
//                  model_registry.hpp): predictions.json, the CLI's --out document.
//   intro learn    `vidseg intro learn` over a series' episodes, the intros corrected by hand replacing
//                  the detected ones (intro_library.json, learned.json; intro_corrections.hpp).
//   keyframes learn `vidseg keyframes learn` on the review decisions of the user's own dataset builds
//                  (no video; inputs.reviews = build job ids; keyframe_learn_job.hpp): keyframes.model,
//                  chosen by later builds as keyframe model:<job id>.
//   train          `vidseg train` on a finished dataset build of the user (no video; inputs.dataset =
//                  the build's job id; train_job.hpp): model and train.json, registered for predict jobs
//                  under inputs.register_as.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/core/options.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

// Kinds a user may submit (the arrival job is made by the server).
const std::vector<std::string>& submittable_job_kinds();

// Checks a submission: a known kind, the number of videos it takes, and its options against the
// command's table, and its inputs (data the job reads besides its videos: dataset build only).
// Options the server decides (paths: --out, --patterns) are refused. Throws Error(InvalidArgument)
// naming the problem.
void validate_job_request(const std::string& kind, const std::vector<std::int64_t>& video_ids,
                          const nlohmann::json& options, const nlohmann::json& inputs);

// The options object parsed by a command's table, refusing the options of type Path.
ParsedOptions parse_job_options(const CommandSpec& spec, const nlohmann::json& options,
                                const std::vector<std::string>& positionals);

struct JobContext {
    catalog::Catalog& catalog;
    storage::ObjectStore& store;
    const catalog::Job& job;
    std::filesystem::path work_dir;  // empty folder, removed after the job
    Progress& progress;
    std::function<void(const std::string&)> log;
    // Kept across jobs by this server / worker (intro fingerprints); may be empty.
    std::filesystem::path cache_dir;
};

// Runs the job to its end; throws Error (Interrupted when cancelled).
void run_job(JobContext& context);

// Each kind's progress labels mapped to the stages users know, with the share of the whole job
// they cover: {label prefix, stage, from %, to %}.
struct StageSpan {
    std::string label_prefix;
    std::string stage;
    double from = 0, to = 100;
};
const std::vector<StageSpan>& job_stage_spans(const std::string& kind);

// Removes a job's result objects and their catalog entries (retry, deletion).
void remove_job_files(catalog::Catalog& catalog, storage::ObjectStore& store, std::int64_t job_id);

}  // namespace vidseg::platform

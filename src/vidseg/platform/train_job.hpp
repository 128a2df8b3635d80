// `vidseg train` as a job of `vidseg serve`: a pattern model trained on a finished dataset build of
// the same user, then (optionally) registered in the model registry (model_registry.hpp) for predict
// jobs.
//
//   {"kind": "train", "video_ids": [], "options": {"arch": "linear", "epochs": 20},
//    "inputs": {"dataset": <dataset build job id>, "features": "audio", "register_as": "lessons-8"}}
// Options go through the CLI command's table (models/train_options.hpp); its path options (--data,
// --features, --out) are the server's. The dataset is the build's metadata (its clips are not
// fetched); the features are computed from the build's source videos as `vidseg features` does
// ("audio": --no-visual, the default; "audio-visual": both) or, "transcripts", taken from the
// fragments' transcripts (text-only, as `vidseg train` without --features). Results: model (the
// model file) and train.json (the command's --json document). With register_as the model is
// registered under that name when the job finishes (a name another user registered is left alone and
// the log says so); POST /api/jobs/{id}/register-model does it later.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::platform {

class Platform;
struct Principal;

inline constexpr const char* kTrainKind = "train";
inline constexpr const char* kTrainedModelFile = "model";

// Error(InvalidArgument) unless inputs is {"dataset": job id, "features": "audio" | "audio-visual" |
// "transcripts" (optional), "register_as": a model name (optional)}, and the options train patterns.
void validate_train_inputs(const nlohmann::json& inputs, const nlohmann::json& options);

// At submission: the dataset is a finished dataset build of the caller (404 / 409 not_a_dataset), and
// register_as is free or the caller's own (409 model_name_taken; an admin may replace any).
void check_train_references(Platform& platform, const Principal& caller, const nlohmann::json& inputs);

void run_train_job(JobContext& c);

// Registers the model of a finished train job of the caller (or any user's for an admin) under `name`
// (POST /api/jobs/{id}/register-model): 409 not_a_train_job / model_name_taken as above.
nlohmann::json register_trained_model(Platform& platform, const Principal& caller, std::int64_t job_id,
                                      const std::string& name, const std::string& ip);

}  // namespace vidseg::platform

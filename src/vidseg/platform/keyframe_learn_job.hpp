// `keyframes learn` as a job of `vidseg serve`: a keyframe model learned from the review decisions of
// the user's own dataset builds, and that model chosen for the user's later builds by its id.
//
//   {"kind": "keyframes learn", "video_ids": [], "options": {"accepted-weight": 0.5, "l2": 0.01},
//    "inputs": {"reviews": [<dataset build job id>, ...], "evaluate": [<job id>, ...]}}
// Options go through the CLI command's table (dataset/keyframe_learn_options.hpp); the folders are the
// server's: per build job, its keyframe_candidates.jsonl and its review decisions (the build's own
// review.jsonl followed by the web review's draft, the later decision of an item winning). Results:
// keyframes.model and learn.json (the `--json` report of the command).
//
// A later dataset build job selects the model with {"keyframe": "model:<learn job id>"}: the id of a
// finished keyframes learn job of the same user, never a path (a path is refused by parse_job_options).
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::platform {

class Platform;
struct Principal;

inline constexpr const char* kKeyframeLearnKind = "keyframes learn";
inline constexpr const char* kKeyframeModelFile = "keyframes.model";

// Error(InvalidArgument) unless inputs is {"reviews": [1..64 job ids], "evaluate": [job ids] (optional)}.
void validate_keyframe_learn_inputs(const nlohmann::json& inputs);

// The learn job id of {"keyframe": "model:<id>"}; nullopt for another keyframe choice. Error(InvalidArgument)
// for a model: value that is not a job id (a path of the server).
std::optional<std::int64_t> keyframe_model_job_id(const nlohmann::json& options);

// At submission, the jobs a request names must be the caller's (404 otherwise, as their other routes) and
// usable (409): inputs.reviews / inputs.evaluate finished dataset builds, a model:<id> a finished learn job.
void check_job_references(Platform& platform, const Principal& caller, const std::string& kind,
                          const nlohmann::json& options, const nlohmann::json& inputs);

void run_keyframes_learn_job(JobContext& c);

// For a dataset build job with {"keyframe": "model:<id>"}: the model fetched into the work folder (the
// learn job must still be a finished one of the same user: InputNotFound otherwise); `options` gets
// "model:<local file>" in its place. Does nothing for another keyframe choice.
void fetch_keyframe_model(JobContext& c, nlohmann::json& options);

}  // namespace vidseg::platform

// The steps every job kind is made of (job_kinds.cpp, analysis_jobs.cpp): its videos fetched from the
// store into the work folder, result files stored under <user>/jobs/<id>/ and recorded in the catalog.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::platform {

// Where a `--keyframe best` dataset build job keeps its keyframe candidates among its results (for
// the web review, dataset_review.hpp).
inline constexpr const char* kKeyframeCandidatesFolder = "keyframe_candidates";

// The job's index-th video; InputNotFound when it was deleted meanwhile.
catalog::Video job_video(JobContext& c, std::size_t index);
// Copies the video into work_dir/input/<video id>/<last part of its key>, modified at its upload time.
std::filesystem::path fetch_video(JobContext& c, const catalog::Video& video);
// Stores one result file under `key` and records it as the job's file `name`.
catalog::JobFile store_file(JobContext& c, const std::filesystem::path& file, const std::string& name,
                            const std::string& key);
// Stores every file under `folder` as <user>/jobs/<id>/<name_prefix><relative path> (stage "assemble"),
// named <name_prefix><relative path>; how many.
std::size_t store_output_folder(JobContext& c, const std::filesystem::path& folder,
                                const std::string& name_prefix = "");

// The job kinds that run an analysis command (analysis_jobs.cpp).
void run_dataset_build_job(JobContext& c);
void run_transcribe_job(JobContext& c);
void run_intro_detect_job(JobContext& c);
void run_predict_job(JobContext& c);  // predict_job.cpp
// intro_learn_job.cpp: inputs {"corrections": [{"video_id", "start", "end"}]} (InvalidArgument otherwise).
void validate_intro_learn_inputs(const nlohmann::json& inputs, const std::vector<std::int64_t>& video_ids);
void run_intro_learn_job(JobContext& c);

}  // namespace vidseg::platform

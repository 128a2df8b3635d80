// The web review of a finished `dataset build` job (issue 12): its fragments with their keyframes and
// the `--keyframe best` candidates, the decisions taken in the browser (stored as the engine's
// review.jsonl, dataset/review.hpp, in the object store beside the job's results: the draft of the
// next build), and the re-build that applies them (a new dataset build job with the same videos,
// options and export, the decisions as inputs.review).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

// Object key of a job's review draft.
std::string review_draft_key(const std::string& owner_name, std::int64_t job_id);

// {"job", "items": [{"item", "number", "lesson", "start", "end", "patterns", "annotator", "split",
// "keyframe_time", "image", "candidates": [{"time", "image"}], "decision": "kept"|"excluded"|null,
// "reason", "picked": seconds|null}], "decisions": N}. Image URLs are the job's file routes.
// 404 for another user's job, 409 unless a finished dataset build job.
nlohmann::json dataset_review(Platform& platform, const Principal& caller, std::int64_t job_id);

// Appends one decision to the draft: {"item": "<fragment name>", "decision": "excluded"|"kept",
// "reason": "...", "keyframe": seconds (optional, inside the fragment)}. Returns the review.
nlohmann::json add_review_decision(Platform& platform, const Principal& caller, std::int64_t job_id,
                                   const nlohmann::json& body, const std::string& ip);

// The draft as review.jsonl text ("" when nothing was decided).
std::string review_draft_text(Platform& platform, const Principal& caller, std::int64_t job_id);

// A new dataset build job from the reviewed one with the latest decision of each item.
catalog::Job rebuild_with_review(Platform& platform, const Principal& caller, std::int64_t job_id,
                                 const std::string& ip);

}  // namespace vidseg::platform

// The web intros page (issue 12): the series of the caller (one per finished intro detect job: its
// episodes), every episode's detected intro with confidence and variant, the boundaries corrected by
// hand (catalog::IntroCorrection), and the season's intros as intro labels (SPEC §2 form A,
// {"episode.mp4": {"start": "HH:MM:SS", "end": ...}}: what `vidseg intro eval --labels` reads and what
// re-learning the series starts from). Access as the job's: another user's job answers 404.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/platform/platform.hpp"

namespace vidseg::platform {

// {"series": [{"job", "episodes": [{"video_id", "name", "episode", "duration", "detected": [s, e] | null,
// "confidence", "variant", "error", "corrected": [s, e] | null, "corrected_by", "corrected_at"}]}]}
nlohmann::json intro_series(Platform& platform, const Principal& caller);

// Stores the corrected intro of one episode: body {"start": s, "end": e} (0 <= s < e <= the episode's
// duration). 409 unless a finished intro detect job, 404 for a video not in it. Returns that series.
nlohmann::json correct_intro(Platform& platform, const Principal& caller, std::int64_t job_id,
                             std::int64_t video_id, const nlohmann::json& body, const std::string& ip);

// Queues an `intro learn` job over the series' episodes with the intro detect job's options and the
// corrections stored for it (job_kinds.hpp): the series' intro library learned again. 409 unless a
// finished intro detect job.
catalog::Job relearn_intro_library(Platform& platform, const Principal& caller, std::int64_t job_id,
                                   const std::string& ip);

// The job's intros (corrections over detections) as intro labels form A, keyed by episode file name.
nlohmann::ordered_json intro_labels_of(Platform& platform, const Principal& caller, std::int64_t job_id);

}  // namespace vidseg::platform

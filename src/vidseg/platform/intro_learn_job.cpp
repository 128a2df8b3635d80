// The `intro learn` job: `vidseg intro learn` over the episodes of a series, with the intros corrected
// by hand on the web intros page in place of the detected ones (inputs.corrections, made by
// relearn_intro_library from the catalog's corrections). Its options are the intro detect job's,
// checked by the same table; the result is the intro library (intro_library.json, what
// `vidseg intro detect --library` reads) and learned.json (its variants and episodes).
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/series_learning.hpp"
#include "vidseg/platform/job_steps.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

void validate_intro_learn_inputs(const nlohmann::json& inputs, const std::vector<std::int64_t>& video_ids) {
    if (inputs.is_null() || (inputs.is_object() && inputs.empty())) return;
    const auto bad = [] {
        return Error(ErrorCode::InvalidArgument,
                     "an intro learn job's inputs are {\"corrections\": [{\"video_id\": ID, \"start\": s, \"end\": e}]}, "
                     "one of its videos each, 0 <= start < end");
    };
    if (!inputs.is_object() || inputs.size() != 1 || !inputs.contains("corrections") || !inputs["corrections"].is_array())
        throw bad();
    for (const auto& c : inputs["corrections"]) {
        if (!c.is_object() || !c.contains("video_id") || !c["video_id"].is_number_integer() || !c.contains("start") ||
            !c["start"].is_number() || !c.contains("end") || !c["end"].is_number())
            throw bad();
        const double s = c["start"].get<double>(), e = c["end"].get<double>();
        if (!(s >= 0) || !(e > s)) throw bad();
        if (std::find(video_ids.begin(), video_ids.end(), c["video_id"].get<std::int64_t>()) == video_ids.end())
            throw bad();
    }
}

void run_intro_learn_job(JobContext& c) {
    std::vector<std::string> episodes;
    std::map<std::int64_t, std::string> path_of_video;
    for (std::size_t i = 0; i < c.job.video_ids.size(); ++i) {
        episodes.push_back(fetch_video(c, job_video(c, i)).string());
        path_of_video[c.job.video_ids[i]] = episodes.back();
    }
    const auto options = parse_job_options(intro::intro_detect_command_spec(),
                                           nlohmann::json::parse(c.job.options_json), episodes);
    const auto config = intro::intro_detect_options(options);
    std::map<std::string, timeline::Interval> corrections;
    const auto inputs = nlohmann::json::parse(c.job.inputs_json.empty() ? "{}" : c.job.inputs_json);
    for (const auto& x : inputs.value("corrections", nlohmann::json::array()))
        corrections[path_of_video.at(x["video_id"].get<std::int64_t>())] = {x["start"].get<double>(),
                                                                            x["end"].get<double>()};
    // No fingerprint cache: a job's episodes live only in its work folder.
    auto season = intro::detect_intros_by_series(episodes, config, nullptr, &c.progress);
    for (const auto& d : season.detections)
        if (!d.error.empty()) c.log("skipped " + fs::path(d.episode).filename().string() + ": " + d.error);
    const auto learned = intro::learn_series_library(season, episodes, config, corrections);
    c.log("learned " + std::to_string(learned.library.variants.size()) + " intro variant(s) from " +
          std::to_string(learned.usable) + " episode(s), " + std::to_string(learned.corrected) +
          " intro(s) corrected by hand");
    c.progress.begin("assemble", 1);
    const fs::path out = c.work_dir / "out";
    fs::create_directories(out);
    intro::save_intro_library(learned.library, out / "intro_library.json");
    write_file_atomic(out / "learned.json", nlohmann::json({{"variants", intro::learned_variants_json(learned.library)},
                                                            {"usable", learned.usable},
                                                            {"corrected", learned.corrected}})
                                                    .dump(2) +
                                                "\n");
    c.progress.end();
    store_output_folder(c, out);
}

}  // namespace vidseg::platform

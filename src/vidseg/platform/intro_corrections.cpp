#include "vidseg/platform/intro_corrections.hpp"

#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "vidseg/intro/intro_labels.hpp"
#include "vidseg/platform/api_error.hpp"

namespace vidseg::platform {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxIntroJson = 16u << 20;

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The job's intro.json ({"episodes": [...]}), or an empty object when it has none.
json intro_result(Platform& platform, const Principal& caller, std::int64_t job_id) {
    for (const auto& f : platform.job_files(caller, job_id)) {
        if (f.name != "intro.json") continue;
        std::string text;
        platform.store().read(f.key, [&text](const char* data, std::size_t size) {
            if (text.size() + size > kMaxIntroJson) throw ApiError(500, "internal", "intro.json over 16 MiB");
            text.append(data, size);
        });
        auto doc = json::parse(text, nullptr, false);
        return doc.is_object() ? doc : json::object();
    }
    return json::object();
}

catalog::Job intro_job(Platform& platform, const Principal& caller, std::int64_t job_id) {
    const auto job = platform.job(caller, job_id);
    if (job.kind != "intro detect" || job.state != "finished")
        throw ApiError(409, "not_an_intro_series",
                       "job " + std::to_string(job_id) + " is not a finished intro detect job");
    return job;
}

json series_of(Platform& platform, const Principal& caller, const catalog::Job& job) {
    std::map<std::int64_t, catalog::IntroCorrection> corrections;
    for (const auto& c : platform.catalog().intro_corrections(job.id)) corrections[c.video_id] = c;
    json episodes = json::array();
    for (const auto& e : intro_result(platform, caller, job.id).value("episodes", json::array())) {
        const std::int64_t video_id = e.value("video_id", std::int64_t{0});
        json out = {{"video_id", video_id},
                    {"episode", e.value("episode", "")},
                    {"name", e.value("episode", "")},
                    {"duration", nullptr},
                    {"detected", e.contains("intro") ? e["intro"] : json()},
                    {"confidence", e.value("confidence", 0.0)},
                    {"variant", e.contains("variant") ? e["variant"] : json()},
                    {"error", e.value("error", "")},
                    {"corrected", nullptr},
                    {"corrected_by", nullptr},
                    {"corrected_at", nullptr}};
        if (const auto video = platform.catalog().find_video(video_id)) {
            out["name"] = video->name;
            const auto info =
                json::parse(video->info_json.empty() ? "null" : video->info_json, nullptr, false);
            if (info.is_object() && info.contains("duration")) out["duration"] = info["duration"];
        }
        if (const auto c = corrections.find(video_id); c != corrections.end()) {
            out["corrected"] = json::array({c->second.start, c->second.end});
            const auto who = platform.catalog().user_by_id(c->second.user_id);
            out["corrected_by"] = who ? who->name : "";
            out["corrected_at"] = c->second.updated;
        }
        episodes.push_back(std::move(out));
    }
    return {{"job", to_json(job)}, {"episodes", episodes}};
}

}  // namespace

json intro_series(Platform& platform, const Principal& caller) {
    json series = json::array();
    for (const auto& job : platform.jobs(caller))
        if (job.kind == "intro detect" && job.state == "finished")
            series.push_back(series_of(platform, caller, job));
    return {{"series", series}};
}

json correct_intro(Platform& platform, const Principal& caller, std::int64_t job_id, std::int64_t video_id,
                   const json& body, const std::string& ip) {
    const auto job = intro_job(platform, caller, job_id);
    bool found = false;
    for (const auto id : job.video_ids) found = found || id == video_id;
    if (!found) throw not_found("video " + std::to_string(video_id) + " of job " + std::to_string(job_id));
    const auto start = body.find("start");
    const auto end = body.find("end");
    if (start == body.end() || end == body.end() || !start->is_number() || !end->is_number())
        throw ApiError(400, "bad_request", "'start' and 'end' must be seconds");
    const double s = start->get<double>();
    const double e = end->get<double>();
    double duration = -1;
    if (const auto video = platform.catalog().find_video(video_id)) {
        const auto info = json::parse(video->info_json.empty() ? "null" : video->info_json, nullptr, false);
        if (info.is_object() && info.contains("duration") && info["duration"].is_number())
            duration = info["duration"].get<double>();
    }
    if (!(s >= 0) || !(e > s) || (duration > 0 && e > duration + 1e-3))
        throw ApiError(
            400, "bad_request",
            "the intro must satisfy 0 <= start < end" +
                (duration > 0 ? " <= " + std::to_string(duration) + " s (the episode's length)" : ""));
    platform.catalog().set_intro_correction({job_id, video_id, s, e, caller.user.id, now_seconds()});
    platform.accounts().audit(
        &caller, "intro-correction", "job " + std::to_string(job_id),
        "video " + std::to_string(video_id) + ": " + std::to_string(s) + "-" + std::to_string(e), ip);
    return series_of(platform, caller, job);
}

catalog::Job relearn_intro_library(Platform& platform, const Principal& caller, std::int64_t job_id,
                                   const std::string& ip) {
    const auto job = intro_job(platform, caller, job_id);
    json corrections = json::array();
    for (const auto& c : platform.catalog().intro_corrections(job.id))
        corrections.push_back({{"video_id", c.video_id}, {"start", c.start}, {"end", c.end}});
    const json options = json::parse(job.options_json.empty() ? "{}" : job.options_json, nullptr, false);
    return platform.submit_job(caller, "intro learn", job.video_ids, options.is_object() ? options : json::object(),
                               {{"corrections", corrections}}, ip);
}

nlohmann::ordered_json intro_labels_of(Platform& platform, const Principal& caller, std::int64_t job_id) {
    const auto job = intro_job(platform, caller, job_id);
    std::vector<intro::IntroLabel> labels;
    const json series = series_of(platform, caller, job);
    for (const auto& e : series["episodes"]) {
        if (!e["error"].get<std::string>().empty()) continue;
        const json& chosen = e["corrected"].is_array() ? e["corrected"] : e["detected"];
        intro::IntroLabel label;
        label.id = e["episode"].get<std::string>();
        if (chosen.is_array() && chosen.size() == 2)
            label.intro = timeline::Interval{chosen[0].get<double>(), chosen[1].get<double>()};
        labels.push_back(std::move(label));
    }
    return intro::to_timecode_json(labels);
}

}  // namespace vidseg::platform

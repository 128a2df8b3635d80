#include "vidseg/platform/dataset_review.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/dataset/review.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/job_kinds.hpp"
#include "vidseg/platform/job_steps.hpp"

namespace vidseg::platform {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxReadBytes = 64u << 20;  // a metadata.jsonl or candidates.json read whole

// Appends to one draft at a time (read, append, write back).
std::mutex& draft_mutex() {
    static std::mutex m;
    return m;
}

std::string read_object(storage::ObjectStore& store, const std::string& key) {
    std::string text;
    store.read(key, [&text, &key](const char* data, std::size_t size) {
        if (text.size() + size > kMaxReadBytes)
            throw Error(ErrorCode::InvalidData, "larger than 64 MiB, not read for the review", key);
        text.append(data, size);
    });
    return text;
}

void write_object(storage::ObjectStore& store, const std::string& key, const std::string& text) {
    auto writer = store.create(key, {{"kind", "review-draft"}});
    writer->write(text.data(), text.size());
    writer->commit();
}

// One fragment of the dataset as the review shows it.
struct Fragment {
    json row;           // the metadata.jsonl row
    std::string split;  // "", "train/", "test/"
};

std::string file_url(std::int64_t job_id, const std::string& name) {
    return "/api/jobs/" + std::to_string(job_id) + "/files/" + name;
}

// Fragment name = the clip's file name without extension ("videos/lesson_1_3.mp4" -> "lesson_1_3").
std::string fragment_name(const json& row) {
    return std::filesystem::path(row.value("file_name", "")).stem().string();
}

catalog::Job reviewable_job(Platform& platform, const Principal& caller, std::int64_t job_id) {
    const auto job = platform.job(caller, job_id);
    if (job.kind != "dataset build")
        throw ApiError(409, "not_a_dataset",
                       "job " + std::to_string(job_id) + " is a " + job.kind +
                           " job; only a dataset build job has a review");
    if (job.state != "finished")
        throw ApiError(
            409, "job_not_finished",
            "job " + std::to_string(job_id) + " is " + job.state + "; its review needs it finished");
    return job;
}

std::string owner_name(Platform& platform, const catalog::Job& job) {
    const auto owner = platform.catalog().user_by_id(job.user_id);
    return owner ? owner->name : "unknown";
}

// Fragments in metadata order (train before test).
std::vector<Fragment> fragments_of(Platform& platform, const std::map<std::string, catalog::JobFile>& files) {
    std::vector<Fragment> out;
    for (const std::string split : {"", "train/", "test/"}) {
        const auto it = files.find(split + "metadata.jsonl");
        if (it == files.end()) continue;
        std::istringstream in(read_object(platform.store(), it->second.key));
        for (std::string line; std::getline(in, line);) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            auto row = json::parse(line, nullptr, false);
            if (row.is_discarded() || !row.is_object()) continue;
            out.push_back({std::move(row), split});
        }
    }
    return out;
}

std::vector<dataset::ReviewDecision> read_draft(Platform& platform, const std::string& key) {
    if (!platform.store().stat(key)) return {};
    return dataset::parse_review_log(read_object(platform.store(), key), "review draft");
}

}  // namespace

std::string review_draft_key(const std::string& owner_name, std::int64_t job_id) {
    return owner_name + "/jobs/" + std::to_string(job_id) + "/review-draft/review.jsonl";
}

json dataset_review(Platform& platform, const Principal& caller, std::int64_t job_id) {
    const auto job = reviewable_job(platform, caller, job_id);
    std::map<std::string, catalog::JobFile> files;
    for (auto& f : platform.job_files(caller, job_id)) files.emplace(f.name, f);
    json candidates = json::object();
    const std::string index = std::string(kKeyframeCandidatesFolder) + "/candidates.json";
    if (const auto it = files.find(index); it != files.end()) {
        candidates = json::parse(read_object(platform.store(), it->second.key), nullptr, false);
        if (!candidates.is_object()) candidates = json::object();
    }
    const auto draft = read_draft(platform, review_draft_key(owner_name(platform, job), job_id));
    const auto latest = dataset::latest_decisions(draft);
    const auto picks = dataset::picked_keyframes(draft);

    json items = json::array();
    std::size_t number = 0;
    for (const auto& f : fragments_of(platform, files)) {
        const std::string name = fragment_name(f.row);
        json item = {{"item", name},
                     {"number", ++number},
                     {"lesson", f.row.value("lesson", "")},
                     {"start", f.row.value("start", 0.0)},
                     {"end", f.row.value("end", 0.0)},
                     {"patterns", f.row.value("patterns", json::array())},
                     {"annotator", f.row.value("annotator", "")},
                     {"split", f.split.empty() ? "" : f.split.substr(0, f.split.size() - 1)},
                     {"keyframe_time", f.row.value("keyframe_time", 0.0)},
                     {"image", file_url(job_id, f.split + f.row.value("image_path", ""))},
                     {"candidates", json::array()},
                     {"decision", nullptr},
                     {"reason", ""},
                     {"picked", nullptr}};
        if (const auto c = candidates.find(name); c != candidates.end() && c->is_object())
            for (const auto& cand : c->value("candidates", json::array()))
                item["candidates"].push_back(
                    {{"time", cand.value("time", 0.0)},
                     {"image", file_url(job_id, std::string(kKeyframeCandidatesFolder) + "/" +
                                                    cand.value("image", ""))}});
        if (const auto d = latest.find(name); d != latest.end()) {
            item["decision"] = d->second.excluded ? "excluded" : "kept";
            item["reason"] = d->second.reason;
        }
        if (const auto p = picks.find(name); p != picks.end()) item["picked"] = p->second;
        items.push_back(std::move(item));
    }
    return {{"job", to_json(job)}, {"items", items}, {"decisions", draft.size()}};
}

json add_review_decision(Platform& platform, const Principal& caller, std::int64_t job_id, const json& body,
                         const std::string& ip) {
    const auto job = reviewable_job(platform, caller, job_id);
    const auto item_it = body.find("item");
    if (item_it == body.end() || !item_it->is_string())
        throw ApiError(400, "bad_request", "'item' must be the fragment's name");
    const std::string name = item_it->get<std::string>();
    const std::string decision = body.value("decision", std::string("kept"));
    if (decision != "kept" && decision != "excluded")
        throw ApiError(400, "bad_request", "'decision' must be excluded or kept, got '" + decision + "'");
    if (body.contains("reason") && !body["reason"].is_string())
        throw ApiError(400, "bad_request", "'reason' must be text");
    std::string reason = body.value("reason", std::string());
    for (auto& ch : reason)
        if (ch == '\n' || ch == '\r') ch = ' ';
    if (reason.size() > 500) throw ApiError(400, "bad_request", "'reason' has at most 500 characters");
    if (body.contains("keyframe") && !body["keyframe"].is_number())
        throw ApiError(400, "bad_request", "'keyframe' must be the picked frame's time in seconds");

    std::map<std::string, catalog::JobFile> files;
    for (auto& f : platform.job_files(caller, job_id)) files.emplace(f.name, f);
    std::optional<Fragment> fragment;
    for (auto& f : fragments_of(platform, files))
        if (fragment_name(f.row) == name) fragment = std::move(f);
    if (!fragment)
        throw ApiError(404, "not_found",
                       "fragment '" + name + "' is not in the dataset of job " + std::to_string(job_id));
    dataset::ReviewDecision d;
    d.item = name;
    d.excluded = decision == "excluded";
    d.reason = d.excluded ? reason : std::string();
    d.when = dataset::utc_now();
    d.who = caller.user.name;
    d.source = "web";
    d.lesson = fragment->row.value("lesson", "");
    d.annotator = fragment->row.value("annotator", "");
    d.start = fragment->row.value("start", 0.0);
    d.end = fragment->row.value("end", 0.0);
    d.patterns = fragment->row.value("patterns", std::vector<std::string>{});
    if (body.contains("keyframe")) {
        const double t = body["keyframe"].get<double>();
        if (t < d.start - 1e-6 || t > d.end + 1e-6)
            throw ApiError(400, "bad_request",
                           "'keyframe' " + std::to_string(t) + " s is outside the fragment");
        d.keyframe = t;
    }
    {
        const std::lock_guard lock(draft_mutex());
        const std::string key = review_draft_key(owner_name(platform, job), job_id);
        const std::string before = platform.store().stat(key) ? read_object(platform.store(), key) : "";
        write_object(platform.store(), key, before + dataset::render_review_log({d}));
    }
    platform.accounts().audit(&caller, "review", "job " + std::to_string(job_id),
                              name + " " + decision + (reason.empty() ? "" : ": " + reason), ip);
    return dataset_review(platform, caller, job_id);
}

std::string review_draft_text(Platform& platform, const Principal& caller, std::int64_t job_id) {
    const auto job = reviewable_job(platform, caller, job_id);
    const std::string key = review_draft_key(owner_name(platform, job), job_id);
    return platform.store().stat(key) ? read_object(platform.store(), key) : std::string();
}

catalog::Job rebuild_with_review(Platform& platform, const Principal& caller, std::int64_t job_id,
                                 const std::string& ip) {
    const auto job = reviewable_job(platform, caller, job_id);
    const auto draft = read_draft(platform, review_draft_key(owner_name(platform, job), job_id));
    if (draft.empty())
        throw ApiError(409, "nothing_reviewed",
                       "job " + std::to_string(job_id) + " has no review decision yet");
    json inputs = json::parse(job.inputs_json);
    // The earlier decisions of the job's inputs, then the latest of the draft for each item.
    json review = json::array();
    const auto latest = dataset::latest_decisions(draft);
    const auto picks = dataset::picked_keyframes(draft);
    for (const auto& d : inputs.value("review", json::array()))
        if (!latest.count(d.value("item", ""))) review.push_back(d);
    for (const auto& [item, d] : latest) {
        json row = {{"item", item}, {"decision", d.excluded ? "excluded" : "kept"}, {"reason", d.reason}};
        if (const auto p = picks.find(item); p != picks.end()) row["keyframe"] = p->second;
        review.push_back(std::move(row));
    }
    inputs["review"] = std::move(review);
    return platform.submit_job(caller, job.kind, job.video_ids, json::parse(job.options_json), inputs, ip);
}

}  // namespace vidseg::platform

#include "vidseg/platform/platform.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/job_kinds.hpp"
#include "vidseg/platform/model_registry.hpp"
#include "vidseg/platform/keyframe_learn_job.hpp"
#include "vidseg/platform/train_job.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {
// Text from clients may hold anything; JSON output replaces invalid UTF-8 instead of failing.
nlohmann::json parse_stored(const std::string& text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    return doc.is_discarded() ? nlohmann::json::object() : doc;
}
}  // namespace

Platform::Platform(PlatformConfig config) : config_(std::move(config)) {
    fs::create_directories(config_.data_dir);
    catalog_ = catalog::open_catalog(config_.db, (config_.data_dir / "catalog.sqlite").string());
    auto store_config = config_.store;
    if (store_config.location.empty()) store_config.location = (config_.data_dir / "store").string();
    store_ = storage::open_store(store_config);
    accounts_ = std::make_unique<Accounts>(*catalog_);
    uploads_ = std::make_unique<Uploads>(
        *catalog_, *store_, UploadsConfig{config_.data_dir / "uploads", config_.max_upload},
        [this](const Principal& caller, const catalog::Video& video, const std::string& ip) {
            accounts_->audit(
                &caller, "upload", "video " + std::to_string(video.id),
                video.key + " (" + std::to_string(video.size) + " bytes, sha256 " + video.sha256 + ")", ip);
            catalog::Job arrival;
            arrival.user_id = video.user_id;
            arrival.kind = "arrival";
            arrival.video_ids = {video.id};
            enqueue(arrival);
        });
    // The embedded catalog has one server: its jobs are "embedded"'s and a restart resumes them at
    // once. A shared one may have several servers and workers: each has its own name, and a job
    // left behind waits for its lease to expire.
    JobRunnerConfig runner{config_.workers, config_.data_dir / "work", "embedded"};
    if (!config_.db.empty()) {
        runner.worker_name = unique_worker_name("serve");
        runner.requeue_own_on_start = false;
    }
    runner_ = std::make_unique<JobRunner>(*catalog_, *store_, runner);
}

Platform::~Platform() {
    {
        std::lock_guard lock(housekeeping_mutex_);
        housekeeping_stop_ = true;
    }
    housekeeping_wake_.notify_all();
    if (housekeeping_.joinable()) housekeeping_.join();
    stop_workers();
}

void Platform::start_housekeeping() {
    if (housekeeping_.joinable()) return;
    const auto age = config_.abandoned_upload_age;
    const auto every = std::clamp<std::chrono::seconds>(age / 4, std::chrono::seconds(1), std::chrono::minutes(10));
    housekeeping_ = std::thread([this, age, every] {
        std::unique_lock lock(housekeeping_mutex_);
        while (!housekeeping_stop_) {
            lock.unlock();
            try {
                if (const auto n = uploads_->remove_abandoned(age))
                    accounts_->audit(nullptr, "remove-abandoned-uploads", "uploads", std::to_string(n) +
                                     " unfinished upload(s) untouched for " + std::to_string(age.count()) + " s", "");
            } catch (const std::exception&) {
                // The next round tries again (a catalog busy with a long write, a folder being moved).
            }
            lock.lock();
            housekeeping_wake_.wait_for(lock, every, [this] { return housekeeping_stop_; });
        }
    });
}

void Platform::start_workers() {
    if (config_.workers > 0) runner_->start();
}
void Platform::stop_workers() {
    if (runner_) runner_->stop();
}

std::vector<catalog::Video> Platform::videos(const Principal& caller) {
    return catalog_->videos(caller.is_admin() ? 0 : caller.user.id);
}

catalog::Video Platform::video(const Principal& caller, std::int64_t id) {
    auto video = catalog_->find_video(id);
    if (!video || (video->user_id != caller.user.id && !caller.is_admin()))
        throw not_found("video " + std::to_string(id));
    return *video;
}

void Platform::delete_video(const Principal& caller, std::int64_t id, const std::string& ip) {
    const auto v = video(caller, id);
    for (const auto& job : catalog_->jobs_of_video(id)) {
        if (job.state == "running") {
            catalog_->request_job_cancel(job.id, unix_now());
            runner_->cancel(job.id);
            throw ApiError(409, "job_running",
                           "job " + std::to_string(job.id) +
                               " is running on this video; it was asked to stop, "
                               "delete again once it ended");
        }
    }
    for (const auto& job : catalog_->jobs_of_video(id)) {
        remove_job_files(*catalog_, *store_, job.id);
        catalog_->remove_job(job.id);
    }
    store_->remove(v.key);
    catalog_->remove_video(id);
    accounts_->audit(&caller, "delete-video", "video " + std::to_string(id), v.key, ip);
}

catalog::Job Platform::enqueue(const catalog::Job& job) {
    auto copy = job;
    copy.created = unix_now();
    auto stored = catalog_->add_job(copy);
    catalog_->add_job_log(stored.id, stored.created, "queued (" + stored.kind + ")");
    runner_->wake();
    return stored;
}

catalog::Job Platform::submit_job(const Principal& caller, const std::string& kind,
                                  const std::vector<std::int64_t>& video_ids, const nlohmann::json& options,
                                  const nlohmann::json& inputs, const std::string& ip) {
    validate_job_request(kind, video_ids, options, inputs);
    for (auto id : video_ids) video(caller, id);  // 404 for another user's video
    if (kind == "predict") require_registered_model(*this, inputs);
    check_job_references(*this, caller, kind, options, inputs);  // and for another user's job
    if (kind == kTrainKind) check_train_references(*this, caller, inputs);
    if (config_.max_active_jobs > 0 && !caller.is_admin()) {
        std::size_t active = 0;
        for (const auto& j : catalog_->jobs(caller.user.id))  // the server's own arrival jobs do not count
            active += j.kind != "arrival" && (j.state == "queued" || j.state == "running");
        if (active >= config_.max_active_jobs)
            throw ApiError(429, "too_many_jobs",
                           "you have " + std::to_string(active) + " queued or running jobs, the limit is " +
                               std::to_string(config_.max_active_jobs) + "; wait for one to end or cancel one");
    }
    catalog::Job job;
    job.user_id = caller.user.id;
    job.kind = kind;
    job.video_ids = video_ids;
    job.options_json = options.dump();
    if (inputs.is_object() && !inputs.empty()) job.inputs_json = inputs.dump();
    auto stored = enqueue(job);
    accounts_->audit(&caller, "submit-job", "job " + std::to_string(stored.id), kind, ip);
    return stored;
}

std::vector<catalog::Job> Platform::jobs(const Principal& caller) {
    return catalog_->jobs(caller.is_admin() ? 0 : caller.user.id);
}

catalog::Job Platform::job(const Principal& caller, std::int64_t id) {
    auto job = catalog_->find_job(id);
    if (!job || (job->user_id != caller.user.id && !caller.is_admin()))
        throw not_found("job " + std::to_string(id));
    return *job;
}

catalog::Job Platform::cancel_job(const Principal& caller, std::int64_t id, const std::string& ip) {
    job(caller, id);
    if (!catalog_->request_job_cancel(id, unix_now())) runner_->cancel(id);
    catalog_->add_job_log(id, unix_now(), "cancel requested by " + caller.user.name);
    accounts_->audit(&caller, "cancel-job", "job " + std::to_string(id), "", ip);
    return job(caller, id);
}

catalog::Job Platform::retry_job(const Principal& caller, std::int64_t id, const std::string& ip) {
    const auto before = job(caller, id);
    if (before.state == "queued" || before.state == "running")
        throw ApiError(409, "job_active",
                       "job " + std::to_string(id) + " is " + before.state + "; retry needs an ended job");
    remove_job_files(*catalog_, *store_, id);
    if (!catalog_->requeue_job(id))
        throw ApiError(409, "job_active", "job " + std::to_string(id) + " is active");
    catalog_->add_job_log(id, unix_now(), "retry requested by " + caller.user.name);
    accounts_->audit(&caller, "retry-job", "job " + std::to_string(id), "", ip);
    runner_->wake();
    return job(caller, id);
}

std::vector<catalog::JobFile> Platform::job_files(const Principal& caller, std::int64_t id) {
    job(caller, id);
    return catalog_->job_files(id);
}

DownloadTarget Platform::job_file(const Principal& caller, std::int64_t id, const std::string& name) {
    for (const auto& f : job_files(caller, id))
        if (f.name == name) return {f, store_->presigned_get_url(f.key, std::chrono::seconds{0})};
    throw not_found("file '" + name + "' of job " + std::to_string(id));
}

std::vector<catalog::JobLogLine> Platform::job_log(const Principal& caller, std::int64_t id) {
    job(caller, id);
    return catalog_->job_log(id);
}

nlohmann::json to_json(const catalog::User& user) {
    return {{"id", user.id},
            {"name", user.name},
            {"role", catalog::role_name(user.role)},
            {"created", user.created},
            // null: not chosen yet (the web UI follows the browser's language)
            {"language", user.language.empty() ? nlohmann::json(nullptr) : nlohmann::json(user.language)}};
}

nlohmann::json to_json(const catalog::Video& v) {
    nlohmann::json out = {{"id", v.id},       {"owner_id", v.user_id}, {"name", v.name},
                          {"key", v.key},     {"size", v.size},        {"sha256", v.sha256},
                          {"state", v.state}, {"created", v.created}};
    // Moved in, not copied through an initializer list: the media summary is most of a video list's work.
    out["info"] = parse_stored(v.info_json);
    return out;
}

nlohmann::json to_json(const catalog::Job& j) {
    return {{"id", j.id},
            {"owner_id", j.user_id},
            {"kind", j.kind},
            {"video_ids", j.video_ids},
            {"options", parse_stored(j.options_json)},
            {"state", j.state},
            {"stage", j.stage},
            {"progress", j.progress},
            {"error", j.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(j.error)},
            {"attempts", j.attempts},
            {"created", j.created},
            {"started", j.started},
            {"finished", j.finished}};
}

nlohmann::json to_json(const catalog::ApiToken& t) {
    return {{"id", t.id},
            {"label", t.label},
            {"created", t.created},
            {"last_used", t.last_used},
            {"revoked", t.revoked}};
}

nlohmann::json to_json(const catalog::AuditEntry& e) {
    return {{"id", e.id},         {"time", e.time},       {"user_id", e.user_id}, {"user", e.user_name},
            {"action", e.action}, {"subject", e.subject}, {"detail", e.detail},   {"ip", e.ip}};
}

}  // namespace vidseg::platform

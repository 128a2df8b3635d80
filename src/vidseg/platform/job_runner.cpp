#include "vidseg/platform/job_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/progress.hpp"
#include "vidseg/platform/accounts.hpp"
#include "vidseg/platform/job_checkpoint.hpp"
#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {

// The engine's Progress turned into the job's stage and overall percentage in the catalog: each
// progress label maps to a stage and a share of the job (job_stage_spans), written at most 4 times
// a second, with a log line per new stage. Each write also reads back whether a cancel was requested
// (by any process) and sets the job's token; a write the catalog refuses because the job is no longer
// this worker's (its lease ran out) stops the job as a lost lease, without waiting for the heartbeat.
// Thread-safe: the engine may report from worker threads.
class JobProgress final : public Progress {
  public:
    JobProgress(catalog::Catalog& catalog, const catalog::Job& job, std::string worker,
                std::atomic<bool>& cancel, std::atomic<bool>& lease_lost)
        : catalog_(catalog),
          job_id_(job.id),
          worker_(std::move(worker)),
          spans_(job_stage_spans(job.kind)),
          cancel_(cancel),
          lease_lost_(lease_lost) {}

    void begin(const std::string& label, double total) override {
        std::lock_guard lock(mutex_);
        const std::string before = span_.stage;
        for (const auto& s : spans_)
            if (label.rfind(s.label_prefix, 0) == 0) span_ = s;
        if (span_.stage != before || !logged_)
            catalog_.add_job_log(job_id_, unix_now(), "stage " + span_.stage + " (" + label + ")");
        logged_ = true;
        total_ = total;
        percent_ = std::max(percent_, span_.from);
        write(true);
    }
    void update(double done) override {
        std::lock_guard lock(mutex_);
        if (total_ > 0)
            percent_ = std::max(percent_,
                                span_.from + (span_.to - span_.from) * std::clamp(done / total_, 0.0, 1.0));
        write(false);
    }
    void end() override {
        std::lock_guard lock(mutex_);
        percent_ = std::max(percent_, span_.to);
        write(true);
    }

  private:
    void write(bool force) {
        const auto now = std::chrono::steady_clock::now();
        if (!force && now - last_write_ < std::chrono::milliseconds(250)) return;
        last_write_ = now;
        switch (catalog_.set_job_progress(job_id_, worker_, span_.stage, std::round(percent_ * 10) / 10)) {
            case catalog::ProgressWrite::Recorded:
                break;
            case catalog::ProgressWrite::CancelRequested:
                cancel_ = true;
                break;
            case catalog::ProgressWrite::NotHeld:
                lease_lost_ = true;
                cancel_ = true;
                break;
        }
    }

    catalog::Catalog& catalog_;
    std::int64_t job_id_;
    std::string worker_;
    const std::vector<StageSpan>& spans_;
    std::atomic<bool>& cancel_;
    std::atomic<bool>& lease_lost_;
    bool logged_ = false;
    std::mutex mutex_;
    StageSpan span_{"", "prepare", 0, 0};
    double total_ = 0;
    double percent_ = 0;
    std::chrono::steady_clock::time_point last_write_{};
};

// The job's work folder. Kept when the job is interrupted (this process stops, or its lease was
// lost) and found again by the next attempt on this machine, so that the engine's resumable outputs
// (a dataset build's partial folder) resume; removed when the job ends.
struct WorkDir {
    fs::path path;
    bool keep = false;
    explicit WorkDir(fs::path p) : path(std::move(p)) { fs::create_directories(path); }
    ~WorkDir() {
        std::error_code ec;
        if (!keep) fs::remove_all(path, ec);
    }
};

fs::path job_work_dir(const fs::path& root, std::int64_t job_id) {
    return root / ("job-" + std::to_string(job_id));
}

}  // namespace

std::string unique_worker_name(const std::string& role) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return role + "@" + host + ":" + std::to_string(getpid());
}

JobRunner::JobRunner(catalog::Catalog& catalog, storage::ObjectStore& store, JobRunnerConfig config)
    : catalog_(catalog), store_(store), config_(std::move(config)) {}

JobRunner::~JobRunner() {
    stop();
}

void JobRunner::start() {
    if (config_.requeue_own_on_start) {
        for (const auto& job : catalog_.jobs(0))
            if (job.state == "running" && job.worker == config_.worker_name)
                catalog_.add_job_log(job.id, unix_now(), "queued again: the server stopped while it ran");
        catalog_.requeue_running_jobs(config_.worker_name);
    }
    fs::create_directories(config_.work_dir);
    remove_stale_work_dirs();
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    for (int i = 0; i < config_.workers; ++i) threads_.emplace_back([this] { loop(); });
    heartbeat_ = std::thread([this] { heartbeat(); });
}

void JobRunner::remove_stale_work_dirs() {
    // Folders kept for a resume whose job has ended (elsewhere) or was deleted meanwhile.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(config_.work_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("job-", 0) != 0) continue;
        std::int64_t id = 0;
        try {
            id = std::stoll(name.substr(4));
        } catch (const std::exception&) {
            continue;
        }
        const auto job = catalog_.find_job(id);
        if (!job || (job->state != "queued" && job->state != "running")) fs::remove_all(entry.path(), ec);
    }
}

void JobRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        for (auto& [id, job] : running_) job->cancel.store(true);
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    if (heartbeat_.joinable()) heartbeat_.join();
}

void JobRunner::wake() {
    wake_.notify_all();
}

void JobRunner::cancel(std::int64_t job_id) {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(job_id); it != running_.end()) it->second->cancel.store(true);
}

void JobRunner::heartbeat() {
    const auto interval = std::chrono::seconds(std::max(1, config_.lease_seconds / 3));
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval);
        if (stopping_) return;
        const auto jobs = running_;
        lock.unlock();
        for (const auto& [id, job] : jobs) {
            bool renewed = true;
            try {
                renewed =
                    catalog_.renew_job_lease(id, config_.worker_name, unix_now() + config_.lease_seconds);
            } catch (const std::exception&) {
                continue;  // the database is unreachable: try again; the lease may still be ours
            }
            if (!renewed) {  // queued again (our lease ran out) or deleted: someone else owns it now
                job->lease_lost.store(true);
                job->cancel.store(true);
                continue;
            }
            // A cancel asked of another process (the server) reaches a job that writes no progress too,
            // e.g. while one long request to a Whisper server is in flight: the engine's token stops it.
            try {
                if (const auto current = catalog_.find_job(id); current && current->cancel_requested)
                    job->cancel.store(true);
            } catch (const std::exception&) {
                // the database is unreachable: the next beat asks again
            }
        }
        lock.lock();
    }
}

void JobRunner::requeue_expired() {
    const auto now = unix_now();
    for (auto id : catalog_.requeue_expired_jobs(now))
        catalog_.add_job_log(id, now,
                             "queued again: the lease of its worker expired (the worker stopped "
                             "renewing it)");
}

void JobRunner::loop() {
    const std::string worker = config_.worker_name;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            // The process is stopping (SIGTERM) before stop() was called: claim nothing more.
            if (stopping_ || cancel_requested()) return;
        }
        std::optional<catalog::Job> job;
        try {
            requeue_expired();
            job = catalog_.claim_job(worker, unix_now(), unix_now() + config_.lease_seconds);
        } catch (const std::exception&) {
            job.reset();
        }
        if (!job) {
            std::unique_lock lock(mutex_);
            // Also polls: another process (`vidseg users`, a server, other workers) may queue jobs.
            wake_.wait_for(lock, std::chrono::seconds(1));
            continue;
        }
        execute(*job);
    }
}

void JobRunner::execute(const catalog::Job& job) {
    auto running = std::make_shared<RunningJob>();
    running->cancel.store(job.cancel_requested);
    {
        std::lock_guard lock(mutex_);
        running_[job.id] = running;
    }
    auto log = [&](const std::string& line) { catalog_.add_job_log(job.id, unix_now(), line); };
    log("started (attempt " + std::to_string(job.attempts) + ", worker " + config_.worker_name + ")");
    std::string state = "finished", error;
    bool requeue = false;
    std::optional<WorkDir> work;
    try {
        CancelScope scope(running->cancel);
        work.emplace(job_work_dir(config_.work_dir, job.id));
        if (job.attempts > 1 && !fs::is_empty(work->path))
            log("resuming from the work folder of an earlier attempt on this machine");
        JobProgress progress(catalog_, job, config_.worker_name, running->cancel, running->lease_lost);
        JobContext context{catalog_, store_, job, work->path, progress, log, config_.work_dir / "cache"};
        throw_if_cancelled();
        run_job(context);
    } catch (const Error& e) {
        std::lock_guard lock(mutex_);
        // Outside the job's CancelScope, cancel_requested() is the process's own stop request.
        if (e.code() == ErrorCode::Interrupted && (stopping_ || cancel_requested())) {
            requeue = true;
        } else if (e.code() == ErrorCode::Interrupted) {
            state = "cancelled";
            error = "cancelled";
        } else {
            state = "error";
            error = e.what();
        }
    } catch (const std::exception& e) {
        state = "error";
        error = std::string("internal error: ") + e.what();
    }
    if (work && (requeue || running->lease_lost.load())) work->keep = true;
    try {
        if (running->lease_lost.load()) {
            log("worker " + config_.worker_name + " lost its lease on the job and left it to the next one");
        } else if (requeue) {
            if (catalog_.release_job(job.id, config_.worker_name))
                log("interrupted: worker " + config_.worker_name + " is stopping; queued again");
        } else {
            if (state == "error" && job.kind == "arrival" && !job.video_ids.empty())
                if (auto video = catalog_.find_video(job.video_ids.front()))
                    catalog_.update_video(video->id, "error", video->info_json);
            if (catalog_.end_job(job.id, config_.worker_name, state, error, unix_now())) {
                log(state == "finished" ? "finished" : state + ": " + error);
                // Ended: what it saved to resume from elsewhere goes (job_checkpoint.hpp).
                if (job.kind == "dataset build") remove_checkpoint(store_, job.id);
            }
            else
                log("worker " + config_.worker_name + " ended the job (" + state +
                    ") after it lost its lease; the result is left to the next attempt");
        }
    } catch (const std::exception&) {
        // The catalog is unreachable: the job stays running until its lease expires and runs again.
    }
    std::lock_guard lock(mutex_);
    running_.erase(job.id);
}

}  // namespace vidseg::platform

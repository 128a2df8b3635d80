// Job workers, in `vidseg serve` and in `vidseg worker`: N threads claim queued jobs from the
// catalog (Catalog::claim_job; on PostgreSQL many worker processes share the queue through SELECT
// ... FOR UPDATE SKIP LOCKED), run them in a private work folder with progress written back to the
// catalog, and end them finished / error / cancelled. A job is cancelled through its own token
// (core::CancelScope), so one job stops, not the process.
//
// Leases: a claimed job is this worker's until its lease expires; a heartbeat thread renews the
// leases of the running jobs every lease/3. Before claiming, a worker queues again the jobs whose
// lease ran out (their worker died: kill -9, a lost machine), so they run again elsewhere with their
// attempt count kept. A worker that finds its lease taken stops that job without ending it.
// An interrupted job's work folder (work_dir/job-<id>) stays for its next attempt on this machine,
// so the engine's resumable outputs resume; it is removed once the job ends.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

struct JobRunnerConfig {
    int workers = 1;
    std::filesystem::path work_dir;        // job folders live here while they run
    std::string worker_name = "embedded";  // unique per process when several share a catalog
    int lease_seconds = 30;                // a job unrenewed this long is queued again
    // On start, queue again the jobs this worker name left running (the embedded server: its name
    // is fixed, so a restart resumes them at once instead of after their lease).
    bool requeue_own_on_start = true;
};

// "<role>@<host name>:<pid>": a worker name no other process shares.
std::string unique_worker_name(const std::string& role);

class JobRunner {
  public:
    JobRunner(catalog::Catalog& catalog, storage::ObjectStore& store, JobRunnerConfig config);
    ~JobRunner();  // stop()
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    void start();  // re-queues this worker's interrupted jobs, starts the threads and the heartbeat
    // Stops claiming, interrupts running jobs and puts them back in the queue (a restart or another
    // worker resumes them), joins the threads.
    void stop();
    void wake();  // a job was queued
    // Cancels a job running here (the catalog records the request for other workers).
    void cancel(std::int64_t job_id);

  private:
    struct RunningJob {
        std::atomic<bool> cancel{false};
        std::atomic<bool> lease_lost{false};
    };
    void loop();
    void heartbeat();
    void requeue_expired();
    void remove_stale_work_dirs();
    void execute(const catalog::Job& job);

    catalog::Catalog& catalog_;
    storage::ObjectStore& store_;
    JobRunnerConfig config_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::int64_t, std::shared_ptr<RunningJob>> running_;
    std::vector<std::thread> threads_;
    std::thread heartbeat_;
};

}  // namespace vidseg::platform

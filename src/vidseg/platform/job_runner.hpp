// In-process job workers: N threads claim queued jobs from the catalog (Catalog::claim_job, the
// same step a PostgreSQL worker fleet will take with SKIP LOCKED), run them in a private work
// folder with progress written back to the catalog, and end them finished / error / cancelled.
// A job is cancelled through its own token (core::CancelScope), so one job stops, not the server.
// On start, jobs a previous run of this server left running are queued again.
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
    std::filesystem::path work_dir;  // job folders live here while they run
    std::string worker_name = "embedded";
};

class JobRunner {
  public:
    JobRunner(catalog::Catalog& catalog, storage::ObjectStore& store, JobRunnerConfig config);
    ~JobRunner();  // stop()
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    void start();  // re-queues this worker's interrupted jobs, starts the threads
    // Stops claiming, interrupts running jobs and puts them back in the queue (a restart resumes
    // them), joins the threads.
    void stop();
    void wake();  // a job was queued
    // Cancels a job running here (the catalog records the request for other workers).
    void cancel(std::int64_t job_id);

  private:
    void loop();
    void execute(const catalog::Job& job);

    catalog::Catalog& catalog_;
    storage::ObjectStore& store_;
    JobRunnerConfig config_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::int64_t, std::shared_ptr<std::atomic<bool>>> running_;  // job id -> its cancel token
    std::vector<std::thread> threads_;
};

}  // namespace vidseg::platform

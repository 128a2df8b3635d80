// `vidseg worker`: a process that only runs jobs (no HTTP). It claims jobs from the shared catalog
// (PostgreSQL) with leases, reads the inputs from and writes the results to the shared object store
// (S3, or a folder every machine mounts), and on SIGINT/SIGTERM interrupts its running jobs and puts
// them back in the queue before it exits, so another worker (or itself, restarted) runs them again.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

struct WorkerConfig {
    std::string db;                  // postgresql://... (the server's --db)
    storage::StoreConfig store;      // the server's --storage and S3 settings
    int concurrency = 1;             // jobs run at once
    std::filesystem::path work_dir;  // empty = a private folder in the system's temp dir, removed at exit
    std::string name;                // empty = worker@<host>:<pid>
    int lease_seconds = 30;
};

// Runs until the process is asked to stop (vidseg::cancel_requested()). on_started(name, store
// description) is called once the catalog and the store are open and the workers run.
void run_worker(const WorkerConfig& config,
                const std::function<void(const std::string&, const std::string&)>& on_started);

}  // namespace vidseg::platform

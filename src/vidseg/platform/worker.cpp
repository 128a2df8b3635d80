#include "vidseg/platform/worker.hpp"

#include <unistd.h>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/stop_request.hpp"
#include "vidseg/platform/job_runner.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {
// The worker's private work folder when none is given, removed when the worker ends.
struct OwnedWorkDir {
    fs::path path;
    bool owned = false;
    ~OwnedWorkDir() {
        std::error_code ec;
        if (owned) fs::remove_all(path, ec);
    }
};
}  // namespace

void run_worker(const WorkerConfig& config,
                const std::function<void(const std::string&, const std::string&)>& on_started) {
    if (!catalog::is_postgres_url(config.db))
        throw Error(ErrorCode::InvalidArgument,
                    "a worker needs the shared catalog: --db postgresql://USER@HOST/DB (the server's --db)");
    if (config.store.location.empty())
        throw Error(ErrorCode::InvalidArgument,
                    "a worker needs the shared storage: --storage s3://BUCKET/PREFIX or a shared folder");
    auto catalog = catalog::open_postgres_catalog(config.db);
    auto store = storage::open_store(config.store);

    OwnedWorkDir work{config.work_dir};
    if (work.path.empty()) {
        work.path = fs::temp_directory_path() / ("vidseg-worker-" + std::to_string(getpid()));
        work.owned = true;
    }
    JobRunnerConfig runner_config;
    runner_config.workers = config.concurrency;
    runner_config.work_dir = work.path;
    runner_config.worker_name = config.name.empty() ? unique_worker_name("worker") : config.name;
    runner_config.lease_seconds = config.lease_seconds;
    runner_config.requeue_own_on_start = false;  // other processes may share a name given by hand
    JobRunner runner(*catalog, *store, runner_config);
    runner.start();
    if (on_started) on_started(runner_config.worker_name, store->describe());
    StopRequestWait().wait();  // until SIGINT/SIGTERM, without periodic wake-ups
    runner.stop();  // interrupts the running jobs; each is released back to the queue
}

}  // namespace vidseg::platform

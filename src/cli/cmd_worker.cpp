#include <cstdio>

#include "command.hpp"
#include "platform_options.hpp"
#include "vidseg/platform/worker.hpp"

namespace vidseg::cli {

namespace {

int run_worker(const ParsedOptions& options, Context& context) {
    platform::WorkerConfig config;
    config.db = options.str("db");
    config.store = store_config(options);
    config.concurrency = static_cast<int>(options.integer("concurrency"));
    config.lease_seconds = static_cast<int>(options.integer("lease"));
    config.name = options.str("name");
    if (options.has("work-dir")) config.work_dir = options.str("work-dir");
    platform::run_worker(config, [&](const std::string& name, const std::string& store) {
        std::printf("vidseg worker %s: running up to %d jobs at once (storage %s)\n", name.c_str(),
                    config.concurrency, store.c_str());
        std::fflush(stdout);
    });
    context.info("vidseg worker: stopped (its running jobs were queued again)");
    return 0;
}

}  // namespace

Command worker_command() {
    CommandSpec spec{
        .name = "worker",
        .summary = "Run platform jobs from a shared PostgreSQL catalog (no HTTP): scale `vidseg serve` out.",
        .description =
            "Claims queued jobs (prepare, arrival of uploads, ...) from the catalog that `vidseg serve --db` "
            "uses,\n"
            "runs them, reads the videos from and writes the results to the same storage as the server.\n"
            "Any number of workers on any machines share the queue: a job is claimed by one worker only\n"
            "(SELECT ... FOR UPDATE SKIP LOCKED) and held by a lease the worker renews while it runs. If a\n"
            "worker dies, its job is queued again once the lease expires and another worker runs it again.\n"
            "SIGINT/SIGTERM: the running jobs are interrupted and queued again, then the worker exits 0.\n"
            "Every option can also come from the environment variable named after it (VIDSEG_DB, ...).",
        .positionals = {},
        .options =
            {
                db_option("The shared catalog: the same URL as the server's --db (required; the "
                          "password may come from PGPASSWORD or ~/.pgpass)."),
                {.name = "concurrency",
                 .short_name = 'j',
                 .type = OptionType::Int,
                 .default_value = "1",
                 .help = "Jobs this worker runs at once.",
                 .min = 1,
                 .max = 64},
                {.name = "lease",
                 .type = OptionType::Int,
                 .default_value = "30",
                 .help = "Seconds a claimed job stays this worker's without a heartbeat (renewed every "
                         "third of it); after that another worker may run it again. Keep the machines' "
                         "clocks in sync (NTP).",
                 .metavar = "SECONDS",
                 .min = 3,
                 .max = 3600},
                {.name = "name",
                 .type = OptionType::String,
                 .help = "Worker name in the catalog and job logs (default worker@HOST:PID; must differ "
                         "between workers).",
                 .metavar = "NAME"},
                {.name = "work-dir",
                 .type = OptionType::Path,
                 .help = "Folder for the running jobs' files (default: a private folder in the temp "
                         "dir, removed at exit).",
                 .metavar = "DIR"},
            },
        .examples =
            "  vidseg worker --db postgresql://vidseg@db.local/vidseg --storage s3://lessons/vidseg \\\n"
            "                --s3-endpoint http://minio.local:9000 --concurrency 2\n"
            "  VIDSEG_DB=postgresql://vidseg@db.local/vidseg VIDSEG_STORAGE=/mnt/shared/store vidseg worker",
        .env_prefix = "VIDSEG_",
    };
    const auto storage = storage_options(
        "The shared object store (required): s3://BUCKET/PREFIX (see the S3 options) or a folder "
        "every machine mounts.");
    spec.options.insert(spec.options.begin() + 1, storage.begin(), storage.end());
    return {spec, run_worker};
}

}  // namespace vidseg::cli

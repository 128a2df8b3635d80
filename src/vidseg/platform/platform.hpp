// The PPI platform as a library: everything `vidseg serve` does, without HTTP. It owns the catalog,
// the object store, accounts, uploads and the job workers, and applies the access rules: an admin
// sees everything, a dl-user only its own videos and jobs — another user's id answers 404, exactly
// as an id that does not exist.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/platform/accounts.hpp"
#include "vidseg/platform/job_runner.hpp"
#include "vidseg/platform/uploads.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

struct PlatformConfig {
    std::filesystem::path data_dir;  // catalog.sqlite, store/ (local storage), uploads/, work/
    std::string db;                  // postgresql://... (shared catalog); empty = DIR/catalog.sqlite
    storage::StoreConfig store;      // location empty = DIR/store
    std::uint64_t max_upload = 2ull << 30;
    int workers = 1;  // in-process job workers (0 = none: a separate worker runs jobs)
    // A dl-user's queued + running jobs ("active projects") at most; 0 = no limit. Admins have none.
    std::size_t max_active_jobs = 0;
    // Unfinished tus uploads untouched for this long are removed (staged bytes and catalog entry).
    std::chrono::seconds abandoned_upload_age{24 * 3600};
};

struct DownloadTarget {
    catalog::JobFile file;
    std::optional<std::string> presigned_url;  // set when the store hands out URLs itself
};

class Platform {
  public:
    explicit Platform(PlatformConfig config);  // opens (creates) everything; workers not started yet
    ~Platform();

    void start_workers();
    void stop_workers();
    // A background thread that removes abandoned uploads (older than abandoned_upload_age), first at
    // once, then every age / 4 (between 1 s and 10 min). Stopped by the destructor.
    void start_housekeeping();

    catalog::Catalog& catalog() { return *catalog_; }
    storage::ObjectStore& store() { return *store_; }
    Accounts& accounts() { return *accounts_; }
    Uploads& uploads() { return *uploads_; }
    const PlatformConfig& config() const { return config_; }

    std::vector<catalog::Video> videos(const Principal& caller);
    catalog::Video video(const Principal& caller, std::int64_t id);
    // Removes the video, its jobs and every object they made.
    void delete_video(const Principal& caller, std::int64_t id, const std::string& ip);

    // kind + video_ids + options (exactly the CLI command's options) + inputs (data: dataset build's
    // export and review decisions). Throws InvalidArgument; ApiError 429 over max_active_jobs.
    catalog::Job submit_job(const Principal& caller, const std::string& kind,
                            const std::vector<std::int64_t>& video_ids, const nlohmann::json& options,
                            const nlohmann::json& inputs, const std::string& ip);
    std::vector<catalog::Job> jobs(const Principal& caller);
    catalog::Job job(const Principal& caller, std::int64_t id);
    catalog::Job cancel_job(const Principal& caller, std::int64_t id, const std::string& ip);
    catalog::Job retry_job(const Principal& caller, std::int64_t id,
                           const std::string& ip);  // 409 unless ended
    std::vector<catalog::JobFile> job_files(const Principal& caller, std::int64_t id);
    DownloadTarget job_file(const Principal& caller, std::int64_t id, const std::string& name);
    std::vector<catalog::JobLogLine> job_log(const Principal& caller, std::int64_t id);

  private:
    catalog::Job enqueue(const catalog::Job& job);

    PlatformConfig config_;
    std::unique_ptr<catalog::Catalog> catalog_;
    std::unique_ptr<storage::ObjectStore> store_;
    std::unique_ptr<Accounts> accounts_;
    std::unique_ptr<Uploads> uploads_;
    std::unique_ptr<JobRunner> runner_;
    std::mutex housekeeping_mutex_;
    std::condition_variable housekeeping_wake_;
    bool housekeeping_stop_ = false;
    std::thread housekeeping_;
};

// JSON forms shared by the API and the CLI (no secrets: no hashes).
nlohmann::json to_json(const catalog::User& user);
nlohmann::json to_json(const catalog::Video& video);
nlohmann::json to_json(const catalog::Job& job);
nlohmann::json to_json(const catalog::ApiToken& token);
nlohmann::json to_json(const catalog::AuditEntry& entry);

}  // namespace vidseg::platform

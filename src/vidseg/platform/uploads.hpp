// Resumable uploads (tus 1.0 core + creation + termination + checksum) without HTTP types: the
// route parses headers (tus_headers.hpp) and hands the body over as a reader.
//
// The bytes of an unfinished upload wait in a staging folder of the server (DIR/uploads/<id>.part,
// its offset in the catalog), so a client killed mid-upload — or a restarted server — resumes with
// HEAD + PATCH, memory stays constant, and nothing reaches the store before the whole file is there
// and probing found a video the engine reads. Then it goes to <user>/task_YYYYMMDD/<safe name>.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "vidseg/catalog/catalog.hpp"
#include "vidseg/platform/accounts.hpp"
#include "vidseg/platform/tus_headers.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::platform {

struct UploadsConfig {
    std::filesystem::path staging_dir;
    std::uint64_t max_size = 2ull << 30;  // Tus-Max-Size; a larger Upload-Length answers 413
};

// Calls sink(data, size) for each piece of the request body as it arrives; sink returns false to
// stop. Returns false when the body ended early (client gone, timeout).
using BodyReader = std::function<bool(const std::function<bool(const char*, std::size_t)>& sink)>;

struct AppendResult {
    std::uint64_t offset = 0;
    std::optional<catalog::Video> video;  // set when this request completed the upload
};

class Uploads {
  public:
    // on_video runs once a completed upload became a video (audit, arrival job).
    Uploads(catalog::Catalog& catalog, storage::ObjectStore& store, UploadsConfig config,
            std::function<void(const Principal&, const catalog::Video&, const std::string& ip)> on_video);

    const UploadsConfig& config() const { return config_; }

    // ApiError 413 when length > max_size, 400 for a missing "filename"-less name... (any name works:
    // it becomes the last part of the video's key through core/safe_path).
    catalog::Upload create(const Principal& owner, std::uint64_t length,
                           const std::map<std::string, std::string>& metadata);
    // ApiError 404 when unknown or not the caller's (admins see all).
    catalog::Upload find(const Principal& caller, const std::string& id);
    // Appends the body at `offset` (409 when it is not the upload's offset, 423 while another request
    // writes to it, 460 when the checksum of this request's bytes does not match: they are dropped).
    // A body that stops early keeps what arrived (without a checksum). Completing the upload checks
    // and stores the file (ApiError 422 "not_a_video" and nothing kept when probing refuses it).
    AppendResult append(const Principal& caller, const std::string& id, std::uint64_t offset,
                        const std::optional<UploadChecksum>& checksum, const BodyReader& body,
                        const std::string& ip);
    void terminate(const Principal& caller, const std::string& id);
    // Removes the unfinished uploads no byte reached for `age` (staged file and catalog entry; the
    // staged file's modification time is the last write); how many. Uploads being written stay.
    std::size_t remove_abandoned(std::chrono::seconds age);

  private:
    catalog::Video finish(const Principal& caller, const catalog::Upload& upload, const std::string& ip);
    std::filesystem::path staging_file(const std::string& id) const;

    catalog::Catalog& catalog_;
    storage::ObjectStore& store_;
    UploadsConfig config_;
    std::function<void(const Principal&, const catalog::Video&, const std::string&)> on_video_;
    std::mutex finish_mutex_;  // choosing a free key and reserving it in the catalog
    std::mutex busy_mutex_;
    std::set<std::string> busy_;  // uploads a request is writing to
};

// "anna/task_20261207/lesson_1.mp4": the key a video of `user` named `file_name` gets on `unix_time`.
std::string video_key(const std::string& user, const std::string& file_name, std::int64_t unix_time);
// The key without its extension ("anna/task_20261207/lesson"): outputs beside the video are named after it.
std::string key_stem(const std::string& key);

}  // namespace vidseg::platform

// The local-folder backend of ObjectStore (the embedded default of `vidseg serve --data DIR`): an
// object is the file <root>/<key>; its metadata lives in a sidecar "<key>.vidseg-meta.json" beside
// it. Writes stream into a temp file beside the target ("<key>.vidseg-tmp-XXXXXX") that commit()
// fsyncs and renames into place, so readers never see half an object. list() skips both kinds of
// bookkeeping file, and keys that would collide with them are refused (InvalidArgument).
#pragma once

#include <filesystem>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

class LocalStore final : public ObjectStore {
public:
    static constexpr const char* kMetaSuffix = ".vidseg-meta.json";

    // Creates the root folder when missing; Error(OutputError) when it cannot.
    explicit LocalStore(const std::filesystem::path& root);

    std::string describe() const override;
    std::unique_ptr<ObjectWriter> create(const std::string& key, const Metadata& metadata = {}) override;
    ObjectInfo put_file(const std::string& key, const std::filesystem::path& file,
                        const Metadata& metadata = {}) override;
    void read(const std::string& key, const std::function<void(const char*, std::size_t)>& sink,
              std::uint64_t offset = 0, std::uint64_t length = 0) override;
    void get_file(const std::string& key, const std::filesystem::path& file) override;
    std::optional<ObjectInfo> stat(const std::string& key) override;
    std::vector<ObjectInfo> list(const std::string& prefix) override;
    void remove(const std::string& key) override;
    // A hard link (objects are never changed in place: a write replaces the file), else a file copy;
    // placed under `to` atomically (a temp name, then rename).
    ObjectInfo copy(const std::string& from, const std::string& to, const Metadata& metadata = {}) override;
    std::optional<std::string> presigned_get_url(const std::string& key,
                                                 std::chrono::seconds expiry) override;

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path path_of(const std::string& key) const;  // checks the key

    std::filesystem::path root_;
};

// Removes what writes into a local store left when their process was killed mid-write: temp files of
// the store's own naming ("<key>.vidseg-tmp-XXXXXX", AtomicFile::is_temp_name) anywhere under `root`.
// Returns how many. Only for a caller that knows no other writer is using the folder (a publication
// holding FolderTargetLock): the temp file of a live write would go too.
std::size_t remove_stale_temp_files(const std::filesystem::path& root);

}  // namespace vidseg::storage

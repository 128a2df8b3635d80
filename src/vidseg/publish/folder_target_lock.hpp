// One publication at a time into a folder target: an exclusive flock() on the target folder itself
// (nothing is added to the published folder). Holding it, the publication knows that no other writer
// uses the folder, so temp files found there are leftovers of a publication killed mid-write and are
// removed (storage::remove_stale_temp_files) before anything else happens.
#pragma once

#include <filesystem>

namespace vidseg::publish {

class FolderTargetLock {
  public:
    // Throws Error(OutputError) naming the folder when another publication holds it or it cannot be opened.
    explicit FolderTargetLock(const std::filesystem::path& folder);
    ~FolderTargetLock();
    FolderTargetLock(const FolderTargetLock&) = delete;
    FolderTargetLock& operator=(const FolderTargetLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace vidseg::publish

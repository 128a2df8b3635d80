// Output directories that appear whole or not at all. Work is written into a hidden sibling
// temp dir (same filesystem, so the final rename is atomic); commit() swaps it into place.
// If the object dies without commit() (error, Ctrl-C), the temp dir is removed and any previous
// output at the destination is left untouched.
#pragma once

#include <filesystem>

namespace vidseg {

class AtomicOutputDir {
public:
    explicit AtomicOutputDir(std::filesystem::path destination);
    ~AtomicOutputDir();
    AtomicOutputDir(const AtomicOutputDir&) = delete;
    AtomicOutputDir& operator=(const AtomicOutputDir&) = delete;

    // Where to write while working.
    const std::filesystem::path& staging() const noexcept { return staging_; }
    const std::filesystem::path& destination() const noexcept { return destination_; }

    // Replaces the destination with the staged content. Throws OutputError on failure.
    void commit();

private:
    std::filesystem::path destination_;
    std::filesystem::path staging_;
    bool committed_ = false;
};

// Writes a file atomically (temp file in the same dir + rename).
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

// Removes leftovers of interrupted runs (".<name>.vidseg-tmp-*" siblings of destination).
void remove_stale_staging(const std::filesystem::path& destination);

}  // namespace vidseg

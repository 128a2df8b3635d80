// A file that appears under its final name only when complete: bytes go to a temp file beside the
// target (same folder, so rename() is atomic), commit() fsyncs it, renames it over the target and
// fsyncs the folder; destroying an uncommitted AtomicFile removes the temp file. Used by the local
// store's writers and by get_file() of every backend.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace vidseg::storage {

class AtomicFile {
public:
    // Marks the temp files so that a folder listing can skip them: "<name>.vidseg-tmp-XXXXXX".
    static constexpr const char* kTempMarker = ".vidseg-tmp-";
    // Whether a file name is one of these temp names: "<name>" + kTempMarker + letters and digits
    // (mkostemp's XXXXXX, or the digits of LocalStore::copy's temp link).
    static bool is_temp_name(std::string_view file_name);

    // Creates the target's folder when missing and the temp file. Throws Error(OutputError) naming
    // the target when either cannot be made.
    explicit AtomicFile(std::filesystem::path target);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const char* data, std::size_t size);  // Error(OutputError) on a short write (disk full)
    void commit();                                   // fsync + rename + fsync of the folder
    void abort() noexcept;                           // removes the temp file; idempotent

    const std::filesystem::path& target() const { return target_; }
    std::uint64_t size() const { return size_; }

private:
    std::filesystem::path target_;
    std::string temp_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// fsync() of a folder, so that a rename or unlink inside it survives a crash (best effort).
void sync_directory(const std::filesystem::path& dir) noexcept;

}  // namespace vidseg::storage

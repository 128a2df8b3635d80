// An anonymous temporary file for values that wait on disk instead of in memory (e.g. the per-frame
// spectra of a 3-hour audio track until its global maxima are known): made in the temp directory
// ($TMPDIR, else /tmp) and unlinked at once, so nothing is left behind whatever happens to the process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vidseg {

class SpillFile {
public:
    // Throws Error(OutputError) naming the temp directory when no file can be made there.
    SpillFile();
    ~SpillFile();
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;

    // Appends `bytes` bytes; returns their offset. Throws Error(OutputError) when the disk is full.
    std::uint64_t append(const void* data, std::size_t bytes);
    // Reads back `bytes` bytes written at `offset`.
    void read(std::uint64_t offset, void* data, std::size_t bytes) const;

private:
    int fd_ = -1;
    std::string dir_;
    std::uint64_t size_ = 0;
};

}  // namespace vidseg

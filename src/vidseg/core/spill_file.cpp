#include "vidseg/core/spill_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "vidseg/core/error.hpp"

namespace vidseg {

namespace {

std::string temp_dir() {
    std::error_code ec;
    const auto dir = std::filesystem::temp_directory_path(ec);
    return ec ? std::string("/tmp") : dir.string();
}

}  // namespace

SpillFile::SpillFile() : dir_(temp_dir()) {
    std::string name = dir_ + "/vidseg-spill-XXXXXX";
    std::vector<char> buf(name.begin(), name.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ < 0)
        throw Error(ErrorCode::OutputError,
                    std::string("cannot make a temporary file (set TMPDIR to a writable folder): ") +
                        std::strerror(errno),
                    dir_);
    ::unlink(buf.data());
}

SpillFile::~SpillFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t SpillFile::append(const void* data, std::size_t bytes) {
    const std::uint64_t at = size_;
    const auto* p = static_cast<const char*>(data);
    for (std::size_t done = 0; done < bytes;) {
        const ssize_t n = ::pwrite(fd_, p + done, bytes - done, static_cast<off_t>(at + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(ErrorCode::OutputError,
                        std::string("cannot write a temporary file (disk full? set TMPDIR to a folder with room): ") +
                            std::strerror(n < 0 ? errno : ENOSPC),
                        dir_);
        done += static_cast<std::size_t>(n);
    }
    size_ += bytes;
    return at;
}

void SpillFile::read(std::uint64_t offset, void* data, std::size_t bytes) const {
    auto* p = static_cast<char*>(data);
    for (std::size_t done = 0; done < bytes;) {
        const ssize_t n = ::pread(fd_, p + done, bytes - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            throw Error(ErrorCode::Internal,
                        std::string("cannot read back a temporary file: ") + (n < 0 ? std::strerror(errno) : "short read"),
                        dir_);
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace vidseg

#include "vidseg/storage/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg::storage {

namespace {

[[noreturn]] void fail(const fs::path& target, const std::string& what, int err) {
    throw Error(ErrorCode::OutputError, what + ": " + std::strerror(err), target.string());
}

}  // namespace

bool AtomicFile::is_temp_name(std::string_view file_name) {
    const auto marker = file_name.rfind(kTempMarker);
    if (marker == std::string_view::npos || marker == 0) return false;
    const auto tail = file_name.substr(marker + std::string_view(kTempMarker).size());
    return !tail.empty() && std::all_of(tail.begin(), tail.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
    // A concurrent remove() may prune the (empty) folder between its creation and mkstemp: retry.
    for (int attempt = 0; attempt < 5 && fd_ < 0; ++attempt) {
        std::error_code ec;
        fs::create_directories(target_.parent_path(), ec);
        if (ec && !fs::is_directory(target_.parent_path())) {
            throw Error(ErrorCode::OutputError,
                        "cannot create the folder " + target_.parent_path().string() + ": " + ec.message(),
                        target_.string());
        }
        temp_ = target_.string() + kTempMarker + "XXXXXX";
        fd_ = ::mkostemp(temp_.data(), O_CLOEXEC);
        if (fd_ < 0 && errno != ENOENT) fail(target_, "cannot create a temporary file", errno);
    }
    if (fd_ < 0) fail(target_, "cannot create a temporary file", errno);
}

AtomicFile::~AtomicFile() {
    abort();
}

void AtomicFile::write(const char* data, std::size_t size) {
    if (fd_ < 0) throw Error(ErrorCode::Internal, "write after commit or abort", target_.string());
    while (size > 0) {
        const ssize_t n = ::write(fd_, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            abort();
            fail(target_, "cannot write", err);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
        size_ += static_cast<std::uint64_t>(n);
    }
}

void AtomicFile::commit() {
    if (fd_ < 0) throw Error(ErrorCode::Internal, "commit after commit or abort", target_.string());
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
        const int err = errno;
        fd_ = -1;
        ::unlink(temp_.c_str());
        fail(target_, "cannot write", err);
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp_.c_str());
        fail(target_, "cannot rename the finished file into place", err);
    }
    temp_.clear();
    sync_directory(target_.parent_path());
}

void AtomicFile::abort() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!temp_.empty()) {
        ::unlink(temp_.c_str());
        temp_.clear();
    }
}

void sync_directory(const fs::path& dir) noexcept {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace vidseg::storage

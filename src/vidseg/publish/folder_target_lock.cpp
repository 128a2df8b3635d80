#include "vidseg/publish/folder_target_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::publish {

FolderTargetLock::FolderTargetLock(const std::filesystem::path& folder) {
    fd_ = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0)
        throw Error(ErrorCode::OutputError,
                    std::string("cannot open the target folder: ") + std::strerror(errno), folder.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error(ErrorCode::OutputError,
                    err == EWOULDBLOCK ? "another publication into this folder is running"
                                       : std::string("cannot lock the target folder: ") + std::strerror(err),
                    folder.string());
    }
}

FolderTargetLock::~FolderTargetLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace vidseg::publish

#include "vidseg/core/stop_request.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg {

StopRequestWait::StopRequestWait() : released_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (released_ < 0 || stop_request_event() < 0)
        throw Error(ErrorCode::Internal, std::string("eventfd: ") + std::strerror(errno));
}

StopRequestWait::~StopRequestWait() {
    ::close(released_);
}

bool StopRequestWait::wait() {
    for (;;) {
        if (stop_requested()) return true;
        pollfd fds[2] = {{stop_request_event(), POLLIN, 0}, {released_, POLLIN, 0}};
        const int r = ::poll(fds, 2, -1);  // no timeout: nothing to do until one of the two is written
        if (r < 0 && errno != EINTR)
            throw Error(ErrorCode::Internal, std::string("poll: ") + std::strerror(errno));
        if (stop_requested()) return true;
        if (r > 0 && (fds[1].revents & POLLIN)) return false;
    }
}

void StopRequestWait::release() noexcept {
    signal_event(released_);
}

}  // namespace vidseg

#include "vidseg/core/cancel.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "vidseg/core/error.hpp"
#include "vidseg/core/stop_request.hpp"

namespace vidseg {

namespace {
std::atomic<bool> g_cancel{false};
thread_local const std::atomic<bool>* t_token = nullptr;
// Readable once the stop was requested; never read, so it stays readable for every waiter.
const int g_stop_event = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

}  // namespace

void signal_event(int fd) noexcept {
    const int saved = errno;  // request_cancel() runs in signal handlers
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
    errno = saved;
}

void request_cancel() noexcept {
    g_cancel.store(true, std::memory_order_relaxed);
    if (g_stop_event >= 0) signal_event(g_stop_event);
}
bool cancel_requested() noexcept {
    return g_cancel.load(std::memory_order_relaxed) || (t_token && t_token->load(std::memory_order_relaxed));
}
void throw_if_cancelled() {
    if (cancel_requested()) throw Error(ErrorCode::Interrupted, "interrupted; partial output discarded");
}

const std::atomic<bool>* current_cancel_token() noexcept { return t_token; }

CancelScope::CancelScope(const std::atomic<bool>& token) noexcept : previous_(t_token) { t_token = &token; }
CancelScope::~CancelScope() { t_token = previous_; }

int stop_request_event() noexcept {
    return g_stop_event;
}
bool stop_requested() noexcept {
    return g_cancel.load(std::memory_order_relaxed);
}

}  // namespace vidseg

// Waiting for the process's stop request (request_cancel(), e.g. from SIGINT/SIGTERM) without periodic
// wake-ups: request_cancel() also writes to an eventfd (async-signal-safe) that StopRequestWait polls,
// so an idle server's stop watcher sleeps until a signal comes (it woke 5 times a second before).
#pragma once

namespace vidseg {

// The eventfd request_cancel() writes to: readable once the process's stop was requested (never read,
// so it stays readable for every waiter); -1 when none could be made.
int stop_request_event() noexcept;
// The process-wide flag only (not the calling thread's CancelScope token).
bool stop_requested() noexcept;
// Adds 1 to an eventfd; keeps errno (async-signal-safe).
void signal_event(int fd) noexcept;

class StopRequestWait {
  public:
    StopRequestWait();  // Throws Error(Internal) when no eventfd can be made
    ~StopRequestWait();
    StopRequestWait(const StopRequestWait&) = delete;
    StopRequestWait& operator=(const StopRequestWait&) = delete;

    // Blocks until the process's stop was requested (true) or release() was called (false).
    bool wait();
    // From another thread: wait() returns (false unless the stop was requested too).
    void release() noexcept;

  private:
    int released_ = -1;  // eventfd written by release()
};

}  // namespace vidseg

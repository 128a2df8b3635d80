// Cooperative cancellation: the CLI's SIGINT/SIGTERM handler sets the process-wide flag; long loops
// in the library call throw_if_cancelled() so that RAII cleans up partial outputs on the way out.
// A server runs many jobs in one process: each job thread installs its own token with a
// CancelScope, so cancelling one job stops only the code that runs on that job's thread.
#pragma once

#include <atomic>

namespace vidseg {

void request_cancel() noexcept;
// True when the process was asked to stop or the calling thread's CancelScope token is set.
bool cancel_requested() noexcept;
// Throws Error(Interrupted) if cancellation was requested.
void throw_if_cancelled();

// The token of the calling thread's innermost CancelScope, or nullptr (handed on to worker threads).
const std::atomic<bool>* current_cancel_token() noexcept;

// While alive, cancel_requested() on this thread also answers true once `token` is set.
class CancelScope {
public:
    explicit CancelScope(const std::atomic<bool>& token) noexcept;
    ~CancelScope();
    CancelScope(const CancelScope&) = delete;
    CancelScope& operator=(const CancelScope&) = delete;

private:
    const std::atomic<bool>* previous_;
};

}  // namespace vidseg

// Cooperative cancellation: the CLI's SIGINT/SIGTERM handler sets the flag; long loops in the
// library call throw_if_cancelled() so that RAII cleans up partial outputs on the way out.
#pragma once

namespace vidseg {

void request_cancel() noexcept;
bool cancel_requested() noexcept;
// Throws Error(Interrupted) if cancellation was requested.
void throw_if_cancelled();

}  // namespace vidseg

#include "vidseg/core/cancel.hpp"

#include <atomic>

#include "vidseg/core/error.hpp"

namespace vidseg {

namespace {
std::atomic<bool> g_cancel{false};
}

void request_cancel() noexcept { g_cancel.store(true, std::memory_order_relaxed); }
bool cancel_requested() noexcept { return g_cancel.load(std::memory_order_relaxed); }
void throw_if_cancelled() {
    if (cancel_requested()) throw Error(ErrorCode::Interrupted, "interrupted; partial output discarded");
}

}  // namespace vidseg

#include "vidseg/core/cancel.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg {

namespace {
std::atomic<bool> g_cancel{false};
thread_local const std::atomic<bool>* t_token = nullptr;
}  // namespace

void request_cancel() noexcept { g_cancel.store(true, std::memory_order_relaxed); }
bool cancel_requested() noexcept {
    return g_cancel.load(std::memory_order_relaxed) || (t_token && t_token->load(std::memory_order_relaxed));
}
void throw_if_cancelled() {
    if (cancel_requested()) throw Error(ErrorCode::Interrupted, "interrupted; partial output discarded");
}

const std::atomic<bool>* current_cancel_token() noexcept { return t_token; }

CancelScope::CancelScope(const std::atomic<bool>& token) noexcept : previous_(t_token) { t_token = &token; }
CancelScope::~CancelScope() { t_token = previous_; }

}  // namespace vidseg

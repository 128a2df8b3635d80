// Refusals of the platform that have no engine error code (not logged in, not allowed, too large,
// busy, ...): an Error that also carries the HTTP status and a stable machine code, so that the
// HTTP layer answers {"error": {"code", "message"}} without deciding anything itself.
#pragma once

#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

class ApiError : public Error {
  public:
    ApiError(int status, std::string code, std::string message)
        : Error(ErrorCode::InvalidArgument, std::move(message)), status_(status), code_(std::move(code)) {}
    int status() const noexcept { return status_; }
    const std::string& api_code() const noexcept { return code_; }

  private:
    int status_;
    std::string code_;
};

inline ApiError not_found(const std::string& what) {
    return ApiError(404, "not_found", what + " not found");
}
inline ApiError forbidden(const std::string& why) {
    return ApiError(403, "forbidden", why);
}
inline ApiError unauthorized(const std::string& why) {
    return ApiError(401, "unauthorized", why);
}

}  // namespace vidseg::platform

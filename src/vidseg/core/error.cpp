#include "vidseg/core/error.hpp"

namespace vidseg {

namespace {
std::string compose(const std::string& subject, const std::string& message) {
    return subject.empty() ? message : subject + ": " + message;
}
}  // namespace

Error::Error(ErrorCode code, std::string message, std::string subject)
    : std::runtime_error(compose(subject, message)),
      code_(code),
      subject_(std::move(subject)),
      cause_(std::move(message)) {}

int exit_code_for(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidArgument: return 2;
        case ErrorCode::InputNotFound: return 3;
        case ErrorCode::InvalidMedia: return 4;
        case ErrorCode::Unsupported: return 5;
        case ErrorCode::OutputError: return 6;
        case ErrorCode::InvalidData: return 7;
        case ErrorCode::Interrupted: return 130;
        case ErrorCode::Internal: return 70;
    }
    return 1;
}

const char* error_code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::InvalidArgument: return "invalid_argument";
        case ErrorCode::InputNotFound: return "input_not_found";
        case ErrorCode::InvalidMedia: return "invalid_media";
        case ErrorCode::Unsupported: return "unsupported";
        case ErrorCode::OutputError: return "output_error";
        case ErrorCode::InvalidData: return "invalid_data";
        case ErrorCode::Interrupted: return "interrupted";
        case ErrorCode::Internal: return "internal";
    }
    return "unknown";
}

}  // namespace vidseg

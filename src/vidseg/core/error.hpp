// Typed errors used everywhere inside libvidseg. Front ends translate them at the edge:
// the CLI maps ErrorCode to its documented exit code, a server would map it to an HTTP status.
#pragma once

#include <stdexcept>
#include <string>

namespace vidseg {

enum class ErrorCode {
    InvalidArgument,  // bad option value, bad request (exit 2)
    InputNotFound,    // a named input file does not exist (exit 3)
    InvalidMedia,     // not media, corrupt, truncated, zero duration, missing stream (exit 4)
    Unsupported,      // valid input we cannot handle (codec without encoder, ...) (exit 5)
    OutputError,      // cannot write outputs: permissions, disk full (exit 6)
    InvalidData,      // malformed JSON / CSV / XLSX / labels (exit 7)
    Interrupted,      // SIGINT / SIGTERM during work (exit 130)
    Internal,         // a bug or an unexpected library failure (exit 70)
};

// Process exit code for an error code; the table is documented in README.md.
int exit_code_for(ErrorCode code) noexcept;
const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, std::string message, std::string subject = {});

    ErrorCode code() const noexcept { return code_; }
    // The file (or item) the error is about; empty when not tied to one.
    const std::string& subject() const noexcept { return subject_; }
    // The cause without the subject prefix.
    const std::string& cause() const noexcept { return cause_; }

private:
    ErrorCode code_;
    std::string subject_;
    std::string cause_;
};

}  // namespace vidseg

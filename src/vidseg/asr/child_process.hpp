// A child process spawned with posix_spawn whose stdin/stdout are one end of a socket pair (so
// that writing to a dead child fails with EPIPE instead of killing us with SIGPIPE) and whose
// stderr goes to an unlinked temp file, read back for error messages. Used for the long-lived
// faster-whisper worker (line protocol) and by tests to run real peers (servers) on loopback.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace vidseg::asr {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

class ChildProcess {
public:
    enum class Stdout { Pipe, ToLog };  // Pipe: read_line() reads it; ToLog: joins stderr in the log file

    // Starts argv[0] (looked up in PATH when it has no '/') with `env` added to our environment
    // ("NAME=value"). Throws Error(Unsupported) naming the program when it cannot be executed.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                 Stdout out = Stdout::Pipe);
    ~ChildProcess();  // terminates the child (SIGTERM, SIGKILL after 3 s) and reaps it
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    // Writes text + "\n" to the child's stdin. Returns false when the child is gone (EPIPE).
    bool write_line(const std::string& text);
    // Next line of the child's stdout without "\n": nullopt on end of file (the child closed it or
    // died). Throws Error(Internal) after timeout_seconds without a complete line, Error(Interrupted)
    // once cancel_requested() (checked 4 times a second while waiting).
    std::optional<std::string> read_line(double timeout_seconds);
    // True while the child has not exited (reaps it when it has).
    bool running();
    // Closes stdin and waits up to timeout_seconds for a clean exit, then kills. Returns the exit
    // status as a text ("exit code 2", "killed by signal 9").
    std::string finish(double timeout_seconds);
    // Last max_bytes of what the child wrote to stderr (and stdout with Stdout::ToLog).
    std::string log_tail(size_t max_bytes = 2000) const;
    // Exit description once reaped ("" while running).
    const std::string& exit_status() const noexcept { return exit_status_; }

private:
    void reap(bool block);
    pid_t pid_ = -1;
    UniqueFd io_;   // our end of the socket pair (child's stdin + stdout)
    UniqueFd log_;  // the unlinked stderr file
    std::string buffer_;
    std::string exit_status_;
};

}  // namespace vidseg::asr

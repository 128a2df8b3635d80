#include "vidseg/asr/child_process.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"

extern char** environ;

namespace vidseg::asr {

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

namespace {

// posix_spawn_file_actions_t with its destroy call.
class FileActions {
public:
    FileActions() { posix_spawn_file_actions_init(&actions_); }
    ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, Stdout out) {
    if (argv.empty()) throw Error(ErrorCode::InvalidArgument, "no program to start");
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        throw Error(ErrorCode::Internal, std::string("socketpair: ") + std::strerror(errno));
    io_.reset(pair[0]);
    UniqueFd child_end(pair[1]);

    // stderr (and stdout in ToLog mode) go to an anonymous file: no pipe to drain, readable afterwards.
    const char* tmp = std::getenv("TMPDIR");
    std::string log_template = std::string(tmp && *tmp ? tmp : "/tmp") + "/vidseg-child-XXXXXX";
    const int log_fd = ::mkostemp(log_template.data(), O_CLOEXEC);
    if (log_fd < 0) throw Error(ErrorCode::OutputError, std::string("cannot create a log file: ") + std::strerror(errno));
    log_.reset(log_fd);
    ::unlink(log_template.c_str());

    FileActions actions;
    posix_spawn_file_actions_adddup2(actions.get(), child_end.get(), 0);
    posix_spawn_file_actions_adddup2(actions.get(), out == Stdout::Pipe ? child_end.get() : log_.get(), 1);
    posix_spawn_file_actions_adddup2(actions.get(), log_.get(), 2);

    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& o : env) overridden |= o.compare(0, name.size() + 1, name + "=") == 0;
        if (!overridden) env_strings.push_back(entry);
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    const int rc = ::posix_spawnp(&pid_, args[0], actions.get(), nullptr, args.data(), envp.data());
    if (rc != 0) {
        pid_ = -1;
        throw Error(ErrorCode::Unsupported, std::string("cannot start: ") + std::strerror(rc), argv[0]);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    io_.reset();
    if (running()) {
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 300 && running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (running()) {
            ::kill(pid_, SIGKILL);
            reap(true);
        }
    }
}

void ChildProcess::reap(bool block) {
    if (pid_ <= 0 || !exit_status_.empty()) return;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) exit_status_ = describe_status(status);
    else if (r < 0 && errno == ECHILD) exit_status_ = "exited";
}

bool ChildProcess::running() {
    reap(false);
    return exit_status_.empty();
}

bool ChildProcess::write_line(const std::string& text) {
    if (!io_) return false;
    const std::string line = text + "\n";
    size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::send(io_.get(), line.data() + done, line.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;  // EPIPE / ECONNRESET: the child is gone
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

std::optional<std::string> ChildProcess::read_line(double timeout_seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    for (;;) {
        if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        if (!io_) return std::nullopt;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw Error(ErrorCode::Internal,
                        "no answer from the child process within " + std::to_string(static_cast<int>(timeout_seconds)) + " s");
        // A cancelled job (its thread's CancelScope) or the process's stop ends the wait within 0.25 s:
        // a whole transcription is one request to the worker.
        throw_if_cancelled();
        pollfd p{io_.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 250)));
        if (r < 0 && errno != EINTR) throw Error(ErrorCode::Internal, std::string("poll: ") + std::strerror(errno));
        if (r <= 0) continue;
        char chunk[65536];
        const ssize_t n = ::recv(io_.get(), chunk, sizeof chunk, 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            io_.reset();  // ECONNRESET: the child is gone
            return std::nullopt;
        }
        if (n == 0) {
            io_.reset();
            return std::nullopt;
        }
        buffer_.append(chunk, static_cast<size_t>(n));
    }
}

std::string ChildProcess::finish(double timeout_seconds) {
    if (io_) ::shutdown(io_.get(), SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
    while (running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (running()) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    io_.reset();
    return exit_status_;
}

std::string ChildProcess::log_tail(size_t max_bytes) const {
    if (!log_) return {};
    struct stat st {};
    if (::fstat(log_.get(), &st) != 0 || st.st_size <= 0) return {};
    const size_t size = static_cast<size_t>(st.st_size);
    const size_t start = size > max_bytes ? size - max_bytes : 0;
    std::string text(size - start, '\0');
    const ssize_t n = ::pread(log_.get(), text.data(), text.size(), static_cast<off_t>(start));
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace vidseg::asr

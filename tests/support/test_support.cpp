#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "support/binary_under_test.hpp"

namespace fs = std::filesystem;

namespace vidseg::test {

fs::path media(const std::string& name) {
    fs::path p = fs::path(VIDSEG_TEST_MEDIA_DIR) / name;
    if (!fs::exists(p)) ADD_FAILURE() << "test media missing: " << p << " (run tests/media/generate.sh)";
    return p;
}

fs::path generated_media_dir(const std::string& dir_name, const std::string& script, const std::string& args) {
    const fs::path target = fs::path(VIDSEG_TEST_MEDIA_DIR) / dir_name;
    if (fs::exists(target / "truth.json")) return target;
    fs::create_directories(target.parent_path());
    const fs::path staging = target.parent_path() / ("." + dir_name + "-staging-" + std::to_string(::getpid()));
    fs::remove_all(staging);
    const auto r = run_shell("bash " + shell_quote(source_path(script)) + " " + shell_quote(staging) +
                             (args.empty() ? "" : " " + args));
    EXPECT_EQ(r.exit_code, 0) << script << " " << args << ": " << r.err;
    std::error_code ec;
    fs::rename(staging, target, ec);  // loses the race harmlessly when another process won
    fs::remove_all(staging, ec);
    return target;
}

namespace {
sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}
}  // namespace

int free_loopback_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(0);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

bool loopback_port_open(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in a = loopback(port);
    const bool ok = ::connect(s, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

std::string shell_quote(const fs::path& path) {
    std::string out = "'";
    for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

fs::path source_path(const std::string& relative) { return fs::path(VIDSEG_SOURCE_DIR) / relative; }

TempDir::TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("vidseg-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

CommandResult run_shell(const std::string& command) {
    TempDir tmp;
    const fs::path out = tmp / "stdout", err = tmp / "stderr";
    const std::string full = command + " >" + out.string() + " 2>" + err.string() + " </dev/null";
    int status = std::system(full.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_text(out);
    r.err = read_text(err);
    return r;
}

vidseg::Error thrown_error(const std::function<void()>& f) {
    try {
        f();
    } catch (const vidseg::Error& e) {
        return e;
    }
    ADD_FAILURE() << "no vidseg::Error thrown";
    return vidseg::Error(vidseg::ErrorCode::Internal, "none");
}

// In English whatever the locale of whoever runs the tests (their LC_ALL / LC_MESSAGES / LANG would choose
// the language of the console lines the tests assert); --lang still chooses.
CommandResult run_vidseg(const std::string& args) {
    return run_shell("env -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 " + shell_quote(vidseg_binary()) + " " + args);
}

}  // namespace vidseg::test

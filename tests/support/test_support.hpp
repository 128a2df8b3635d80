// Helpers shared by unit and integration tests.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "vidseg/core/error.hpp"

namespace vidseg::test {

// Path of a generated test media file (tests/media/generate.sh); fails the test if missing.
std::filesystem::path media(const std::string& name);

// A directory of media made by a tests/media script (`bash SCRIPT DIR ARGS`), generated once per build
// tree into VIDSEG_TEST_MEDIA_DIR/dir_name: staged and renamed, so parallel test processes never see
// half of it. The scripts write truth.json last; its presence means "made". Fails the test when the
// script fails.
std::filesystem::path generated_media_dir(const std::string& dir_name, const std::string& script,
                                          const std::string& args = "");
// The synthetic series of tests/media/make_series.sh (ep1-ep4 share a 6-s intro, ep5 has none).
inline std::filesystem::path series_dir() { return generated_media_dir("series", "tests/media/make_series.sh"); }
// One case of tests/media/make_intro_cases.sh (e.g. "visual", "variant", "endcard"), in intro_<name>.
inline std::filesystem::path intro_case_dir(const std::string& name) {
    return generated_media_dir("intro_" + name, "tests/media/make_intro_cases.sh", name);
}

// A TCP port on 127.0.0.1 that was free a moment ago (for a peer server the test starts).
int free_loopback_port();
// Whether something accepts connections on 127.0.0.1:port.
bool loopback_port_open(int port);

// A path quoted for the shell (single quotes, embedded quotes escaped).
std::string shell_quote(const std::filesystem::path& path);

// A file of the source tree, e.g. source_path("tests/data/patterns.xlsx").
std::filesystem::path source_path(const std::string& relative);

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs the vidseg binary with the given argument string (shell-quoted by the caller).
CommandResult run_vidseg(const std::string& args);
// Runs any shell command, capturing stdout and stderr.
CommandResult run_shell(const std::string& command);

std::string read_text(const std::filesystem::path& path);

// Runs f and returns the vidseg::Error it throws; records a test failure (and returns an Internal
// error) when it throws none.
vidseg::Error thrown_error(const std::function<void()>& f);
inline vidseg::ErrorCode thrown_code(const std::function<void()>& f) { return thrown_error(f).code(); }

}  // namespace vidseg::test

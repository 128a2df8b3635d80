#include "vidseg/asr/python_worker_paths.hpp"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg::asr {

namespace {

std::vector<fs::path> executable_dirs() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return {exe.parent_path(), exe.parent_path().parent_path()};
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

}  // namespace

std::string find_venv_python(const std::string& configured, const char* env_var, const std::string& venv) {
    if (!configured.empty()) return configured;
    if (auto env = env_or_empty(env_var); !env.empty()) return env;
    std::error_code ec;
    for (const auto& dir : executable_dirs())
        for (const std::string& rel : {venv + "/bin/python", "../build/" + venv + "/bin/python", "build/" + venv + "/bin/python"})
            if (fs::exists(dir / rel, ec)) return (dir / rel).lexically_normal().string();  // not canonical: a venv python is a symlink
    return "python3";
}

std::string find_worker_file(const std::string& configured, const char* env_var, const std::string& name,
                             const std::string& source_dir, const std::string& what, const std::string& option) {
    if (!configured.empty()) {
        if (!fs::exists(configured)) throw Error(ErrorCode::InputNotFound, what + " worker script not found", configured);
        return configured;
    }
    if (auto env = env_or_empty(env_var); !env.empty()) {
        if (!fs::exists(env))
            throw Error(ErrorCode::InputNotFound, what + " worker script ($" + std::string(env_var) + ") not found", env);
        return env;
    }
    std::error_code ec;
    std::string looked;
    for (const auto& dir : executable_dirs())
        for (const std::string& rel : {name, "../share/vidseg/" + name, "../src/vidseg/" + source_dir + "/" + name}) {
            if (fs::exists(dir / rel, ec)) return (dir / rel).lexically_normal().string();
            looked += (looked.empty() ? "" : ", ") + (dir / rel).lexically_normal().string();
        }
    throw Error(ErrorCode::Unsupported, what + " backend: the worker script " + name + " was not found (looked at " +
                                            looked + "); pass " + option + " or set " + env_var);
}

}  // namespace vidseg::asr

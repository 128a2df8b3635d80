#include "vidseg/core/module_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "vidseg/core/error.hpp"

namespace vidseg {

namespace fs = std::filesystem;

std::vector<std::string> module_candidates(const ModuleSpec& spec) {
    std::vector<std::string> paths;
    if (const char* env = std::getenv(spec.env_var); env && *env) paths.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        paths.push_back((exe.parent_path() / spec.file_name).string());
        paths.push_back((exe.parent_path().parent_path() / "lib" / "vidseg" / spec.file_name).string());
    }
    if (spec.build_path && *spec.build_path) paths.emplace_back(spec.build_path);
    // The build tree's path is usually also the executable's folder: list each path once.
    std::vector<std::string> unique;
    for (auto& p : paths)
        if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
    return unique;
}

void* load_module_symbol(const ModuleSpec& spec, const char* symbol) {
    std::string tried;
    for (const auto& path : module_candidates(spec)) {
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            tried += "\n  " + path + " (missing)";
            continue;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            tried += "\n  " + path + " (" + (why ? why : "dlopen failed") + ")";
            continue;
        }
        if (void* entry = dlsym(handle, symbol)) return entry;
        tried += "\n  " + path + " (no " + symbol + ")";
    }
    throw Error(ErrorCode::Unsupported, std::string(spec.description) + " " + spec.file_name +
                                            " could not be loaded (set " + spec.env_var +
                                            " to its path); tried:" + tried);
}

}  // namespace vidseg

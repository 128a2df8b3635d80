// Finds and dlopen()s one of vidseg's optional shared modules (libvidseg_torch.so, libvidseg_vision.so,
// libvidseg_http.so) and resolves its extern "C" factory. The heavy third-party libraries (libtorch,
// OpenCV, libcurl) are linked only into those modules, so a process pays their dynamic linking
// (~135 libraries more, 15-350 ms of start-up) only when a command actually uses them.
//
// Search order: $<env_var>, then <dir of the running executable>/<file_name> (build tree and tests,
// which are built next to the modules), then <exe dir>/../lib/vidseg/<file_name> (installed
// layout), then build_path (the module's path in the build tree, compiled in).
#pragma once

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "vidseg/core/error.hpp"

namespace vidseg {

struct ModuleSpec {
    const char* file_name;    // "libvidseg_vision.so"
    const char* env_var;      // "VIDSEG_VISION_MODULE": overrides the search
    const char* build_path;   // compiled-in path of the module in the build tree ("" = none)
    const char* description;  // for errors: "the OpenCV vision module"
};

// The candidate paths in search order (for diagnostics and tests).
std::vector<std::string> module_candidates(const ModuleSpec& spec);

// dlopen()s the first candidate that exists and loads (RTLD_NOW | RTLD_LOCAL; never dlclose()d:
// the libraries' static state must outlive every object they made) and returns dlsym(symbol).
// Throws Error(Unsupported) naming the module file and every path tried (with the dlerror())
// when none loads or the symbol is missing. Not synchronised: callers load once, from the initialiser
// of a function-local static (which C++ runs once even when threads race, and again after a throw).
void* load_module_symbol(const ModuleSpec& spec, const char* symbol);

// load_module_symbol for a module's extern "C" factory function of type Factory.
template <typename Factory>
Factory load_module_factory(const ModuleSpec& spec, const char* symbol) {
    return reinterpret_cast<Factory>(load_module_symbol(spec, symbol));
}

// How a module's exceptions read once translated (see call_module).
struct ModuleErrors {
    const char* name;    // "the OpenCV vision module": "out of memory in <name>"
    const char* prefix;  // put before other std exceptions' what(): "libtorch: "
};

// Runs f (a call into a module), turning its std exceptions into typed errors at the boundary:
// vidseg::Error passes through (callbacks may throw Interrupted), std::invalid_argument becomes
// InvalidData with its message, std::bad_alloc and any other std::exception become Internal.
template <typename F>
auto call_module(const ModuleErrors& errors, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Error&) {
        throw;
    } catch (const std::invalid_argument& e) {
        throw Error(ErrorCode::InvalidData, e.what());
    } catch (const std::bad_alloc&) {
        throw Error(ErrorCode::Internal, std::string("out of memory in ") + errors.name);
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Internal, errors.prefix + std::string(e.what()));
    }
}

}  // namespace vidseg

// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp). A parser of untrusted bytes may refuse
// its input only with vidseg::Error (what the CLI turns into a clear message and exit code); any
// other exception escapes the target and libFuzzer reports it, like a crash, a sanitizer finding or
// a leak (the CLI would answer "internal error", exit 70).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "vidseg/core/error.hpp"

namespace vidseg::fuzz {

inline std::string text(const uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs f; a vidseg::Error is the expected refusal of bad input.
template <class F>
void refusing_only_with_errors(F&& f) {
    try {
        f();
    } catch (const vidseg::Error&) {
    }
}

// For entry points that only take a path: the bytes in a file named input<extension> in a folder of
// this process (in /dev/shm when it exists: no disk traffic per execution), rewritten every call.
inline std::filesystem::path input_file(std::string_view extension, std::string_view bytes) {
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                               ? "/dev/shm"
                                               : std::filesystem::temp_directory_path();
        auto d = base / ("vidseg-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    auto path = dir / ("input" + std::string(extension));
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), std::streamsize(bytes.size()));
    return path;
}

}  // namespace vidseg::fuzz

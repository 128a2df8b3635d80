// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp). A parser of untrusted bytes may refuse
// its input only with vidseg::Error (what the CLI turns into a clear message and exit code); any
// other exception escapes the target and libFuzzer reports it, like a crash, a sanitizer finding or
// a leak (the CLI would answer "internal error", exit 70).
#pragma once

#include <cstddef>
#include <cstdint>
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

}  // namespace vidseg::fuzz

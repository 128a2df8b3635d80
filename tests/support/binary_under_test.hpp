// The vidseg binary the integration tests run, and the limits they run it under. By default the binary of
// the test's own build tree (VIDSEG_BINARY); scripts/sanitizer_integration_tests.sh points the same test
// binary at the ASan + UBSan build of vidseg instead (issue 14 §3):
//   VIDSEG_TEST_BINARY        the vidseg to run
//   VIDSEG_TEST_SANITIZED=1   it is sanitized: `ulimit -v` cannot apply (ASan reserves terabytes of shadow
//                             address space; the script caps the resident size with ASan's
//                             hard_rss_limit_mb instead) and it runs ~2-3x slower (time limits scaled by 4)
#pragma once

#include <cstdlib>
#include <string>

namespace vidseg::test {

inline std::string vidseg_binary() {
    const char* over = std::getenv("VIDSEG_TEST_BINARY");
    return over && *over ? over : VIDSEG_BINARY;
}

inline bool binary_is_sanitized() {
    const char* s = std::getenv("VIDSEG_TEST_SANITIZED");
    return s && std::string(s) == "1";
}

// A shell prefix limiting the address space of what follows to `kb` KiB (empty for a sanitized binary).
inline std::string address_space_limit(long kb) {
    return binary_is_sanitized() ? std::string() : "ulimit -v " + std::to_string(kb) + "; ";
}

// A time limit for one run, scaled for a sanitized binary.
inline int run_seconds(int seconds) { return binary_is_sanitized() ? 4 * seconds : seconds; }

}  // namespace vidseg::test

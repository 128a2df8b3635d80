#include "vidseg/core/version.hpp"

#ifndef VIDSEG_VERSION
#define VIDSEG_VERSION "0.0.0"
#endif

namespace vidseg {
const char* version() noexcept { return VIDSEG_VERSION; }
}  // namespace vidseg

#pragma once

namespace vidseg {
const char* version() noexcept;
// Versions of the libraries linked in (FFmpeg, ...), one line.
const char* library_versions();
}  // namespace vidseg

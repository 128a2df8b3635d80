// Transparent huge pages for large arrays that are filled once (audio buffers, per-frame feature
// arrays). Every fresh 4 KB page costs a page fault on first write; for the ~30 MB a 10-minute
// feature pass touches that was ~12% of its CPU time. Debian's default THP mode is "madvise": a
// region gets 2 MB pages only when asked, which is what this does.
#pragma once

#include <cstddef>
#include <vector>

namespace vidseg {

// Asks the kernel to back the whole 4 KB pages inside [data, data + bytes) with huge pages where it
// can. Only worth it for regions of several MB; untouched parts still cost nothing. A no-op where
// the system does not support it (and on failure: this is advice, never an error).
void advise_huge_pages(void* data, std::size_t bytes) noexcept;

// The same for a vector's whole capacity (call after reserve()).
template <class T>
void advise_huge_pages(std::vector<T>& v) noexcept {
    advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace vidseg

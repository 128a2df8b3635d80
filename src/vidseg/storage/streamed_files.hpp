// put_file() / get_file() for any ObjectStore, written once on top of create() and read(): a file is
// streamed in fixed-size blocks (constant memory), and a download lands atomically (AtomicFile).
#pragma once

#include <filesystem>
#include <string>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

// Throws Error(InputNotFound) naming the file when it cannot be opened.
ObjectInfo upload_file(ObjectStore& store, const std::string& key, const std::filesystem::path& file,
                       const Metadata& metadata);
// Nothing is left at `file` when the key is missing or the transfer fails.
void download_file(ObjectStore& store, const std::string& key, const std::filesystem::path& file);

}  // namespace vidseg::storage

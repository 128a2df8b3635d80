#include "vidseg/storage/streamed_files.hpp"

#include <fstream>
#include <vector>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/atomic_file.hpp"

namespace vidseg::storage {

namespace {
constexpr std::size_t kBlock = 1u << 20;
}  // namespace

ObjectInfo upload_file(ObjectStore& store, const std::string& key, const std::filesystem::path& file,
                       const Metadata& metadata) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot open the file to store", file.string());
    auto writer = store.create(key, metadata);
    std::vector<char> block(kBlock);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got > 0) writer->write(block.data(), got);
    }
    if (in.bad()) throw Error(ErrorCode::InputNotFound, "cannot read the file to store", file.string());
    return writer->commit();
}

void download_file(ObjectStore& store, const std::string& key, const std::filesystem::path& file) {
    AtomicFile out(file);
    store.read(key, [&](const char* data, std::size_t size) { out.write(data, size); });
    out.commit();
}

}  // namespace vidseg::storage

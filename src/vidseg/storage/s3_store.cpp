#include "vidseg/storage/s3_store.hpp"

#include "vidseg/core/error.hpp"

namespace vidseg::storage {

std::unique_ptr<ObjectStore> open_s3_store(const StoreConfig& config) {
    throw Error(ErrorCode::Unsupported, "the S3 storage backend is not built yet", config.location);
}

}  // namespace vidseg::storage

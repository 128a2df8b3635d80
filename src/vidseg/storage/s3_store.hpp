// The S3 backend of ObjectStore (any S3 server: MinIO, SeaweedFS, versitygw, AWS).
#pragma once

#include <memory>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

// config.location is "s3://bucket[/prefix]". Throws InvalidArgument for a bad configuration.
std::unique_ptr<ObjectStore> open_s3_store(const StoreConfig& config);

}  // namespace vidseg::storage

// The object-store settings shared by the commands that read or write a store (serve, worker,
// dataset publish, agent watch): --storage and the S3 connection, and the StoreConfig they make.
#pragma once

#include <string>
#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

// --storage (its help given) and the S3 settings: --s3-endpoint, --s3-public-endpoint,
// --s3-region, --s3-access-key, --s3-secret-key, --presign-expiry.
std::vector<OptionSpec> storage_options(const std::string& storage_help);

// The S3 settings of storage_options() without --storage (commands whose locations are their own
// arguments: dataset publish, agent watch).
std::vector<OptionSpec> s3_options();

// The store settings of those options (location empty when --storage is not given).
StoreConfig store_config(const ParsedOptions& options);

}  // namespace vidseg::storage

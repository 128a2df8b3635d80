// Options shared by `vidseg serve` and `vidseg worker`: the catalog database and the object store.
#pragma once

#include <string>
#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::cli {

// --db URL. `help` says what an empty value means for the command.
OptionSpec db_option(const std::string& help);

// --storage (its help given) and the S3 settings: --s3-endpoint, --s3-public-endpoint,
// --s3-region, --s3-access-key, --s3-secret-key, --presign-expiry.
std::vector<OptionSpec> storage_options(const std::string& storage_help);

// The S3 settings of storage_options() without --storage (commands whose locations are their own
// arguments: dataset publish, agent watch).
std::vector<OptionSpec> s3_options();

// The store settings of those options (location empty when --storage is not given).
storage::StoreConfig store_config(const ParsedOptions& options);

}  // namespace vidseg::cli

// Options shared by `vidseg serve` and `vidseg worker`: the catalog database and the object store.
#pragma once

#include <string>
#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/storage/store_options.hpp"

namespace vidseg::cli {

// --db URL. `help` says what an empty value means for the command.
OptionSpec db_option(const std::string& help);

// The store settings live in the library (storage/store_options) so that the MCP tools share them.
using storage::s3_options;
using storage::storage_options;
using storage::store_config;

}  // namespace vidseg::cli

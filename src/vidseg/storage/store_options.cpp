#include "vidseg/storage/store_options.hpp"

#include <chrono>

namespace vidseg::storage {

std::vector<OptionSpec> storage_options(const std::string& storage_help) {
    return {
        {.name = "storage", .type = OptionType::String, .help = storage_help, .metavar = "LOCATION"},
        {.name = "s3-endpoint",
         .type = OptionType::String,
         .help = "S3 server URL (MinIO, SeaweedFS, ...); empty = AWS for --s3-region.",
         .metavar = "URL"},
        {.name = "s3-public-endpoint",
         .type = OptionType::String,
         .help = "Base URL browsers and Label Studio reach the S3 server under (presigned links).",
         .metavar = "URL"},
        {.name = "s3-region",
         .type = OptionType::String,
         .default_value = "us-east-1",
         .help = "S3 region (signatures).",
         .metavar = "REGION"},
        {.name = "s3-access-key",
         .type = OptionType::String,
         .help = "S3 access key (prefer the variable: command lines are visible to other users; "
                 "else AWS_ACCESS_KEY_ID).",
         .metavar = "KEY"},
        {.name = "s3-secret-key",
         .type = OptionType::String,
         .help = "S3 secret key (prefer the variable; else AWS_SECRET_ACCESS_KEY).",
         .metavar = "KEY"},
        {.name = "presign-expiry",
         .type = OptionType::Int,
         .default_value = "604800",
         .help = "Lifetime of presigned download URLs on S3 (at most 7 days).",
         .metavar = "SECONDS",
         .min = 1,
         .max = 604800},
    };
}

std::vector<OptionSpec> s3_options() {
    auto options = storage_options("");
    options.erase(options.begin());  // --storage
    return options;
}

StoreConfig store_config(const ParsedOptions& options) {
    StoreConfig config;
    if (options.has("storage")) config.location = options.str("storage");
    config.endpoint = options.str("s3-endpoint");
    config.public_endpoint = options.str("s3-public-endpoint");
    config.region = options.str("s3-region");
    config.access_key = options.str("s3-access-key");  // empty: the backend reads AWS_ACCESS_KEY_ID
    config.secret_key = options.str("s3-secret-key");
    config.presign_expiry = std::chrono::seconds(options.integer("presign-expiry"));
    return config;
}

}  // namespace vidseg::storage

// AWS Signature Version 4 pieces libvidseg computes itself (libsodium's SHA-256 and HMAC-SHA256):
// S3's URI encoding and presigned GET URLs (query-string signing). Requests made through the HTTP
// module are signed by libcurl (CURLOPT_AWS_SIGV4); a presigned URL is handed to someone else
// (Label Studio, a browser) and must be computed here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vidseg::storage {

// Lower-case hex SHA-256 of bytes.
std::string sha256_hex(const std::string& bytes);

// Every byte of text for which keep() is false as %XX (upper-case hex).
std::string percent_encode(const std::string& text, bool (*keep)(unsigned char));

// S3's URI encoding: every byte but A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash) as %XX (upper case).
std::string uri_encode(const std::string& text, bool keep_slash);

struct PresignRequest {
    std::string base_url;       // scheme://host[:port], no trailing '/'
    std::string canonical_uri;  // the encoded path ("/bucket/a%20b.mp4")
    std::string region;
    std::string access_key;
    std::string secret_key;
    std::int64_t now_unix = 0;  // signing time (seconds since the epoch, UTC)
    std::chrono::seconds expiry{604800};
};

// The presigned GET URL (X-Amz-Algorithm ... X-Amz-Signature) for an S3 object.
std::string presign_get(const PresignRequest& request);

}  // namespace vidseg::storage

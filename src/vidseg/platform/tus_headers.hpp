// Parsing of the tus 1.0 request headers (https://tus.io/protocols/resumable-upload): pure
// functions, the request-parsing entry points of the upload route (unit-tested, fuzzable).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "vidseg/platform/digest.hpp"

namespace vidseg::platform {

inline constexpr const char* kTusVersion = "1.0.0";
inline constexpr const char* kTusExtensions = "creation,termination,checksum";
inline constexpr const char* kTusChecksumAlgorithms = "sha1,sha256";

// Upload-Length / Upload-Offset: a non-negative decimal integer without sign or spaces, < 2^63.
// nullopt otherwise.
std::optional<std::uint64_t> parse_tus_size(const std::string& value);

// Upload-Metadata: comma-separated "key base64value" pairs (the value may be absent). Keys are
// ASCII without spaces or commas and unique. Throws Error(InvalidArgument) naming the bad pair.
std::map<std::string, std::string> parse_upload_metadata(const std::string& header);

struct UploadChecksum {
    DigestAlgorithm algorithm;
    std::string digest;  // raw bytes
};
// Upload-Checksum: "<algorithm> <base64 digest>". Throws ApiError 400 for a malformed header and
// for an algorithm not in kTusChecksumAlgorithms (tus: 400 Bad Request).
UploadChecksum parse_upload_checksum(const std::string& header);

}  // namespace vidseg::platform

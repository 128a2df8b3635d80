#include "vidseg/platform/tus_headers.hpp"

#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"

namespace vidseg::platform {

std::optional<std::uint64_t> parse_tus_size(const std::string& value) {
    if (value.empty() || value.size() > 18) return std::nullopt;
    std::uint64_t out = 0;
    for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return out;
}

std::map<std::string, std::string> parse_upload_metadata(const std::string& header) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos <= header.size()) {
        auto comma = header.find(',', pos);
        if (comma == std::string::npos) comma = header.size();
        std::string pair = header.substr(pos, comma - pos);
        pos = comma + 1;
        while (!pair.empty() && pair.front() == ' ') pair.erase(pair.begin());
        while (!pair.empty() && pair.back() == ' ') pair.pop_back();
        if (pair.empty()) {
            if (comma == header.size()) break;
            throw ApiError(400, "bad_metadata", "Upload-Metadata: empty pair");
        }
        const auto space = pair.find(' ');
        const std::string key = pair.substr(0, space);
        for (unsigned char c : key)
            if (c < 0x21 || c > 0x7e)
                throw ApiError(400, "bad_metadata",
                               "Upload-Metadata: keys are printable ASCII without spaces");
        std::string value;
        if (space != std::string::npos) {
            const auto decoded = base64_decode(pair.substr(space + 1));
            if (!decoded)
                throw ApiError(400, "bad_metadata",
                               "Upload-Metadata: the value of '" + key + "' is not base64");
            value = *decoded;
        }
        if (!out.emplace(key, value).second)
            throw ApiError(400, "bad_metadata", "Upload-Metadata: key '" + key + "' given twice");
        if (comma == header.size()) break;
    }
    return out;
}

UploadChecksum parse_upload_checksum(const std::string& header) {
    const auto space = header.find(' ');
    if (space == std::string::npos)
        throw ApiError(400, "bad_checksum", "Upload-Checksum: expected '<algorithm> <base64 digest>'");
    const auto algorithm = digest_algorithm(header.substr(0, space));
    if (!algorithm)
        throw ApiError(400, "bad_checksum",
                       "Upload-Checksum: unsupported algorithm (supported: " +
                           std::string(kTusChecksumAlgorithms) + ")");
    const auto digest = base64_decode(header.substr(space + 1));
    const std::size_t expected = *algorithm == DigestAlgorithm::Sha1 ? 20 : 32;
    if (!digest || digest->size() != expected)
        throw ApiError(400, "bad_checksum", "Upload-Checksum: the digest is not base64 of the right length");
    return {*algorithm, *digest};
}

}  // namespace vidseg::platform

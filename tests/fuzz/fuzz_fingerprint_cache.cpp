// Intro fingerprint cache entries (DIR/v1/<key>.vfp, read by every `intro detect`):
// intro::decode_fingerprints. The target seals the bytes with the entry's checksum (and takes the key
// from them) so that mutations reach the field checks behind it instead of stopping at the checksum.
#include <cstring>

#include "fuzz_support.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace vidseg::intro;
    std::string bytes = vidseg::fuzz::text(data, size);
    uint64_t key = 0;
    if (bytes.size() >= 24) std::memcpy(&key, bytes.data() + 16, sizeof key);  // after magic + 2 x u32
    std::string why;
    (void)decode_fingerprints(bytes, key, why);  // as stored (checksum most likely wrong)
    const uint64_t checksum = hash_bytes(bytes.data(), bytes.size());
    bytes.append(reinterpret_cast<const char*>(&checksum), sizeof checksum);
    if (const auto fp = decode_fingerprints(bytes, key, why)) {
        vidseg::fuzz::refusing_only_with_errors([&] { (void)encode_fingerprints(*fp, key); });
    }
    return 0;
}

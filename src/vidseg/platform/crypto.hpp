// The secrets of the platform (libsodium): argon2id password hashes, random tokens, SHA-256 of
// tokens for storage, constant-time comparison, base64.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace vidseg::platform {

// argon2id string (crypto_pwhash_str, interactive limits). Throws Internal when out of memory.
std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

// `bytes` random bytes as URL-safe base64 without padding (tokens, session ids, upload ids).
std::string random_token(std::size_t bytes = 32);
std::string sha256_hex(const std::string& data);
bool constant_time_equal(const std::string& a, const std::string& b);

std::optional<std::string> base64_decode(const std::string& text);  // standard alphabet, padded
std::string base64_encode(const std::string& bytes);

}  // namespace vidseg::platform

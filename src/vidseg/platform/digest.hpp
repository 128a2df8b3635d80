// Incremental SHA-1 / SHA-256 for the tus checksum extension and the SHA-256 of every upload. SHA-1
// is not in libsodium; OpenSSL's libcrypto (Debian libssl-dev, already linked by cpp-httplib) has
// both, and its types stay inside digest.cpp.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace vidseg::platform {

enum class DigestAlgorithm { Sha1, Sha256 };

// "sha1" / "sha256" (the names of tus's Upload-Checksum), nullopt otherwise.
std::optional<DigestAlgorithm> digest_algorithm(const std::string& name);

class Digest {
  public:
    explicit Digest(DigestAlgorithm algorithm);
    ~Digest();
    Digest(const Digest&) = delete;
    Digest& operator=(const Digest&) = delete;

    void update(const char* data, std::size_t size);
    std::string finish();  // raw digest bytes; the object is spent afterwards

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

std::string to_hex(const std::string& bytes);
// SHA-256 hex of a file's bytes, read in 1 MiB blocks. Throws InputNotFound / OutputError.
std::string file_sha256_hex(const std::filesystem::path& file);

}  // namespace vidseg::platform

#include "vidseg/platform/digest.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

std::optional<DigestAlgorithm> digest_algorithm(const std::string& name) {
    if (name == "sha1") return DigestAlgorithm::Sha1;
    if (name == "sha256") return DigestAlgorithm::Sha256;
    return std::nullopt;
}

struct Digest::Impl {
    EVP_MD_CTX* context = nullptr;
    ~Impl() { EVP_MD_CTX_free(context); }
};

Digest::Digest(DigestAlgorithm algorithm) : impl_(std::make_unique<Impl>()) {
    impl_->context = EVP_MD_CTX_new();
    const EVP_MD* md = algorithm == DigestAlgorithm::Sha1 ? EVP_sha1() : EVP_sha256();
    if (!impl_->context || EVP_DigestInit_ex(impl_->context, md, nullptr) != 1)
        throw Error(ErrorCode::Internal, "cannot start a digest (OpenSSL)");
}

Digest::~Digest() = default;

void Digest::update(const char* data, std::size_t size) {
    if (EVP_DigestUpdate(impl_->context, data, size) != 1)
        throw Error(ErrorCode::Internal, "digest update failed");
}

std::string Digest::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(impl_->context, out, &size) != 1)
        throw Error(ErrorCode::Internal, "digest failed");
    return std::string(reinterpret_cast<const char*>(out), size);
}

std::string to_hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string file_sha256_hex(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "cannot open", file.string());
    Digest digest(DigestAlgorithm::Sha256);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        digest.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw Error(ErrorCode::OutputError, "read failed", file.string());
    return to_hex(digest.finish());
}

}  // namespace vidseg::platform

#include "vidseg/platform/crypto.hpp"

#include <sodium.h>

#include <semaphore>
#include <vector>

#include "vidseg/core/error.hpp"

namespace vidseg::platform {

namespace {

void ensure_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw Error(ErrorCode::Internal, "libsodium failed to initialise");
}

std::string hex(const unsigned char* data, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

// Each argon2id hash or check holds 64 MiB (libsodium's interactive memory limit): 32 logins at once took the
// server to 870 MiB of RSS. At most two run at a time (bounded memory, no loss on a 2-core machine: they are
// CPU-bound); the others wait their turn.
class PasswordHashGate {
  public:
    PasswordHashGate() { slots().acquire(); }
    ~PasswordHashGate() { slots().release(); }
    PasswordHashGate(const PasswordHashGate&) = delete;
    PasswordHashGate& operator=(const PasswordHashGate&) = delete;

  private:
    static std::counting_semaphore<2>& slots() {
        static std::counting_semaphore<2> gate(2);
        return gate;
    }
};

}  // namespace

std::string hash_password(const std::string& password) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    PasswordHashGate gate;
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw Error(ErrorCode::Internal, "password hashing ran out of memory");
    return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
    ensure_sodium();
    PasswordHashGate gate;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_token(std::size_t bytes) {
    ensure_sodium();
    std::vector<unsigned char> raw(bytes);
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::string sha256_hex(const std::string& data) {
    ensure_sodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return hex(digest, sizeof digest);
}

bool constant_time_equal(const std::string& a, const std::string& b) {
    ensure_sodium();
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> base64_decode(const std::string& text) {
    ensure_sodium();
    std::string out(text.size(), '\0');
    std::size_t size = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(),
                          nullptr, &size, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(size);
    return out;
}

std::string base64_encode(const std::string& bytes) {
    ensure_sodium();
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

}  // namespace vidseg::platform

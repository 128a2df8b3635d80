#include "vidseg/storage/sigv4.hpp"

#include <sodium.h>

#include <array>
#include <ctime>

#include "vidseg/core/error.hpp"

namespace vidseg::storage {

namespace {

using Digest = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

void ensure_sodium() {
    // Thread-safe and idempotent; picks the fastest implementations for this CPU.
    static const int ok = sodium_init();
    if (ok < 0) throw Error(ErrorCode::Internal, "libsodium could not be initialised");
}

std::string hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 15];
    }
    return out;
}

Digest hmac(const unsigned char* key, std::size_t key_size, const std::string& message) {
    Digest out{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key, key_size);
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&state, out.data());
    return out;
}

Digest hmac(const Digest& key, const std::string& message) {
    return hmac(key.data(), key.size(), message);
}

std::string utc(std::int64_t unix_seconds, const char* format) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, format, &tm);
    return text;
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
    ensure_sodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return hex(digest.data(), digest.size());
}

std::string percent_encode(const std::string& text, bool (*keep)(unsigned char)) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (keep(c)) {
            out += ch;
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 15];
        }
    }
    return out;
}

std::string uri_encode(const std::string& text, bool keep_slash) {
    if (keep_slash) return percent_encode(text, [](unsigned char c) { return c == '/' || unreserved(c); });
    return percent_encode(text, unreserved);
}

std::string presign_get(const PresignRequest& r) {
    if (r.expiry.count() < 1 || r.expiry.count() > 604800) {
        throw Error(
            ErrorCode::InvalidArgument,
            "presigned URL expiry must be 1 s to 7 days (604800 s), not " + std::to_string(r.expiry.count()));
    }
    ensure_sodium();
    const auto scheme_end = r.base_url.find("://");
    const std::string host = scheme_end == std::string::npos ? r.base_url : r.base_url.substr(scheme_end + 3);
    const std::string date = utc(r.now_unix, "%Y%m%d");
    const std::string stamp = utc(r.now_unix, "%Y%m%dT%H%M%SZ");
    const std::string scope = date + "/" + r.region + "/s3/aws4_request";
    // Parameters in the byte order of their names, as the canonical query requires.
    const std::string query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + uri_encode(r.access_key + "/" + scope, false) +
        "&X-Amz-Date=" + stamp + "&X-Amz-Expires=" + std::to_string(r.expiry.count()) +
        "&X-Amz-SignedHeaders=host";
    const std::string canonical =
        "GET\n" + r.canonical_uri + "\n" + query + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD";
    const std::string to_sign = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + sha256_hex(canonical);
    const std::string secret = "AWS4" + r.secret_key;
    Digest key = hmac(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), date);
    key = hmac(key, r.region);
    key = hmac(key, "s3");
    key = hmac(key, "aws4_request");
    const Digest signature = hmac(key, to_sign);
    return r.base_url + r.canonical_uri + "?" + query +
           "&X-Amz-Signature=" + hex(signature.data(), signature.size());
}

}  // namespace vidseg::storage

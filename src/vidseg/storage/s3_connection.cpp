#include "vidseg/storage/s3_connection.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include <pugixml.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/sigv4.hpp"

namespace vidseg::storage {

namespace {

[[noreturn]] void bad_config(const std::string& why, const std::string& subject) {
    throw Error(ErrorCode::InvalidArgument, why, subject);
}

// "http(s)://host[:port]" without a trailing '/'; a path or query would break the signatures.
std::string normalise_endpoint(std::string url, const char* what) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool http = url.rfind("http://", 0) == 0, https = url.rfind("https://", 0) == 0;
    if (!http && !https) bad_config(std::string(what) + " must start with http:// or https://", url);
    const std::string rest = url.substr(http ? 7 : 8);
    if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) {
        bad_config(std::string(what) + " must be scheme://host[:port] without a path", url);
    }
    return url;
}

bool valid_bucket(const std::string& b) {
    if (b.size() < 3 || b.size() > 63) return false;
    for (const char c : b) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
    }
    return b.front() != '-' && b.front() != '.' && b.back() != '-' && b.back() != '.';
}

std::string first_env(const char* a, const char* b) {
    for (const char* name : {a, b}) {
        if (const char* v = std::getenv(name); v && *v) return v;
    }
    return {};
}

}  // namespace

S3Connection::S3Connection(const StoreConfig& config) : config_(config) {
    const std::string& location = config.location;
    const std::string rest = location.substr(5);  // after "s3://"
    const auto slash = rest.find('/');
    bucket_ = rest.substr(0, slash);
    if (!valid_bucket(bucket_)) {
        bad_config("invalid S3 bucket name '" + bucket_ + "' (3-63 lower-case letters, digits, '-', '.')",
                   location);
    }
    if (slash != std::string::npos) {
        std::string prefix = rest.substr(slash + 1);
        while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        if (!prefix.empty()) {
            check_key(prefix);
            prefix_ = prefix + "/";
        }
    }
    for (const char c : config.region) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            bad_config("invalid S3 region '" + config.region + "'", location);
        }
    }
    if (config.region.empty()) bad_config("no S3 region given", location);
    endpoint_ = config.endpoint.empty() ? "https://s3." + config.region + ".amazonaws.com"
                                        : normalise_endpoint(config.endpoint, "the S3 endpoint");
    public_endpoint_ = config.public_endpoint.empty()
                           ? endpoint_
                           : normalise_endpoint(config.public_endpoint, "the S3 public endpoint");
    if (config_.access_key.empty())
        config_.access_key = first_env("VIDSEG_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID");
    if (config_.secret_key.empty())
        config_.secret_key = first_env("VIDSEG_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY");
    if (config_.access_key.empty() || config_.secret_key.empty()) {
        bad_config(
            "S3 credentials missing: give an access key and a secret key (or set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY)",
            location);
    }
    if (config_.access_key.find(':') != std::string::npos)
        bad_config("the S3 access key contains ':'", location);
    if (config.part_size < (5u << 20) || config.part_size > (5ull << 30)) {
        bad_config(
            "the S3 multipart part size must be 5 MiB to 5 GiB, not " + std::to_string(config.part_size),
            location);
    }
    if (config.list_page_size < 1 || config.list_page_size > 1000) {
        bad_config("the S3 list page size must be 1 to 1000", location);
    }
    if (config.presign_expiry.count() < 1 || config.presign_expiry > kDefaultPresignExpiry) {
        bad_config("the presigned URL expiry must be 1 s to 7 days (604800 s)", location);
    }
    sigv4_ = "aws:amz:" + config.region + ":s3";
}

std::string S3Connection::canonical_path(const std::string& object) const {
    const std::string path = "/" + uri_encode(object, true);
    return config_.path_style ? "/" + bucket_ + path : path;
}

std::string S3Connection::bucket_base(const std::string& endpoint) const {
    if (config_.path_style) return endpoint;
    const auto scheme_end = endpoint.find("://") + 3;  // virtual-hosted: the bucket is a sub-domain
    return endpoint.substr(0, scheme_end) + bucket_ + "." + endpoint.substr(scheme_end);
}

std::string S3Connection::presign_base() const {
    return bucket_base(public_endpoint_);
}

std::string S3Connection::url(const std::string& object, const std::string& query) const {
    const std::string base = bucket_base(endpoint_);
    std::string path = config_.path_style ? "/" + bucket_ : std::string();
    if (!object.empty()) path += "/" + uri_encode(object, true);
    if (path.empty()) path = "/";
    return base + path + (query.empty() ? "" : "?" + query);
}

net::HttpResponse S3Connection::send(net::HttpRequest& request, const std::string& subject) const {
    // libcurl's SigV4 (7.88) signs the payload hash given in this header and S3 servers require it:
    // bodies in memory (XML, none) are hashed; streamed and large PUT bodies go UNSIGNED-PAYLOAD
    // (hashing every 16 MiB part would cost more than the transfer on loopback).
    const bool unsigned_payload = request.method == "PUT" || request.body_reader;
    request.headers.push_back("x-amz-content-sha256: " + (unsigned_payload ? std::string("UNSIGNED-PAYLOAD")
                                                                           : sha256_hex(request.body)));
    request.aws_sigv4 = sigv4_;
    request.credentials = config_.access_key + ":" + config_.secret_key;
    net::HttpResponse response = net::http_client().send(request);
    if (response.outcome != net::HttpResponse::Outcome::Answered) {
        throw Error(ErrorCode::Unsupported, "S3 server " + endpoint_ + " not reachable: " + response.error,
                    subject);
    }
    return response;
}

void S3Connection::fail(const net::HttpResponse& response, const std::string& action,
                        const std::string& subject, bool is_write) const {
    const auto [code, message] = s3_error_of(response.body);
    std::string text =
        "S3 server " + endpoint_ + " refused to " + action + ": HTTP " + std::to_string(response.status);
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += " (" + message + ")";
    if (code == "NoSuchBucket") {
        throw Error(ErrorCode::InvalidArgument,
                    "S3 bucket '" + bucket_ + "' does not exist on " + endpoint_ + " (create it first)",
                    subject);
    }
    // Credentials the server does not accept (versitygw answers an unknown key with a 404).
    static const char* const kAuthCodes[] = {"AccessDenied",
                                             "InvalidAccessKeyId",
                                             "SignatureDoesNotMatch",
                                             "XAdminUserNotFound",
                                             "AuthorizationHeaderMalformed",
                                             "RequestTimeTooSkewed",
                                             "InvalidToken",
                                             "ExpiredToken"};
    const bool auth = response.status == 401 || response.status == 403 ||
                      std::find(std::begin(kAuthCodes), std::end(kAuthCodes), code) != std::end(kAuthCodes);
    if (auth)
        throw Error(ErrorCode::Unsupported, text + "; check the S3 access key, secret key and region",
                    subject);
    switch (response.status) {
        case 404:
            throw Error(ErrorCode::InputNotFound,
                        "no such object in s3://" + bucket_ + "/" + prefix_ + " (" + text + ")", subject);
        case 416:
            throw Error(ErrorCode::InvalidArgument, "byte range outside the object (" + text + ")", subject);
        default:
            throw Error(is_write ? ErrorCode::OutputError : ErrorCode::Unsupported, text, subject);
    }
}

std::pair<std::string, std::string> s3_error_of(const std::string& body) {
    pugi::xml_document doc;
    if (body.empty() || !doc.load_buffer(body.data(), body.size())) return {};
    const pugi::xml_node error = doc.child("Error");
    return {error.child_value("Code"), error.child_value("Message")};
}

std::string encode_metadata_value(const std::string& value) {
    return percent_encode(value, [](unsigned char c) { return c >= 0x20 && c < 0x7f && c != '%'; });
}

std::string decode_metadata_value(const std::string& value) {
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '%' && i + 2 < value.size() && digit(value[i + 1]) >= 0 && digit(value[i + 2]) >= 0) {
            out += static_cast<char>(digit(value[i + 1]) * 16 + digit(value[i + 2]));
            i += 2;
        } else {
            out += value[i];
        }
    }
    return out;
}

}  // namespace vidseg::storage

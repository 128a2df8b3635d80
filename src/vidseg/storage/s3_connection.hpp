// The S3 wire level under S3Store: where a bucket lives (endpoint, path-style or virtual-hosted
// addressing, region), how an object key becomes a URL, and how a request is sent (signed by libcurl's
// SigV4 in the HTTP module, net/http_client.hpp) and its failures become typed errors that name the
// endpoint and S3's error code.
#pragma once

#include <string>

#include "vidseg/net/http_client.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::storage {

class S3Connection {
public:
    // Checks the configuration (bucket name, endpoint URL, credentials); Error(InvalidArgument).
    explicit S3Connection(const StoreConfig& config);

    const std::string& endpoint() const { return endpoint_; }
    const std::string& bucket() const { return bucket_; }
    const std::string& prefix() const { return prefix_; }  // "" or "a/b/" (ends with '/')
    const StoreConfig& config() const { return config_; }

    // The bucket's URL with `object` (a full object name, prefix included) and a canonical query
    // ("a=1&b=2", sorted, encoded; "" = none): what requests go to.
    std::string url(const std::string& object, const std::string& query = "") const;
    // The pieces of a presigned URL: the base (the public endpoint when one is configured, with the
    // bucket as sub-domain unless path-style) and the encoded path of `object`.
    std::string presign_base() const;
    std::string canonical_path(const std::string& object) const;

    // Sends a signed request. Not reachable (refused, timeout, reset) -> Error(Unsupported) naming the
    // endpoint; answers are returned whatever their status (see fail()).
    net::HttpResponse send(net::HttpRequest& request, const std::string& subject) const;  // signs request
    // The typed error for an unsuccessful answer to `action` ("read", "write", "list", ...):
    // 404 NoSuchBucket -> InvalidArgument (the configuration names a missing bucket), other 404 ->
    // InputNotFound, 416 -> InvalidArgument, 403 -> Unsupported with S3's code (AccessDenied,
    // SignatureDoesNotMatch), others -> OutputError for writes, Unsupported for reads.
    [[noreturn]] void fail(const net::HttpResponse& response, const std::string& action,
                           const std::string& subject, bool is_write) const;

private:
    std::string bucket_base(const std::string& endpoint) const;  // scheme://host[:port] of the bucket

    StoreConfig config_;
    std::string endpoint_;         // scheme://host[:port] of requests
    std::string public_endpoint_;  // scheme://host[:port] of presigned URLs
    std::string bucket_;
    std::string prefix_;
    std::string sigv4_;
};

// "<Error><Code>X</Code><Message>Y</Message>" of an S3 error body -> {X, Y} (empty when absent).
std::pair<std::string, std::string> s3_error_of(const std::string& body);

// x-amz-meta-* values are ASCII on the wire: '%' and bytes outside 0x20-0x7e are percent-encoded.
std::string encode_metadata_value(const std::string& value);
std::string decode_metadata_value(const std::string& value);

}  // namespace vidseg::storage

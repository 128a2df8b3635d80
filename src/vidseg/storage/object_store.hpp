// Where the platform keeps its files: one interface, two backends — a local folder (the embedded
// default of `vidseg serve --data DIR`) and any S3 server (MinIO, SeaweedFS, versitygw, AWS; requests
// signed with AWS SigV4, path-style addressing, multipart upload for large objects, presigned GET
// URLs for Label Studio and browsers). The server, the workers and the publishers see only this.
//
// Keys are '/'-separated relative names ("anna/task_20261207/lesson1.mp4"); check_key() refuses the
// ones that could escape a folder or confuse a server (empty parts, ".", "..", backslashes, control
// characters, a leading '/', more than 1024 bytes). Errors: Error(InputNotFound) for a missing key,
// Error(OutputError) when a write fails, Error(Unsupported) when the store cannot be reached
// (connection refused, timeout: the message names the endpoint), Error(InvalidArgument) for a bad key
// or configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vidseg::storage {

using Metadata = std::map<std::string, std::string>;  // e.g. {"owner": "anna"}; S3: x-amz-meta-*

struct ObjectInfo {
    std::string key;
    std::uint64_t size = 0;
    std::string etag;             // backend's tag (S3 ETag; local: size + mtime), for change detection
    std::int64_t modified_unix = 0;
    Metadata metadata;            // filled by stat(), not by list()
};

// A streamed write: bytes go out as they come (S3: multipart parts of part_size bytes; local: a temp
// file beside the target), constant memory. Nothing is visible under the key before commit();
// destroying an uncommitted writer aborts it (S3: AbortMultipartUpload; local: the temp file goes).
class ObjectWriter {
public:
    virtual ~ObjectWriter() = default;
    virtual void write(const char* data, std::size_t size) = 0;
    virtual ObjectInfo commit() = 0;
    virtual void abort() = 0;
};

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    // "local /srv/vidseg/store" / "s3 http://127.0.0.1:7070 bucket/prefix" (no credentials).
    virtual std::string describe() const = 0;

    virtual std::unique_ptr<ObjectWriter> create(const std::string& key, const Metadata& metadata = {}) = 0;
    virtual ObjectInfo put_file(const std::string& key, const std::filesystem::path& file,
                                const Metadata& metadata = {}) = 0;
    // Streams the object's bytes [offset, offset + length) (length 0 = to the end) to sink.
    virtual void read(const std::string& key, const std::function<void(const char*, std::size_t)>& sink,
                      std::uint64_t offset = 0, std::uint64_t length = 0) = 0;
    virtual void get_file(const std::string& key, const std::filesystem::path& file) = 0;  // atomic
    virtual std::optional<ObjectInfo> stat(const std::string& key) = 0;
    virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;  // every key under prefix, sorted
    virtual void remove(const std::string& key) = 0;                       // missing key: no error
    // A new object `to` with the bytes of `from` and `metadata` (not from's). Error(InputNotFound) when
    // `from` is missing. This default streams the bytes through (read + create); the backends copy
    // where the data lives (S3: CopyObject; local: a hard link, else a file copy).
    virtual ObjectInfo copy(const std::string& from, const std::string& to, const Metadata& metadata = {});
    // A URL that lets anyone holding it GET the object until it expires (S3: SigV4 query signing,
    // against the public endpoint when one is configured); nullopt for a local store (the server
    // serves those files itself, behind its own authentication). expiry 0 = the configured default
    // (StoreConfig::presign_expiry); more than 7 days is InvalidArgument.
    virtual std::optional<std::string> presigned_get_url(const std::string& key, std::chrono::seconds expiry) = 0;
};

inline constexpr std::chrono::seconds kDefaultPresignExpiry{604800};  // 7 days, the S3 maximum

struct StoreConfig {
    // A local folder ("/srv/vidseg/store", "file:///srv/...") or "s3://bucket/prefix".
    std::string location;
    // S3 only.
    std::string endpoint;         // "http://127.0.0.1:7070"; empty = AWS for the region
    std::string public_endpoint;  // base URL used in presigned links handed to browsers / Label Studio
    std::string region = "us-east-1";
    std::string access_key;       // from flags or AWS_ACCESS_KEY_ID / VIDSEG_S3_ACCESS_KEY
    std::string secret_key;       // from flags or AWS_SECRET_ACCESS_KEY / VIDSEG_S3_SECRET_KEY
    bool path_style = true;       // MinIO / SeaweedFS / versitygw need path-style addressing
    std::size_t part_size = 16u << 20;  // multipart part size (S3 minimum 5 MiB)
    std::size_t list_page_size = 1000;  // keys per ListObjectsV2 request (S3 maximum 1000)
    // Expiry of presigned URLs when presigned_get_url() is given 0 s (S3 allows at most 7 days).
    std::chrono::seconds presign_expiry = kDefaultPresignExpiry;
};

// Throws InvalidArgument for a key check_key() refuses (the message says why).
void check_key(const std::string& key);
// A list() prefix: empty, or a key with an optional trailing '/'. Throws InvalidArgument otherwise.
void check_prefix(const std::string& prefix);

// Throws InvalidArgument for metadata every backend cannot keep: names other than lower-case letters,
// digits, '-' and '_' (S3 lower-cases x-amz-meta-* names), control characters in values, more than
// 2 KiB in all (the S3 limit). Values may be any other UTF-8 (S3: percent-encoded on the wire).
void check_metadata(const Metadata& metadata);

// The media type of a key by its extension ("a/b.MP4" -> "video/mp4", "x.wav" -> "audio/wav"),
// "application/octet-stream" when unknown. S3 objects are stored with it (what presigned URLs are
// served with, so that browsers and Label Studio play them); the server can serve local files with it.
std::string content_type_for(const std::string& key);

// Opens the backend the location names. Throws InvalidArgument for a bad configuration.
std::unique_ptr<ObjectStore> open_store(const StoreConfig& config);

}  // namespace vidseg::storage

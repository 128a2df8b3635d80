#include "vidseg/storage/s3_store.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>

#include <pugixml.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/s3_connection.hpp"
#include "vidseg/storage/sigv4.hpp"
#include "vidseg/storage/streamed_files.hpp"

namespace vidseg::storage {

namespace {

constexpr const char* kMetaHeader = "x-amz-meta-";

std::int64_t now_unix() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// "Wed, 07 Dec 2026 09:28:16 GMT" (HTTP) or "2026-12-07T09:28:16.000Z" (XML) -> seconds since the epoch.
std::int64_t parse_time(const std::string& text, const char* format) {
    std::tm tm{};
    if (text.empty() || !::strptime(text.c_str(), format, &tm)) return 0;
    return static_cast<std::int64_t>(::timegm(&tm));
}

std::string unquote(std::string etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
}

// The headers that describe a new object: its user metadata and content type.
std::vector<std::string> object_headers(const std::string& key, const Metadata& metadata) {
    std::vector<std::string> out;
    out.push_back("Content-Type: " + content_type_for(key));  // what presigned URLs are served with
    for (const auto& [name, value] : metadata)
        out.push_back(kMetaHeader + name + ": " + encode_metadata_value(value));
    return out;
}

pugi::xml_document parse_xml(const net::HttpResponse& response, const std::string& what,
                             const std::string& subject) {
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size())) {
        throw Error(ErrorCode::InvalidData, "unreadable XML in the S3 answer to " + what, subject);
    }
    return doc;
}

// Bytes gather in one part_size buffer (constant memory): a small object is one PutObject at
// commit(); once a buffer fills, a multipart upload starts and every full buffer is one part.
// It keeps its own copy of the connection settings, so it may outlive the store that made it.
class S3Writer final : public ObjectWriter {
public:
    S3Writer(const S3Connection& s3, std::string key, std::string object, Metadata metadata)
        : s3_(s3), key_(std::move(key)), object_(std::move(object)), metadata_(std::move(metadata)) {}
    ~S3Writer() override {
        try {
            abort();
        } catch (...) {  // the server is gone: its lifecycle rules clean up stale uploads
        }
    }

    void write(const char* data, std::size_t size) override {
        if (done_) throw Error(ErrorCode::Internal, "write to a finished object writer", key_);
        const std::size_t part_size = s3_.config().part_size;
        while (size > 0) {
            if (buffer_.size() + size >= part_size && buffer_.capacity() < part_size)
                buffer_.reserve(part_size);
            const std::size_t n = std::min(size, part_size - buffer_.size());
            buffer_.append(data, n);
            data += n;
            size -= n;
            if (buffer_.size() == part_size) upload_part();
        }
    }

    ObjectInfo commit() override {
        if (done_) throw Error(ErrorCode::Internal, "commit of a finished object writer", key_);
        done_ = true;
        ObjectInfo info;
        info.key = key_;
        info.size = written_ + buffer_.size();
        info.metadata = metadata_;
        info.modified_unix = now_unix();
        if (upload_id_.empty()) {
            net::HttpRequest put;
            put.method = "PUT";
            put.url = s3_.url(object_);
            put.headers = object_headers(key_, metadata_);
            put.body = std::move(buffer_);
            const auto response = s3_.send(put, key_);
            if (response.status != 200) s3_.fail(response, "write " + object_, key_, true);
            info.etag = unquote(response.header("etag"));
            return info;
        }
        if (!buffer_.empty() || parts_.empty()) upload_part();
        std::string xml = "<CompleteMultipartUpload>";
        for (std::size_t i = 0; i < parts_.size(); ++i) {
            xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + parts_[i] +
                   "</ETag></Part>";
        }
        xml += "</CompleteMultipartUpload>";
        net::HttpRequest complete;
        complete.method = "POST";
        complete.url = s3_.url(object_, "uploadId=" + uri_encode(upload_id_, false));
        complete.headers = {"Content-Type: application/xml"};
        complete.body = std::move(xml);
        complete.stall_seconds = 0;  // assembling a large object may keep the answer a while
        const auto response = s3_.send(complete, key_);
        // S3 may answer 200 with an <Error> body when the assembly fails late.
        if (response.status != 200 || !s3_error_of(response.body).first.empty()) {
            s3_.fail(response, "complete the multipart upload of " + object_, key_, true);
        }
        upload_id_.clear();
        info.etag = unquote(parse_xml(response, "CompleteMultipartUpload", key_)
                                .child("CompleteMultipartUploadResult")
                                .child_value("ETag"));
        return info;
    }

    void abort() override {
        done_ = true;
        buffer_ = std::string();
        if (upload_id_.empty()) return;
        const std::string id = std::move(upload_id_);
        upload_id_.clear();
        net::HttpRequest request;
        request.method = "DELETE";
        request.url = s3_.url(object_, "uploadId=" + uri_encode(id, false));
        const auto response = s3_.send(request, key_);
        if (response.status != 204 && response.status != 200 && response.status != 404) {
            s3_.fail(response, "abort the multipart upload of " + object_, key_, true);
        }
    }

private:
    void start_upload() {
        net::HttpRequest request;
        request.method = "POST";
        request.url = s3_.url(object_, "uploads=");
        request.headers = object_headers(key_, metadata_);
        const auto response = s3_.send(request, key_);
        if (response.status != 200) s3_.fail(response, "start a multipart upload of " + object_, key_, true);
        upload_id_ = parse_xml(response, "CreateMultipartUpload", key_)
                         .child("InitiateMultipartUploadResult")
                         .child_value("UploadId");
        if (upload_id_.empty()) throw Error(ErrorCode::InvalidData, "S3 answered no UploadId", key_);
    }

    void upload_part() {
        if (upload_id_.empty()) start_upload();
        const std::size_t number = parts_.size() + 1;
        net::HttpRequest request;
        request.method = "PUT";
        request.url = s3_.url(
            object_, "partNumber=" + std::to_string(number) + "&uploadId=" + uri_encode(upload_id_, false));
        request.body.swap(buffer_);  // the buffer's capacity comes back below: no reallocation per part
        const auto response = s3_.send(request, key_);
        buffer_.swap(request.body);
        if (response.status != 200)
            s3_.fail(response, "write part " + std::to_string(number) + " of " + object_, key_, true);
        parts_.push_back(response.header("etag"));
        written_ += buffer_.size();
        buffer_.clear();
    }

    const S3Connection s3_;
    std::string key_;
    std::string object_;
    Metadata metadata_;
    std::string buffer_;
    std::string upload_id_;
    std::vector<std::string> parts_;  // ETags of the uploaded parts, in order
    std::uint64_t written_ = 0;       // bytes in uploaded parts
    bool done_ = false;
};

class S3Store final : public ObjectStore {
public:
    explicit S3Store(const StoreConfig& config) : s3_(config) {}

    std::string describe() const override {
        return "s3 " + s3_.endpoint() + " " + s3_.bucket() +
               (s3_.prefix().empty() ? "" : "/" + s3_.prefix().substr(0, s3_.prefix().size() - 1));
    }

    std::unique_ptr<ObjectWriter> create(const std::string& key, const Metadata& metadata) override {
        const std::string object = object_of(key);
        check_metadata(metadata);
        return std::make_unique<S3Writer>(s3_, key, object, metadata);
    }

    ObjectInfo put_file(const std::string& key, const std::filesystem::path& file,
                        const Metadata& metadata) override {
        return upload_file(*this, key, file, metadata);
    }

    void read(const std::string& key, const std::function<void(const char*, std::size_t)>& sink,
              std::uint64_t offset, std::uint64_t length) override {
        net::HttpRequest request;
        request.url = s3_.url(object_of(key));
        if (offset != 0 || length != 0) {
            request.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" +
                                      (length ? std::to_string(offset + length - 1) : std::string()));
        }
        // A server that ignores Range answers 200 with the whole object: never pass on more than asked.
        std::uint64_t left = length ? length : UINT64_MAX;
        request.body_sink = [&](const char* data, std::size_t size) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size, left));
            if (n > 0) sink(data, n);
            left -= n;
        };
        const auto response = s3_.send(request, key);
        if (response.status != 200 && response.status != 206) s3_.fail(response, "read " + key, key, false);
        if (response.status == 200 && offset != 0) {
            throw Error(
                ErrorCode::InvalidData,
                "S3 server " + s3_.endpoint() + " ignored the byte range of a read (answered 200, not 206)",
                key);
        }
    }

    void get_file(const std::string& key, const std::filesystem::path& file) override {
        download_file(*this, key, file);
    }

    std::optional<ObjectInfo> stat(const std::string& key) override {
        net::HttpRequest request;
        request.method = "HEAD";
        request.url = s3_.url(object_of(key));
        const auto response = s3_.send(request, key);
        if (response.status == 404) return std::nullopt;
        if (response.status != 200) s3_.fail(response, "stat " + key, key, false);
        ObjectInfo info;
        info.key = key;
        info.size = std::stoull("0" + response.header("content-length"));
        info.etag = unquote(response.header("etag"));
        info.modified_unix = parse_time(response.header("last-modified"), "%a, %d %b %Y %H:%M:%S");
        const std::string meta = kMetaHeader;
        for (const auto& [name, value] : response.headers) {
            if (name.rfind(meta, 0) == 0)
                info.metadata[name.substr(meta.size())] = decode_metadata_value(value);
        }
        return info;
    }

    std::vector<ObjectInfo> list(const std::string& prefix) override {
        check_prefix(prefix);
        std::vector<ObjectInfo> out;
        std::string token;
        const std::string full_prefix = s3_.prefix() + prefix;
        do {
            // Parameters in the byte order of their names (the canonical query SigV4 signs).
            std::string query;
            if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
            query += "list-type=2&max-keys=" + std::to_string(s3_.config().list_page_size);
            if (!full_prefix.empty()) query += "&prefix=" + uri_encode(full_prefix, false);
            net::HttpRequest request;
            request.url = s3_.url("", query);
            const auto response = s3_.send(request, prefix);
            if (response.status != 200) s3_.fail(response, "list " + full_prefix, prefix, false);
            const auto doc = parse_xml(response, "ListObjectsV2", prefix);
            const auto result = doc.child("ListBucketResult");
            for (const auto& contents : result.children("Contents")) {
                ObjectInfo info;
                info.key = std::string(contents.child_value("Key")).substr(s3_.prefix().size());
                info.size = std::stoull("0" + std::string(contents.child_value("Size")));
                info.etag = unquote(contents.child_value("ETag"));
                info.modified_unix = parse_time(contents.child_value("LastModified"), "%Y-%m-%dT%H:%M:%S");
                out.push_back(std::move(info));
            }
            token = std::string(result.child_value("IsTruncated")) == "true"
                        ? result.child_value("NextContinuationToken")
                        : "";
        } while (!token.empty());
        return out;  // S3 lists in UTF-8 byte order, the order std::string compares
    }

    // CopyObject: the server copies, nothing streams through vidseg. Its limit is 5 GiB per object; a
    // larger one is streamed (ObjectStore::copy).
    ObjectInfo copy(const std::string& from, const std::string& to, const Metadata& metadata) override {
        const std::string source = object_of(from), object = object_of(to);
        check_metadata(metadata);
        const auto info = stat(from);
        if (!info) throw Error(ErrorCode::InputNotFound, "no such object in " + describe(), from);
        if (info->size > (std::uint64_t{5} << 30)) return ObjectStore::copy(from, to, metadata);
        net::HttpRequest request;
        request.method = "PUT";
        request.url = s3_.url(object);
        request.headers = object_headers(to, metadata);
        request.headers.push_back("x-amz-copy-source: /" + s3_.bucket() + "/" + uri_encode(source, true));
        request.headers.push_back("x-amz-metadata-directive: REPLACE");
        request.stall_seconds = 0;  // the server answers once it has copied
        const auto response = s3_.send(request, to);
        // S3 may answer 200 with an <Error> body when the copy fails late.
        if (response.status != 200 || !s3_error_of(response.body).first.empty())
            s3_.fail(response, "copy " + source + " to " + object, to, true);
        ObjectInfo out;
        out.key = to;
        out.size = info->size;
        out.metadata = metadata;
        out.modified_unix = now_unix();
        out.etag = unquote(parse_xml(response, "CopyObject", to).child("CopyObjectResult").child_value("ETag"));
        return out;
    }

    void remove(const std::string& key) override {
        net::HttpRequest request;
        request.method = "DELETE";
        request.url = s3_.url(object_of(key));
        const auto response = s3_.send(request, key);
        if (response.status != 204 && response.status != 200 && response.status != 404) {
            s3_.fail(response, "remove " + key, key, true);
        }
    }

    std::optional<std::string> presigned_get_url(const std::string& key,
                                                 std::chrono::seconds expiry) override {
        PresignRequest request;
        request.canonical_uri = s3_.canonical_path(object_of(key));
        request.base_url = s3_.presign_base();
        request.region = s3_.config().region;
        request.access_key = s3_.config().access_key;
        request.secret_key = s3_.config().secret_key;
        request.now_unix = now_unix();
        request.expiry = expiry.count() == 0 ? s3_.config().presign_expiry : expiry;
        return presign_get(request);
    }

private:
    std::string object_of(const std::string& key) const {
        check_key(key);
        return s3_.prefix() + key;
    }

    S3Connection s3_;
};

}  // namespace

std::unique_ptr<ObjectStore> open_s3_store(const StoreConfig& config) {
    return std::make_unique<S3Store>(config);
}

}  // namespace vidseg::storage

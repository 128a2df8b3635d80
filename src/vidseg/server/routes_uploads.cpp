// The tus 1.0 endpoint at /api/uploads/ (core + creation + termination + checksum).
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/tus_headers.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

using platform::ApiError;

namespace {

// Every tus answer names the protocol version; requests must speak it (OPTIONS excepted).
void tus_exchange(Exchange& x) {
    x.response.set_header("Tus-Resumable", platform::kTusVersion);
    if (x.request.get_header_value("Tus-Resumable") != platform::kTusVersion) {
        x.response.set_header("Tus-Version", platform::kTusVersion);
        throw ApiError(412, "tus_version", "this endpoint speaks tus 1.0.0 (Tus-Resumable: 1.0.0)");
    }
}

std::uint64_t size_header(const Exchange& x, const char* name) {
    if (!x.request.has_header(name)) throw ApiError(400, "bad_request", std::string(name) + " is required");
    const auto value = platform::parse_tus_size(x.request.get_header_value(name));
    if (!value) throw ApiError(400, "bad_request", std::string(name) + " must be a non-negative integer");
    return *value;
}

}  // namespace

void add_upload_routes(Router& router) {
    auto& uploads = router.platform().uploads();
    auto& metrics = router.metrics();
    const std::string one = R"(/api/uploads/([A-Za-z0-9_-]{1,64}))";

    router.add("OPTIONS", "/api/uploads/?", "OPTIONS /api/uploads/", Access::Public, [&uploads](Exchange& x) {
        x.response.set_header("Tus-Resumable", platform::kTusVersion);
        x.response.set_header("Tus-Version", platform::kTusVersion);
        x.response.set_header("Tus-Extension", platform::kTusExtensions);
        x.response.set_header("Tus-Max-Size", std::to_string(uploads.config().max_size));
        x.response.set_header("Tus-Checksum-Algorithm", platform::kTusChecksumAlgorithms);
        x.response.status = 204;
    });

    router.add("POST", "/api/uploads/?", "POST /api/uploads/", Access::User, [&uploads](Exchange& x) {
        tus_exchange(x);
        if (x.request.has_header("Upload-Defer-Length"))
            throw ApiError(400, "bad_request", "Upload-Defer-Length is not supported: send Upload-Length");
        const auto length = size_header(x, "Upload-Length");
        const auto metadata = platform::parse_upload_metadata(x.request.get_header_value("Upload-Metadata"));
        const auto upload = uploads.create(x.who(), length, metadata);
        x.response.set_header("Location", "/api/uploads/" + upload.id);
        x.response.status = 201;
    });

    router.add("GET", one, "HEAD /api/uploads/{id}", Access::User, [&uploads](Exchange& x) {
        tus_exchange(x);
        const auto upload = uploads.find(x.who(), x.param(1));
        x.response.set_header("Upload-Offset", std::to_string(upload.offset));
        x.response.set_header("Upload-Length", std::to_string(upload.length));
        x.response.status = 200;
    });

    router.add("PATCH", one, "PATCH /api/uploads/{id}", Access::User, [&uploads, &metrics](Exchange& x) {
        tus_exchange(x);
        if (x.request.get_header_value("Content-Type") != "application/offset+octet-stream")
            throw ApiError(415, "bad_content_type",
                           "PATCH needs Content-Type: application/offset+octet-stream");
        const auto offset = size_header(x, "Upload-Offset");
        std::optional<platform::UploadChecksum> checksum;
        if (x.request.has_header("Upload-Checksum"))
            checksum = platform::parse_upload_checksum(x.request.get_header_value("Upload-Checksum"));
        const auto result = uploads.append(
            x.who(), x.param(1), offset, checksum,
            [&x, &metrics](const std::function<bool(const char*, std::size_t)>& sink) {
                return x.read_body([&](const char* data, std::size_t size) {
                    metrics.add_upload_bytes(size);
                    return sink(data, size);
                });
            },
            x.ip);
        x.response.set_header("Upload-Offset", std::to_string(result.offset));
        if (result.video) x.response.set_header("Vidseg-Video-Id", std::to_string(result.video->id));
        x.response.status = 204;
    });

    router.add("DELETE", one, "DELETE /api/uploads/{id}", Access::User, [&uploads](Exchange& x) {
        tus_exchange(x);
        uploads.terminate(x.who(), x.param(1));
        x.response.status = 204;
    });
}

}  // namespace vidseg::server

#include "vidseg/platform/uploads.hpp"

#include <ctime>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/media/probe.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/crypto.hpp"
#include "vidseg/platform/digest.hpp"

namespace vidseg::platform {

namespace fs = std::filesystem;

namespace {

// Marks an upload busy for one request; a second concurrent PATCH is refused rather than interleaved.
class BusyGuard {
  public:
    BusyGuard(std::mutex& mutex, std::set<std::string>& busy, const std::string& id)
        : mutex_(mutex), busy_(busy), id_(id) {
        std::lock_guard lock(mutex_);
        if (!busy_.insert(id_).second)
            throw ApiError(423, "locked", "another request is writing to this upload");
    }
    ~BusyGuard() {
        std::lock_guard lock(mutex_);
        busy_.erase(id_);
    }

  private:
    std::mutex& mutex_;
    std::set<std::string>& busy_;
    std::string id_;
};

// Containers of the videos the engine works with (FFmpeg demuxer names); decided by probing.
bool accepted_container(const std::string& container) {
    for (const char* name : {"mov", "mp4", "matroska", "webm", "avi"})
        for (std::size_t pos = 0; pos <= container.size();) {
            auto comma = container.find(',', pos);
            if (comma == std::string::npos) comma = container.size();
            if (container.compare(pos, comma - pos, name) == 0) return true;
            pos = comma + 1;
        }
    return false;
}

}  // namespace

std::string video_key(const std::string& user, const std::string& file_name, std::int64_t unix_time) {
    std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char day[16];
    std::strftime(day, sizeof day, "%Y%m%d", &tm);
    // Only the last component of the client's name, made safe (core/safe_path: an ordinary name stays
    // as it is, another one is cleaned and gets a hash of the original).
    const auto slash = file_name.find_last_of("/\\");
    const std::string base = slash == std::string::npos ? file_name : file_name.substr(slash + 1);
    return user + "/task_" + day + "/" + vidseg::safe_file_name(base.empty() ? "upload" : base);
}

Uploads::Uploads(catalog::Catalog& catalog, storage::ObjectStore& store, UploadsConfig config,
                 std::function<void(const Principal&, const catalog::Video&, const std::string&)> on_video)
    : catalog_(catalog), store_(store), config_(std::move(config)), on_video_(std::move(on_video)) {
    fs::create_directories(config_.staging_dir);
}

fs::path Uploads::staging_file(const std::string& id) const {
    return config_.staging_dir / (id + ".part");
}

catalog::Upload Uploads::create(const Principal& owner, std::uint64_t length,
                                const std::map<std::string, std::string>& metadata) {
    if (length > config_.max_size)
        throw ApiError(413, "too_large",
                       "the upload is " + std::to_string(length) + " bytes; the limit is " +
                           std::to_string(config_.max_size));
    if (length == 0) throw ApiError(400, "empty_upload", "an empty file is not a video");
    catalog::Upload upload;
    upload.id = random_token(16);
    upload.user_id = owner.user.id;
    upload.length = length;
    auto name = metadata.find("filename");
    upload.filename = name != metadata.end() ? name->second : "upload";
    upload.metadata_json =
        nlohmann::json(metadata).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    upload.created = unix_now();
    {
        std::ofstream touch(staging_file(upload.id), std::ios::binary | std::ios::trunc);
        if (!touch)
            throw Error(ErrorCode::OutputError, "cannot create the staging file",
                        staging_file(upload.id).string());
    }
    catalog_.add_upload(upload);
    return upload;
}

catalog::Upload Uploads::find(const Principal& caller, const std::string& id) {
    auto upload = catalog_.find_upload(id);
    if (!upload || (upload->user_id != caller.user.id && !caller.is_admin())) throw not_found("upload");
    return *upload;
}

AppendResult Uploads::append(const Principal& caller, const std::string& id, std::uint64_t offset,
                             const std::optional<UploadChecksum>& checksum, const BodyReader& body,
                             const std::string& ip) {
    auto upload = find(caller, id);
    BusyGuard guard(busy_mutex_, busy_, id);
    upload = find(caller, id);  // the offset as the previous request left it
    if (offset != upload.offset)
        throw ApiError(409, "offset_mismatch",
                       "Upload-Offset " + std::to_string(offset) + " does not match the upload's offset " +
                           std::to_string(upload.offset));
    const auto file = staging_file(id);
    // Bytes past the recorded offset are from a request that died before it recorded them.
    std::error_code ec;
    fs::resize_file(file, upload.offset, ec);
    if (ec)
        throw Error(ErrorCode::OutputError, "cannot resume the staging file: " + ec.message(), file.string());
    std::ofstream out(file, std::ios::binary | std::ios::app);
    if (!out) throw Error(ErrorCode::OutputError, "cannot open the staging file", file.string());

    std::optional<Digest> digest;
    if (checksum) digest.emplace(checksum->algorithm);
    std::uint64_t received = 0;
    bool too_long = false;
    constexpr std::uint64_t kRecordEvery = 8u << 20;  // a server crash loses at most this much
    std::uint64_t recorded = upload.offset;
    const bool complete_body = body([&](const char* data, std::size_t size) {
        if (upload.offset + received + size > upload.length) {
            too_long = true;
            return false;
        }
        out.write(data, static_cast<std::streamsize>(size));
        if (!out) return false;
        if (digest) digest->update(data, size);
        received += size;
        if (!checksum && upload.offset + received - recorded >= kRecordEvery) {
            out.flush();
            recorded = upload.offset + received;
            catalog_.set_upload_offset(id, recorded);
        }
        return true;
    });
    out.flush();
    if (!out)
        throw Error(ErrorCode::OutputError, "cannot write the staging file (disk full?)", file.string());
    out.close();
    if (too_long) {
        fs::resize_file(file, upload.offset, ec);
        throw ApiError(413, "too_large", "the request carries more bytes than Upload-Length");
    }
    if (checksum) {
        // The checksum covers exactly this request's bytes: an incomplete or wrong body is dropped.
        if (!complete_body || digest->finish() != checksum->digest) {
            fs::resize_file(file, upload.offset, ec);
            if (!complete_body) return {upload.offset, std::nullopt};
            throw ApiError(460, "checksum_mismatch", "Upload-Checksum does not match the bytes received");
        }
    }
    upload.offset += received;
    catalog_.set_upload_offset(id, upload.offset);
    AppendResult result{upload.offset, std::nullopt};
    if (upload.offset == upload.length) result.video = finish(caller, upload, ip);
    return result;
}

catalog::Video Uploads::finish(const Principal& caller, const catalog::Upload& upload,
                               const std::string& ip) {
    const auto file = staging_file(upload.id);
    auto discard = [&] {
        std::error_code ec;
        fs::remove(file, ec);
        catalog_.remove_upload(upload.id);
    };
    media::MediaInfo info;
    try {
        media::ProbeOptions options;
        options.scan_packets = false;
        info = media::probe(file.string(), options);
        if (!info.video() || !accepted_container(info.container))
            throw Error(ErrorCode::InvalidMedia,
                        info.video() ? "the container '" + info.container + "' is not accepted"
                                     : "it has no video stream");
    } catch (const Error& e) {
        discard();
        throw ApiError(422, "not_a_video",
                       "'" + upload.filename +
                           "' is not a video the engine can read (MP4, MOV, MKV, AVI, WebM): " + e.cause() +
                           "; nothing was kept");
    }
    const auto owner = catalog_.user_by_id(upload.user_id);
    if (!owner) {
        discard();
        throw not_found("the upload's owner");
    }
    catalog::Video video;
    video.user_id = owner->id;
    video.name = upload.filename;
    video.created = unix_now();
    video.size = upload.length;
    video.sha256 = file_sha256_hex(file);
    video.state = "storing";
    nlohmann::json summary = {{"container", info.container}, {"duration", info.duration}};
    video.info_json = summary.dump();
    // Same name on the same day: lesson.mp4, lesson_2.mp4, ... The stem is unique among the user's videos,
    // since the arrival job's outputs are named after it (lesson.wav); the catalog row reserves the key.
    const std::string base = video_key(owner->name, upload.filename, video.created);
    const std::string base_stem = key_stem(base);
    const std::string ext = base.substr(base_stem.size());
    {
        std::lock_guard lock(finish_mutex_);
        std::set<std::string> stems;
        for (const auto& v : catalog_.videos(owner->id)) stems.insert(key_stem(v.key));
        video.key = base;
        for (int n = 2; stems.count(key_stem(video.key)) || store_.stat(video.key); ++n)
            video.key = base_stem + "_" + std::to_string(n) + ext;
        video = catalog_.add_video(video);
    }
    try {
        store_.put_file(video.key, file, {{"owner", owner->name}, {"sha256", video.sha256}});
    } catch (...) {
        catalog_.remove_video(video.id);
        discard();
        throw;
    }
    discard();
    video.state = "arriving";
    catalog_.update_video(video.id, video.state, video.info_json);
    if (on_video_) on_video_(caller, video, ip);
    return video;
}

std::string key_stem(const std::string& key) {
    const auto slash = key.rfind('/');
    const auto dot = key.rfind('.');
    return dot != std::string::npos && (slash == std::string::npos || dot > slash) ? key.substr(0, dot) : key;
}

void Uploads::terminate(const Principal& caller, const std::string& id) {
    find(caller, id);
    BusyGuard guard(busy_mutex_, busy_, id);
    std::error_code ec;
    fs::remove(staging_file(id), ec);
    catalog_.remove_upload(id);
}

std::size_t Uploads::remove_abandoned(std::chrono::seconds age) {
    std::error_code ec;
    if (!fs::is_directory(config_.staging_dir, ec)) return 0;
    const auto cutoff = fs::file_time_type::clock::now() - age;
    std::vector<std::string> stale;
    for (const auto& entry : fs::directory_iterator(config_.staging_dir, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() != ".part" || entry.last_write_time(ec) > cutoff || ec) continue;
        stale.push_back(name.substr(0, name.size() - 5));
    }
    std::size_t removed = 0;
    for (const auto& id : stale) {
        try {
            BusyGuard guard(busy_mutex_, busy_, id);  // a request writing to it now keeps it
            fs::remove(staging_file(id), ec);
            if (catalog_.find_upload(id)) catalog_.remove_upload(id);
            ++removed;
        } catch (const ApiError&) {
        }
    }
    return removed;
}

}  // namespace vidseg::platform

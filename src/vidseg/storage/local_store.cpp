#include "vidseg/storage/local_store.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/atomic_file.hpp"
#include "vidseg/storage/streamed_files.hpp"

namespace fs = std::filesystem;

namespace vidseg::storage {

namespace {

constexpr std::size_t kReadBlock = 1u << 16;

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The store's own files (metadata sidecars, temp files of writes in progress) are not objects.
bool is_bookkeeping(const std::string& name) {
    return ends_with(name, LocalStore::kMetaSuffix) ||
           name.find(AtomicFile::kTempMarker) != std::string::npos;
}

fs::path meta_path(const fs::path& object) {
    return object.string() + LocalStore::kMetaSuffix;
}

std::optional<ObjectInfo> file_info(const std::string& key, const fs::path& path) {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    ObjectInfo info;
    info.key = key;
    info.size = static_cast<std::uint64_t>(st.st_size);
    info.modified_unix = st.st_mtim.tv_sec;
    std::ostringstream etag;
    etag << std::hex << info.size << '-' << st.st_mtim.tv_sec << '.' << st.st_mtim.tv_nsec;
    info.etag = etag.str();
    return info;
}

Metadata read_metadata(const fs::path& object) {
    std::ifstream in(meta_path(object));
    if (!in) return {};
    const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    Metadata out;
    if (!json.is_object()) return out;  // a damaged sidecar: the object stays readable
    for (const auto& [name, value] : json.items()) {
        if (value.is_string()) out[name] = value.get<std::string>();
    }
    return out;
}

void write_metadata(const fs::path& object, const Metadata& metadata) {
    const fs::path path = meta_path(object);
    if (metadata.empty()) {
        std::error_code ec;
        fs::remove(path, ec);  // an overwritten object must not keep its predecessor's metadata
        return;
    }
    AtomicFile out(path);
    const std::string text = nlohmann::json(metadata).dump();
    out.write(text.data(), text.size());
    out.commit();
}

class LocalWriter final : public ObjectWriter {
public:
    LocalWriter(std::string key, const fs::path& path, Metadata metadata)
        : key_(std::move(key)), file_(path), metadata_(std::move(metadata)) {}

    void write(const char* data, std::size_t size) override {
        if (done_) throw Error(ErrorCode::Internal, "write to a finished object writer", key_);
        file_.write(data, size);
    }

    ObjectInfo commit() override {
        if (done_) throw Error(ErrorCode::Internal, "commit of a finished object writer", key_);
        done_ = true;
        write_metadata(file_.target(), metadata_);
        file_.commit();
        auto info = file_info(key_, file_.target());
        if (!info) throw Error(ErrorCode::OutputError, "the committed object vanished", key_);
        info->metadata = metadata_;
        return *info;
    }

    void abort() override {
        done_ = true;
        file_.abort();
    }

private:
    std::string key_;
    AtomicFile file_;
    Metadata metadata_;
    bool done_ = false;
};

}  // namespace

LocalStore::LocalStore(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (!fs::is_directory(root_)) {
        throw Error(ErrorCode::OutputError,
                    "cannot create the storage folder" + (ec ? ": " + ec.message() : std::string()),
                    root_.string());
    }
}

std::string LocalStore::describe() const {
    return "local " + root_.string();
}

fs::path LocalStore::path_of(const std::string& key) const {
    check_key(key);
    const auto slash = key.rfind('/');
    if (is_bookkeeping(slash == std::string::npos ? key : key.substr(slash + 1))) {
        throw Error(ErrorCode::InvalidArgument,
                    std::string("invalid storage key: names ending in ") + kMetaSuffix + " or containing " +
                        AtomicFile::kTempMarker + " are reserved by the local store",
                    key);
    }
    return root_ / key;
}

std::unique_ptr<ObjectWriter> LocalStore::create(const std::string& key, const Metadata& metadata) {
    const fs::path path = path_of(key);
    check_metadata(metadata);
    return std::make_unique<LocalWriter>(key, path, metadata);
}

ObjectInfo LocalStore::put_file(const std::string& key, const fs::path& file, const Metadata& metadata) {
    return upload_file(*this, key, file, metadata);
}

void LocalStore::read(const std::string& key, const std::function<void(const char*, std::size_t)>& sink,
                      std::uint64_t offset, std::uint64_t length) {
    const fs::path path = path_of(key);
    const auto info = file_info(key, path);
    std::ifstream in(path, std::ios::binary);
    if (!info || !in) throw Error(ErrorCode::InputNotFound, "no such object in " + describe(), key);
    if ((offset != 0 || length != 0) && offset >= info->size) {
        throw Error(ErrorCode::InvalidArgument,
                    "range starts at byte " + std::to_string(offset) + ", after the end of the object (" +
                        std::to_string(info->size) + " bytes)",
                    key);
    }
    std::uint64_t left = info->size - offset;
    if (length != 0) left = std::min(left, length);
    in.seekg(static_cast<std::streamoff>(offset));
    std::vector<char> block(static_cast<std::size_t>(std::min<std::uint64_t>(kReadBlock, left)));
    while (left > 0 && in) {
        in.read(block.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(block.size(), left)));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) break;
        sink(block.data(), got);
        left -= got;
    }
    if (left > 0) throw Error(ErrorCode::InvalidData, "the object was truncated while being read", key);
}

ObjectInfo LocalStore::copy(const std::string& from, const std::string& to, const Metadata& metadata) {
    const fs::path source = path_of(from), target = path_of(to);
    check_metadata(metadata);
    if (!file_info(from, source)) throw Error(ErrorCode::InputNotFound, "no such object in " + describe(), from);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    std::random_device random;
    const fs::path temp = target.string() + AtomicFile::kTempMarker + std::to_string(random());
    fs::create_hard_link(source, temp, ec);
    if (ec) {  // a file system without hard links
        ec.clear();
        fs::copy_file(source, temp, fs::copy_options::overwrite_existing, ec);
    }
    if (!ec) fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw Error(ErrorCode::OutputError, "cannot copy " + from + " in " + describe() + ": " + ec.message(), to);
    }
    write_metadata(target, metadata);
    auto info = file_info(to, target);
    if (!info) throw Error(ErrorCode::OutputError, "the copy vanished", to);
    info->metadata = metadata;
    return *info;
}

void LocalStore::get_file(const std::string& key, const fs::path& file) {
    download_file(*this, key, file);
}

std::optional<ObjectInfo> LocalStore::stat(const std::string& key) {
    const fs::path path = path_of(key);
    auto info = file_info(key, path);
    if (info) info->metadata = read_metadata(path);
    return info;
}

std::vector<ObjectInfo> LocalStore::list(const std::string& prefix) {
    // The prefix is a string prefix (as in S3), not necessarily a folder: walk the deepest folder it
    // names completely and filter.
    check_prefix(prefix);
    const auto slash = prefix.rfind('/');
    const std::string folder = slash == std::string::npos ? std::string() : prefix.substr(0, slash);
    std::vector<ObjectInfo> out;
    const fs::path start = folder.empty() ? root_ : root_ / folder;
    std::error_code ec;
    if (!fs::is_directory(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::path& path = it->path();
        if (is_bookkeeping(path.filename().string())) continue;
        const std::string key = path.lexically_relative(root_).generic_string();
        if (key.rfind(prefix, 0) != 0) continue;
        if (auto info = file_info(key, path)) out.push_back(std::move(*info));
    }
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
}

void LocalStore::remove(const std::string& key) {
    const fs::path path = path_of(key);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != EISDIR) {
        throw Error(ErrorCode::OutputError, std::string("cannot remove the object: ") + std::strerror(errno),
                    key);
    }
    ::unlink(meta_path(path).c_str());
    sync_directory(path.parent_path());
    // Prune the folders the removal emptied (rmdir refuses non-empty ones), never the root.
    for (fs::path dir = path.parent_path(); dir != root_ && dir.string().size() > root_.string().size();
         dir = dir.parent_path()) {
        if (::rmdir(dir.c_str()) != 0) break;
    }
}

std::optional<std::string> LocalStore::presigned_get_url(const std::string& key, std::chrono::seconds) {
    (void)path_of(key);
    return std::nullopt;  // the server serves local files itself, behind its own authentication
}

std::size_t remove_stale_temp_files(const fs::path& root) {
    std::vector<fs::path> stale;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (AtomicFile::is_temp_name(it->path().filename().string()) && it->is_regular_file(ec)) stale.push_back(it->path());
    }
    std::size_t removed = 0;
    for (const auto& path : stale) {
        if (::unlink(path.c_str()) == 0) ++removed;
        else if (errno != ENOENT)
            throw Error(ErrorCode::OutputError, std::string("cannot remove a stale temp file: ") + std::strerror(errno),
                        path.string());
    }
    if (removed > 0)
        for (const auto& path : stale) sync_directory(path.parent_path());
    return removed;
}

}  // namespace vidseg::storage

#include "vidseg/storage/object_store.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "vidseg/core/error.hpp"
#include "vidseg/storage/local_store.hpp"
#include "vidseg/storage/s3_store.hpp"

namespace vidseg::storage {

namespace {

constexpr std::size_t kMaxKeyBytes = 1024;
constexpr std::size_t kMaxMetadataBytes = 2048;  // S3's limit for all user metadata together

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

// The key as it can be shown in a message or a log line: control characters as \xNN.
std::string printable(const std::string& key) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_control(c)) {
            out += "\\x";
            out += kDigits[c >> 4];
            out += kDigits[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

[[noreturn]] void bad_key(const std::string& key, const std::string& why) {
    throw Error(ErrorCode::InvalidArgument, "invalid storage key: " + why, printable(key));
}

}  // namespace

void check_key(const std::string& key) {
    if (key.empty()) bad_key(key, "empty");
    if (key.size() > kMaxKeyBytes) bad_key(key.substr(0, 64) + "...", "longer than 1024 bytes");
    if (key.front() == '/') bad_key(key, "it starts with '/' (keys are relative)");
    for (const char c : key) {
        if (c == '\\') bad_key(key, "it contains a backslash");
        if (is_control(static_cast<unsigned char>(c))) bad_key(key, "it contains a control character");
    }
    std::string_view rest(key);
    while (true) {
        const auto slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        if (part.empty()) bad_key(key, "it has an empty part ('//' or a trailing '/')");
        if (part == "." || part == "..") bad_key(key, "it has a '.' or '..' part");
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
}

void check_prefix(const std::string& prefix) {
    if (prefix.empty()) return;
    check_key(prefix.back() == '/' ? prefix.substr(0, prefix.size() - 1) : prefix);
}

void check_metadata(const Metadata& metadata) {
    std::size_t total = 0;
    for (const auto& [name, value] : metadata) {
        if (name.empty()) throw Error(ErrorCode::InvalidArgument, "empty object metadata name");
        for (const char c : name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw Error(ErrorCode::InvalidArgument,
                            "object metadata names are lower-case letters, digits, '-' and '_'", name);
            }
        }
        for (const char c : value) {
            if (is_control(static_cast<unsigned char>(c))) {
                throw Error(ErrorCode::InvalidArgument, "object metadata value contains a control character",
                            name);
            }
        }
        total += name.size() + value.size();
    }
    if (total > kMaxMetadataBytes) {
        throw Error(ErrorCode::InvalidArgument, "object metadata larger than 2 KiB (the S3 limit)");
    }
}

std::string content_type_for(const std::string& key) {
    static const std::pair<const char*, const char*> kTypes[] = {
        {".mp4", "video/mp4"},
        {".m4v", "video/mp4"},
        {".mov", "video/quicktime"},
        {".mkv", "video/x-matroska"},
        {".webm", "video/webm"},
        {".avi", "video/x-msvideo"},
        {".wav", "audio/wav"},
        {".mp3", "audio/mpeg"},
        {".m4a", "audio/mp4"},
        {".ogg", "audio/ogg"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".png", "image/png"},
        {".webp", "image/webp"},
        {".json", "application/json"},
        {".jsonl", "application/jsonl"},
        {".csv", "text/csv"},
        {".txt", "text/plain; charset=utf-8"},
        {".srt", "application/x-subrip"},
        {".vtt", "text/vtt"},
        {".zip", "application/zip"},
    };
    const auto dot = key.rfind('.');
    if (dot == std::string::npos || key.find('/', dot) != std::string::npos)
        return "application/octet-stream";
    std::string ext = key.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& [suffix, type] : kTypes) {
        if (ext == suffix) return type;
    }
    return "application/octet-stream";
}

ObjectInfo ObjectStore::copy(const std::string& from, const std::string& to, const Metadata& metadata) {
    auto writer = create(to, metadata);
    read(from, [&](const char* data, std::size_t size) { writer->write(data, size); });
    return writer->commit();
}

std::unique_ptr<ObjectStore> open_store(const StoreConfig& config) {
    const std::string& location = config.location;
    if (location.empty()) throw Error(ErrorCode::InvalidArgument, "no storage location given");
    if (location.rfind("s3://", 0) == 0) return open_s3_store(config);
    constexpr std::string_view kFile = "file://";
    if (location.rfind(kFile, 0) == 0) return std::make_unique<LocalStore>(location.substr(kFile.size()));
    if (location.find("://") != std::string::npos) {
        throw Error(ErrorCode::InvalidArgument, "unknown storage location (a folder, file://... or s3://...)",
                    location);
    }
    return std::make_unique<LocalStore>(location);
}

}  // namespace vidseg::storage

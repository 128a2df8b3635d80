#include "vidseg/agent/lesson_source.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "vidseg/core/error.hpp"

namespace fs = std::filesystem;

namespace vidseg::agent {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string extension(const std::string& key) {
    const auto slash = key.rfind('/');
    const auto dot = key.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    return lower(key.substr(dot));
}

bool is_video(const std::string& key) {
    const std::string e = extension(key);
    return e == ".mp4" || e == ".mov" || e == ".mkv" || e == ".avi" || e == ".webm";
}

bool is_export(const std::string& key) {
    const std::string e = extension(key);
    const std::string base = key.substr(key.rfind('/') == std::string::npos ? 0 : key.rfind('/') + 1);
    if (!base.empty() && base[0] == '.') return false;  // bookkeeping (.vidseg-publish.json, ...)
    return e == ".json" || e == ".csv";
}

std::string folder_of(const std::string& key) {
    const auto slash = key.rfind('/');
    return slash == std::string::npos ? "" : key.substr(0, slash);
}

std::string without_extension(const std::string& key) { return key.substr(0, key.size() - extension(key).size()); }

}  // namespace

LessonSource::LessonSource(const storage::StoreConfig& config) {
    if (config.location.rfind("s3://", 0) != 0) {
        std::string path = config.location;
        if (path.rfind("file://", 0) == 0) path = path.substr(7);
        std::error_code ec;
        if (!fs::is_directory(path, ec)) throw Error(ErrorCode::InputNotFound, "source folder not found", config.location);
        local_root_ = path;
    }
    store_ = storage::open_store(config);
}

std::string LessonSource::describe() const { return store_->describe(); }

std::vector<LessonCandidate> LessonSource::list() {
    std::map<std::string, std::vector<SourceObject>> videos, exports;  // by folder
    for (const auto& info : store_->list("")) {
        SourceObject o{info.key, info.size, info.etag};
        if (is_video(info.key)) videos[folder_of(info.key)].push_back(o);
        else if (is_export(info.key)) exports[folder_of(info.key)].push_back(o);
    }
    std::vector<LessonCandidate> lessons;
    for (const auto& [folder, in_folder] : videos) {
        const auto& folder_exports = exports[folder];
        for (const auto& video : in_folder) {
            const std::string stem = without_extension(video.key);
            const SourceObject* annotations = nullptr;
            for (const auto& e : folder_exports)
                if (without_extension(e.key) == stem) annotations = &e;
            if (!annotations && in_folder.size() == 1 && folder_exports.size() == 1) annotations = &folder_exports[0];
            if (annotations) lessons.push_back({stem, video, *annotations});
        }
    }
    std::sort(lessons.begin(), lessons.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return lessons;
}

fs::path LessonSource::local_copy(const SourceObject& object, const fs::path& dir) {
    if (!local_root_.empty()) return local_root_ / object.key;
    const fs::path file = dir / fs::path(object.key).filename();
    store_->get_file(object.key, file);
    return file;
}

}  // namespace vidseg::agent

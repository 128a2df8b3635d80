#include "vidseg/publish/publish_plan.hpp"

#include <algorithm>
#include <set>

#include "vidseg/core/error.hpp"
#include "vidseg/platform/digest.hpp"
#include "vidseg/storage/sigv4.hpp"

namespace fs = std::filesystem;

namespace vidseg::publish {

namespace {

bool skipped(const fs::path& relative) {
    for (const auto& part : relative)
        if (!part.empty() && part.string()[0] == '.') return true;
    return relative == "build_manifest.json";
}

}  // namespace

std::vector<DatasetFile> scan_dataset(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(ErrorCode::InputNotFound, "dataset folder not found", dir.string());
    std::vector<DatasetFile> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        const fs::path relative = it->path().lexically_relative(dir);
        if (skipped(relative)) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file()) continue;
        DatasetFile f;
        f.path = relative.generic_string();
        f.file = it->path();
        f.size = it->file_size();
        f.sha256 = platform::file_sha256_hex(it->path());
        files.push_back(std::move(f));
    }
    if (ec) throw Error(ErrorCode::InputNotFound, "cannot list the dataset folder: " + ec.message(), dir.string());
    if (files.empty()) throw Error(ErrorCode::InvalidArgument, "the dataset folder holds no file to publish", dir.string());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return files;
}

std::string dataset_digest(const std::vector<DatasetFile>& files) {
    std::string listing;
    for (const auto& f : files) listing += f.path + '\t' + f.sha256 + '\n';
    return storage::sha256_hex(listing);
}

std::string target_key(const std::string& prefix, const std::string& path) {
    return prefix.empty() ? path : prefix + "/" + path;
}

std::uint64_t PublishPlan::send_bytes() const {
    std::uint64_t total = 0;
    for (const auto& [file, key] : send) total += file.size;
    return total;
}

PublishPlan plan_publish(const std::vector<DatasetFile>& files, const PublishManifest& manifest,
                         const std::string& prefix,
                         const std::optional<std::map<std::string, std::uint64_t>>& remote_sizes) {
    PublishPlan plan;
    plan.prefix = prefix;
    plan.content_digest = dataset_digest(files);
    plan.same_content = manifest.find_publication(plan.content_digest);
    const auto present = [&](const std::string& key, std::uint64_t size) {
        if (!remote_sizes) return true;
        const auto it = remote_sizes->find(key);
        return it != remote_sizes->end() && it->second == size;
    };
    std::set<std::string> keys;
    for (const auto& f : files) {
        const std::string key = target_key(prefix, f.path);
        keys.insert(key);
        const auto known = manifest.files.find(key);
        if (known != manifest.files.end() && known->second.sha256 == f.sha256 && present(key, f.size)) {
            plan.unchanged.push_back(f);
            continue;
        }
        // The same bytes elsewhere at the target (another lesson, a renamed folder): copy, do not send.
        std::optional<std::string> from;
        for (const auto& [path, published] : manifest.files)
            if (published.sha256 == f.sha256 && path != key && present(path, f.size)) {
                from = path;
                break;
            }
        if (from) plan.copy.push_back({f, key, *from});
        else plan.send.emplace_back(f, key);
    }
    const std::string under = prefix.empty() ? "" : prefix + "/";
    for (const auto& [path, published] : manifest.files)
        if (path.rfind(under, 0) == 0 && !keys.count(path)) plan.remove.push_back(path);
    return plan;
}

}  // namespace vidseg::publish

// What a publication must do, from the folder's files and the target's manifest: send the files
// the target does not have, copy at the target the ones whose bytes it already holds under another
// name, delete the files an earlier publication of the same folder put there and the folder no
// longer has, leave the rest alone.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/publish/publish_manifest.hpp"

namespace vidseg::publish {

struct DatasetFile {
    std::string path;             // relative to the dataset folder, '/'-separated
    std::filesystem::path file;   // on disk
    std::uint64_t size = 0;
    std::string sha256;
};

// The files of a dataset folder, sorted by path, hashed. Skipped: hidden files and folders (".*":
// vidseg's own bookkeeping, editors' files), build_manifest.json (the build's incremental state, with
// local paths). Throws Error(InputNotFound) when the folder is missing, Error(InvalidArgument) when it
// holds no dataset (no file at all).
std::vector<DatasetFile> scan_dataset(const std::filesystem::path& dir);

// SHA-256 over the sorted (path, hash) pairs: the identity of a dataset's content, whatever its
// folder is called.
std::string dataset_digest(const std::vector<DatasetFile>& files);

struct PlannedCopy {
    DatasetFile file;
    std::string key;   // target path of the new file
    std::string from;  // target path that already holds the same bytes
};

struct PublishPlan {
    std::string prefix;  // "" or "lesson_a": the folder's files go under it at the target
    std::string content_digest;
    std::vector<std::pair<DatasetFile, std::string>> send;  // file, target key
    std::vector<PlannedCopy> copy;
    std::vector<std::string> remove;  // target keys
    std::vector<DatasetFile> unchanged;
    std::optional<Publication> same_content;  // this content was published before (maybe from elsewhere)

    std::uint64_t send_bytes() const;
    bool nothing_to_do() const { return send.empty() && copy.empty() && remove.empty(); }
};

// `remote_sizes`: the sizes of what the target actually holds (folder / S3: listed), so that a file
// deleted there behind the manifest's back is sent again; nullopt trusts the manifest (Hub: it is
// committed with the files).
PublishPlan plan_publish(const std::vector<DatasetFile>& files, const PublishManifest& manifest,
                         const std::string& prefix,
                         const std::optional<std::map<std::string, std::uint64_t>>& remote_sizes);

// "prefix/path" or "path".
std::string target_key(const std::string& prefix, const std::string& path);

}  // namespace vidseg::publish

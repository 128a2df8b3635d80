// Where `vidseg agent watch` looks for lessons: a local folder or an S3 prefix (the platform's MinIO
// layout, username/task_YYYYMMDD/video.mp4 + the expert's export), read through storage::ObjectStore.
//
// A lesson is a video (.mp4 .mov .mkv .avi .webm) with its Label Studio export beside it: the JSON
// (or .csv) of the same stem ("lesson1.mp4" + "lesson1.json"), else the only export in the video's
// folder when that folder holds one video. A video without an export is not a lesson yet.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vidseg/storage/object_store.hpp"

namespace vidseg::agent {

struct SourceObject {
    std::string key;
    std::uint64_t size = 0;
    std::string etag;  // change detection beside the size (S3 ETag; local: size + mtime)
};

struct LessonCandidate {
    std::string name;  // the video's key without its extension: "anna/task_20261207/lesson1"
    SourceObject video;
    SourceObject annotations;
};

class LessonSource {
public:
    // location: a folder or s3://bucket/prefix (store settings for S3). Throws Error(InputNotFound)
    // for a missing folder, the store's errors otherwise.
    explicit LessonSource(const storage::StoreConfig& config);

    std::string describe() const;
    // The lessons present now, sorted by name.
    std::vector<LessonCandidate> list();
    // A local copy of an object: the file itself for a folder source, else downloaded into `dir`.
    std::filesystem::path local_copy(const SourceObject& object, const std::filesystem::path& dir);

private:
    std::unique_ptr<storage::ObjectStore> store_;
    std::filesystem::path local_root_;  // empty for S3
};

}  // namespace vidseg::agent

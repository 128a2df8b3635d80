// The publish manifest, kept at the target beside the data (`.vidseg-publish.json`; in a Hub
// repository it is committed with the files it describes, so it never disagrees with them): the
// SHA-256 and size of every file vidseg published there, and a history of publications (which
// dataset content, from where, when). A re-publish compares the folder's hashes with it and sends
// only what changed; a second dataset whose content was already published is recognised by its
// content digest, whatever its folder is called; a file whose bytes are already at the target
// under another name is copied there instead of sent again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg::publish {

inline constexpr const char* kManifestName = ".vidseg-publish.json";

struct PublishedFile {
    std::string sha256;  // hex
    std::uint64_t size = 0;
    std::string published_at;  // UTC, ISO 8601
};

struct Publication {
    std::string content_digest;  // dataset_digest() of the folder published
    std::string source;          // the folder published (absolute path)
    std::string published_at;
    std::size_t files = 0;
    std::size_t sent = 0;    // files whose bytes were transferred
    std::size_t copied = 0;  // files copied at the target from identical content
    std::size_t deleted = 0;
    std::string commit;      // Hub: the commit id
    std::string prefix;      // the folder at the target it went under ("" = the root)
    // What it was made from, when the publisher knows (the agent: SHA-256 over the lesson video's and
    // export's hashes), so that another agent, or one whose state was lost, recognises the lesson.
    std::string origin_digest;
};

struct PublishManifest {
    std::string target;  // where it lives (no credentials)
    std::map<std::string, PublishedFile> files;  // by path relative to the target root
    std::vector<Publication> history;

    // The first publication of this content, if any.
    std::optional<Publication> find_publication(const std::string& content_digest) const;
    // The first publication made from this origin (Publication::origin_digest), if any.
    std::optional<Publication> find_origin(const std::string& origin_digest) const;
    // The document as it is stored at the target.
    std::string to_json_text() const;
};

nlohmann::json to_json(const PublishManifest& manifest);
// Throws Error(InvalidData) naming `source` when the document is not a publish manifest.
PublishManifest manifest_from_json(const std::string& text, const std::string& source);

// "2026-12-07T15:04:05Z"
std::string utc_now_iso8601();

}  // namespace vidseg::publish

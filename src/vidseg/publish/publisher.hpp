// `vidseg dataset publish`: a dataset folder to the Hugging Face Hub, an S3 bucket or a folder, sending
// only what the target does not hold yet (publish_plan.hpp) and keeping the target's manifest
// (publish_manifest.hpp) current after every batch, so an interrupted publication resumes where it
// stopped. Folder and S3 targets go through storage::ObjectStore; the Hub through HubWorkerClient.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "vidseg/publish/hub_worker_client.hpp"
#include "vidseg/publish/publish_plan.hpp"
#include "vidseg/publish/publish_target.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::publish {

struct PublishConfig {
    std::filesystem::path dir;
    PublishTarget target;
    std::string prefix;          // "" or a folder at the target the dataset goes under (the agent: one per lesson)
    bool dry_run = false;        // plan and report; nothing is sent, created or changed
    bool private_repo = false;   // Hub: a new repository is private
    storage::StoreConfig store;  // S3 settings (endpoint, keys); location is the target's
    HubSettings hub;
    std::string message;         // commit message (Hub); empty = "Publish <folder> with vidseg"
    std::size_t batch_files = 100;  // files per Hub commit / per manifest update (the Hub asks for <= ~100)
    std::string origin_digest;  // recorded in the manifest's history (Publication::origin_digest)
};

struct PublishReport {
    PublishTarget target;
    PublishPlan plan;
    bool dry_run = false;
    bool card_generated = false;  // the folder had no README.md: a minimal card was published
    std::size_t sent = 0, copied = 0, removed = 0;
    // Files an interrupted publication had sent after its last manifest update, found at the target
    // (same key, size and SHA-256) and recorded instead of sent again.
    std::size_t adopted = 0;
    // Folder target: temp files of a publication killed mid-write, removed before this one started.
    std::size_t stale_temp_files_removed = 0;
    std::uint64_t bytes_sent = 0;
    std::vector<std::string> commits;  // Hub
    std::string url;                   // Hub: the repository page
    double seconds = 0;
};

// Throws Error(InputNotFound) for a missing folder, the store's / the Hub's errors (the token never
// in a message), Error(Interrupted) when cancelled between files (the manifest says what arrived).
PublishReport publish_dataset(const PublishConfig& config);

// The manifest at the target (an empty one when nothing was published there yet); nothing is created.
// For the agent: whether a lesson was published by another agent or before its state was lost.
PublishManifest read_target_manifest(const PublishConfig& config);

nlohmann::json to_json(const PublishReport& report);

}  // namespace vidseg::publish

#include "vidseg/publish/publisher.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/platform/digest.hpp"
#include "vidseg/publish/folder_target_lock.hpp"
#include "vidseg/storage/local_store.hpp"
#include "vidseg/storage/sigv4.hpp"

namespace fs = std::filesystem;

namespace vidseg::publish {

namespace {

// A folder that lives as long as the publication (the generated card is published from it).
class ScratchDir {
public:
    ScratchDir() {
        std::random_device random;
        path_ = fs::temp_directory_path() / ("vidseg-publish-" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// The Hub shows README.md as the dataset card; a folder without one (e.g. `dataset foto` output) gets
// a minimal card with the YAML header the Hub reads, so the repository is never published bare.
DatasetFile generated_card(const fs::path& dir, const fs::path& scratch, const std::vector<DatasetFile>& files) {
    const std::string name = fs::absolute(dir).lexically_normal().filename().string();
    std::string card = "---\npretty_name: " + nlohmann::json(name).dump() + "\nlicense: other\n---\n\n# " + name +
                       "\n\nPublished with `vidseg dataset publish` (" + std::to_string(files.size()) +
                       " files). Load it with `datasets.load_dataset(...)`.\n";
    DatasetFile f;
    f.path = "README.md";
    f.file = scratch / "README.md";
    std::ofstream(f.file, std::ios::binary) << card;
    f.size = card.size();
    f.sha256 = storage::sha256_hex(card);
    return f;
}

std::string default_message(const PublishConfig& config) {
    if (!config.message.empty()) return config.message;
    return "Publish " + fs::absolute(config.dir).lexically_normal().filename().string() + " with vidseg";
}

// Records a published file in the manifest.
void record(PublishManifest& manifest, const std::string& key, const DatasetFile& f, const std::string& now) {
    manifest.files[key] = {f.sha256, f.size, now};
}

// Object metadata that carries a published file's SHA-256 at an S3 target (x-amz-meta-sha256), so that
// a resumed publication recognises what an interrupted one sent without reading it back. A folder
// target keeps no metadata (its sidecar files would be read as data by `datasets`): its files are hashed.
constexpr const char* kShaMetadata = "sha256";

// Files an interrupted publication sent after its last manifest update: at the target under the key
// this publication would give them, with the same size and the same SHA-256 (metadata, else the bytes
// read back). They are recorded in the manifest, so the plan leaves them alone. Returns how many.
std::size_t adopt_unrecorded(storage::ObjectStore& store, PublishManifest& manifest, const std::vector<DatasetFile>& files,
                             const std::string& prefix, const std::map<std::string, std::uint64_t>& sizes) {
    std::size_t adopted = 0;
    for (const auto& f : files) {
        const std::string key = target_key(prefix, f.path);
        const auto known = manifest.files.find(key);
        if (known != manifest.files.end() && known->second.sha256 == f.sha256) continue;
        const auto there = sizes.find(key);
        if (there == sizes.end() || there->second != f.size) continue;
        const auto info = store.stat(key);
        if (!info) continue;
        std::string sha;
        if (const auto it = info->metadata.find(kShaMetadata); it != info->metadata.end()) {
            sha = it->second;
        } else {
            platform::Digest digest(platform::DigestAlgorithm::Sha256);
            store.read(key, [&](const char* data, std::size_t size) { digest.update(data, size); });
            sha = platform::to_hex(digest.finish());
        }
        if (sha != f.sha256) continue;
        manifest.files[key] = {f.sha256, f.size, utc_now_iso8601()};
        ++adopted;
    }
    return adopted;
}

Publication publication_of(const PublishConfig& config, const PublishReport& report, std::size_t files) {
    Publication p;
    p.content_digest = report.plan.content_digest;
    p.source = fs::absolute(config.dir).lexically_normal().string();
    p.published_at = utc_now_iso8601();
    p.files = files;
    p.sent = report.sent;
    p.copied = report.copied;
    p.deleted = report.removed;
    p.commit = report.commits.empty() ? "" : report.commits.back();
    p.prefix = config.prefix;
    p.origin_digest = config.origin_digest;
    return p;
}

// A publication that transfers nothing is still recorded in the manifest when it is the first of this
// content, or the first from this origin (the agent's lesson): another agent, or one whose state was
// lost, then recognises the lesson by the target's manifest instead of building it again.
bool record_without_transfer(const PublishPlan& plan, const PublishManifest& manifest, const std::string& origin) {
    if (!plan.same_content) return true;
    return !origin.empty() && !manifest.find_origin(origin);
}

void publish_to_store(const PublishConfig& config, const std::vector<DatasetFile>& files, PublishReport& report) {
    storage::StoreConfig store_config = config.store;
    store_config.location = config.target.location;
    std::string folder = config.target.location;
    if (folder.rfind("file://", 0) == 0) folder = folder.substr(7);
    std::error_code ec;
    if (config.dry_run && config.target.kind == PublishTarget::Kind::Folder && !fs::exists(folder, ec)) {
        report.plan = plan_publish(files, PublishManifest{}, config.prefix, std::map<std::string, std::uint64_t>{});
        return;  // opening a local store would create the folder: a dry run changes nothing
    }
    const auto store = storage::open_store(store_config);
    std::optional<FolderTargetLock> lock;
    if (config.target.kind == PublishTarget::Kind::Folder) {
        // No other publication writes there while this one runs: temp files found now are leftovers of
        // one killed mid-write (the crash-recovery step, before anything is planned).
        lock.emplace(folder);
        if (!config.dry_run) report.stale_temp_files_removed = storage::remove_stale_temp_files(folder);
    }
    PublishManifest manifest;
    manifest.target = store->describe();
    if (store->stat(kManifestName)) {
        std::string text;
        store->read(kManifestName, [&](const char* data, std::size_t size) { text.append(data, size); });
        manifest = manifest_from_json(text, config.target.location + "/" + kManifestName);
        manifest.target = store->describe();
    }
    std::map<std::string, std::uint64_t> sizes;  // the whole target: copies may come from anywhere in it
    for (const auto& info : store->list("")) sizes[info.key] = info.size;
    if (!config.dry_run) report.adopted = adopt_unrecorded(*store, manifest, files, config.prefix, sizes);
    report.plan = plan_publish(files, manifest, config.prefix, sizes);
    const auto save_manifest = [&] {
        const std::string text = manifest.to_json_text();
        auto writer = store->create(kManifestName);
        writer->write(text.data(), text.size());
        writer->commit();
    };
    if (config.dry_run) return;
    if (report.plan.nothing_to_do()) {
        if (record_without_transfer(report.plan, manifest, config.origin_digest)) {
            manifest.history.push_back(publication_of(config, report, files.size()));
            save_manifest();
        }
        return;
    }
    const bool s3 = config.target.kind == PublishTarget::Kind::S3;
    const auto metadata_of = [s3](const DatasetFile& f) {
        return s3 ? storage::Metadata{{kShaMetadata, f.sha256}} : storage::Metadata{};
    };
    std::size_t since_save = 0;
    const auto done_one = [&] {
        if (++since_save >= config.batch_files) {
            save_manifest();
            since_save = 0;
        }
        throw_if_cancelled();
    };
    for (const auto& copy : report.plan.copy) {
        store->copy(copy.from, copy.key, metadata_of(copy.file));  // S3: CopyObject, nothing goes through vidseg
        record(manifest, copy.key, copy.file, utc_now_iso8601());
        ++report.copied;
        done_one();
    }
    for (const auto& [file, key] : report.plan.send) {
        store->put_file(key, file.file, metadata_of(file));
        record(manifest, key, file, utc_now_iso8601());
        ++report.sent;
        report.bytes_sent += file.size;
        done_one();
    }
    for (const auto& key : report.plan.remove) {
        store->remove(key);
        manifest.files.erase(key);
        ++report.removed;
        done_one();
    }
    manifest.history.push_back(publication_of(config, report, files.size()));
    save_manifest();
}

void publish_to_hub(const PublishConfig& config, const std::vector<DatasetFile>& files, PublishReport& report) {
    HubWorkerClient hub(config.hub);
    const auto state = hub.open(config.target.repo_id, !config.dry_run, config.private_repo);
    report.url = state.url;
    PublishManifest manifest;
    if (state.manifest) manifest = manifest_from_json(*state.manifest, config.target.location + "/" + kManifestName);
    manifest.target = "hf://datasets/" + config.target.repo_id;
    // The manifest is committed with the files it lists, so it is trusted as the repository's content.
    report.plan = plan_publish(files, manifest, config.prefix, std::nullopt);
    if (config.dry_run) return;
    if (report.plan.nothing_to_do()) {  // a commit of the manifest alone, when the publication must be recorded
        if (!record_without_transfer(report.plan, manifest, config.origin_digest)) return;
        manifest.history.push_back(publication_of(config, report, files.size()));
        report.commits.push_back(hub.commit(config.target.repo_id, {}, manifest.to_json_text(), default_message(config)));
        return;
    }
    // Same bytes under a new name: committed as an addition, whose LFS content the Hub already has
    // (the LFS batch answers "present", nothing is transferred).
    struct Pending {
        HubFileOperation op;
        const DatasetFile* file;
        bool copy;
    };
    std::vector<Pending> pending;
    for (const auto& c : report.plan.copy) pending.push_back({{c.key, c.file.file.string()}, &c.file, true});
    for (const auto& [file, key] : report.plan.send) pending.push_back({{key, file.file.string()}, &file, false});
    for (const auto& key : report.plan.remove) pending.push_back({{key, ""}, nullptr, false});
    const std::string message = default_message(config);
    for (std::size_t begin = 0; begin < pending.size(); begin += config.batch_files) {
        throw_if_cancelled();
        const std::size_t end = std::min(pending.size(), begin + config.batch_files);
        std::vector<HubFileOperation> ops;
        const std::string now = utc_now_iso8601();
        PublishReport batch_counts;
        for (std::size_t i = begin; i < end; ++i) {
            ops.push_back(pending[i].op);
            if (!pending[i].file) {
                manifest.files.erase(pending[i].op.path_in_repo);
                ++batch_counts.removed;
                continue;
            }
            record(manifest, pending[i].op.path_in_repo, *pending[i].file, now);
            if (pending[i].copy) {
                ++batch_counts.copied;
            } else {
                ++batch_counts.sent;
                batch_counts.bytes_sent += pending[i].file->size;
            }
        }
        const bool last = end == pending.size();
        PublishReport after = report;
        after.sent += batch_counts.sent;
        after.copied += batch_counts.copied;
        after.removed += batch_counts.removed;
        PublishManifest to_commit = manifest;
        if (last) to_commit.history.push_back(publication_of(config, after, files.size()));
        const std::string commit = hub.commit(config.target.repo_id, ops, to_commit.to_json_text(),
                                              pending.size() > config.batch_files
                                                  ? message + " (" + std::to_string(begin / config.batch_files + 1) + ")"
                                                  : message);
        report.sent = after.sent;
        report.copied = after.copied;
        report.removed = after.removed;
        report.bytes_sent += batch_counts.bytes_sent;
        report.commits.push_back(commit);
        if (last) manifest = to_commit;
    }
}

}  // namespace

PublishManifest read_target_manifest(const PublishConfig& config) {
    const std::string name = config.target.location + "/" + kManifestName;
    if (config.target.kind == PublishTarget::Kind::Hub) {
        HubWorkerClient hub(config.hub);
        const auto state = hub.open(config.target.repo_id, false, config.private_repo);
        return state.manifest ? manifest_from_json(*state.manifest, name) : PublishManifest{};
    }
    if (config.target.kind == PublishTarget::Kind::Folder) {
        std::string folder = config.target.location;
        if (folder.rfind("file://", 0) == 0) folder = folder.substr(7);
        std::error_code ec;
        if (!fs::exists(folder, ec)) return {};  // opening a local store would create it
    }
    storage::StoreConfig store_config = config.store;
    store_config.location = config.target.location;
    const auto store = storage::open_store(store_config);
    if (!store->stat(kManifestName)) return {};
    std::string text;
    store->read(kManifestName, [&](const char* data, std::size_t size) { text.append(data, size); });
    return manifest_from_json(text, name);
}

PublishReport publish_dataset(const PublishConfig& config) {
    const auto started = std::chrono::steady_clock::now();
    PublishReport report;
    report.target = config.target;
    report.dry_run = config.dry_run;
    auto files = scan_dataset(config.dir);
    ScratchDir scratch;
    const bool has_card = std::any_of(files.begin(), files.end(), [](const auto& f) { return f.path == "README.md"; });
    if (!has_card) {
        files.push_back(generated_card(config.dir, scratch.path(), files));
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
        report.card_generated = true;
    }
    if (config.target.kind == PublishTarget::Kind::Hub) publish_to_hub(config, files, report);
    else publish_to_store(config, files, report);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

nlohmann::json to_json(const PublishReport& report) {
    const auto& plan = report.plan;
    nlohmann::json send = nlohmann::json::array(), copy = nlohmann::json::array();
    for (const auto& [file, key] : plan.send) send.push_back({{"path", key}, {"size", file.size}, {"sha256", file.sha256}});
    for (const auto& c : plan.copy) copy.push_back({{"path", c.key}, {"from", c.from}, {"sha256", c.file.sha256}});
    nlohmann::json doc = {
        {"target", report.target.location},
        {"dry_run", report.dry_run},
        {"content_digest", plan.content_digest},
        {"files", plan.unchanged.size() + plan.send.size() + plan.copy.size()},
        {"unchanged", plan.unchanged.size()},
        {"to_send", send},
        {"to_copy", copy},
        {"to_delete", plan.remove},
        {"sent", report.sent},
        {"copied", report.copied},
        {"deleted", report.removed},
        {"adopted", report.adopted},
        {"stale_temp_files_removed", report.stale_temp_files_removed},
        {"bytes_sent", report.bytes_sent},
        {"card_generated", report.card_generated},
        {"seconds", report.seconds},
        {"commits", report.commits},
    };
    if (!report.url.empty()) doc["url"] = report.url;
    if (plan.same_content)
        doc["same_content_as"] = {{"source", plan.same_content->source}, {"published_at", plan.same_content->published_at}};
    return doc;
}

}  // namespace vidseg::publish

// Incremental, resumable output of `vidseg dataset build` (issue 3 §6).
//
// Every fragment is made of artifacts ("clip", "keyframe", "audio", ...), each a few files and a
// KEY: a hash of everything its bytes depend on (the source video's fingerprint, the interval or
// keyframe time, the crop box, the encoding parameters). build_manifest.json at the dataset root
// lists, per fragment and artifact, the key and the files (relative paths). A later build whose
// artifact has the same key reuses the files instead of making them again.
//
// Source identity (video_fingerprint): file size + modification time + three 64 KiB samples (start,
// middle, end) hashed with FNV-1a 64. Hashing a whole 2 GB lesson would cost seconds of I/O on every
// run for every lesson; size + mtime catch edits in place and re-exports, the samples catch a
// different file copied over with its mtime preserved (rsync -t, cp -p). A change that keeps the
// size and mtime and touches none of the samples is not seen (delete build_manifest.json, or use
// --rebuild, to force).
//
// Atomic + resumable: work happens in ".<name>.vidseg-partial", a sibling of the output dir (same
// filesystem). Each finished artifact is appended to a journal there, so after a crash or Ctrl-C
// the partial dir is KEPT and the next run reuses what it finished; the previous dataset stays
// untouched until commit() swaps the directories (rename; the old dataset goes through
// ".<name>.vidseg-old" and is restored from there if a crash hit between the two renames).
// Reuse from the previous dataset hard-links its files (a copy across filesystems), so their
// mtimes stay the same. A lock (flock) keeps two builds from sharing one partial dir.
//
// Some artifacts are not files but a small VALUE (a JSON document), e.g. the frame chosen by
// `--keyframe best` with its score: finding it again costs decoding and scoring every candidate,
// so it is keyed and reused like files (reuse_value / record_value).
//
// reuse*/record* may be called from several threads at once (the builder cuts batches in parallel).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace vidseg::dataset {

// 16 hex digits of FNV-1a 64 over `text`.
std::string hash_text(const std::string& text);
// Key of an artifact: hash of its kind, a format version and the values its bytes depend on
// (doubles as printed with %.6f by key_number). Bump the version when the way it is made changes.
std::string artifact_key(const std::string& kind, int format_version, const std::vector<std::string>& inputs);
std::string key_number(double value);
// Fingerprint of a file per the rule above. Throws Error(InputNotFound) if it cannot be read.
std::string video_fingerprint(const std::string& path);

struct ArtifactEntry {
    std::string key;
    std::vector<std::string> files;  // relative to the dataset root
    std::string value;               // JSON text of a value artifact ("" for file artifacts)
};
// fragment name → artifact name → entry
using ManifestItems = std::map<std::string, std::map<std::string, ArtifactEntry>>;

// build_manifest.json: {"version": 1, "items": {name: {artifact: {"key": k, "files": [...]}}}}
// (value artifacts: {"key": k, "files": [], "value": {...}}).
// A missing or unreadable manifest reads as empty (it only costs a rebuild).
ManifestItems read_manifest(const std::filesystem::path& path);
std::string render_manifest(const ManifestItems& items);

constexpr const char* kManifestName = "build_manifest.json";
// The journal of finished artifacts inside the partial dir (one JSON object per line).
constexpr const char* kJournalName = ".vidseg-journal.jsonl";

// The partial dir where a build of `destination` works (".<name>.vidseg-partial" beside it).
std::filesystem::path partial_dir_of(const std::filesystem::path& destination);
// The finished artifacts a journal's text vouches for (a torn or unreadable line is skipped, a reset
// line forgets the earlier ones, an entry with an empty key unsays its artifact). What a later run of
// the build reuses from the partial dir, and what a platform job saves of it (job_checkpoint.hpp).
ManifestItems parse_journal(const std::string& text);

class ResumableStage {
public:
    // Opens (or creates) the partial dir of `destination` and reads its journal and the previous
    // dataset's manifest. Throws Error(OutputError) when the dir cannot be made or another build holds it.
    // reuse_enabled = false (--rebuild): nothing earlier is reused.
    explicit ResumableStage(std::filesystem::path destination, bool reuse_enabled = true);
    ~ResumableStage();
    ResumableStage(const ResumableStage&) = delete;
    ResumableStage& operator=(const ResumableStage&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    const std::filesystem::path& destination() const { return destination_; }

    // Files of an artifact with this key that are already in the partial dir (finished by an
    // interrupted run) or could be taken from the previous dataset (linked in under `files`, or
    // under the previous names when `files` is empty). nullopt = make it; then call record().
    std::optional<std::vector<std::string>> reuse(const std::string& item, const std::string& artifact,
                                                  const std::string& key, const std::vector<std::string>& files);
    // The artifact's files are complete in the partial dir (appended to the journal at once).
    void record(const std::string& item, const std::string& artifact, const std::string& key,
                const std::vector<std::string>& files);
    // Value artifacts: the JSON text recorded under this key by an interrupted run or the previous
    // dataset (nullopt = compute it, then record_value()).
    std::optional<std::string> reuse_value(const std::string& item, const std::string& artifact, const std::string& key);
    void record_value(const std::string& item, const std::string& artifact, const std::string& key,
                      const std::string& value_json);
    // Forgets an item (its files are removed unless moved away by the caller first).
    void drop(const std::string& item);

    // Files of an item in the previous dataset's manifest (relative to destination()).
    std::vector<std::string> previous_files(const std::string& item) const;
    // Entries of this run (recorded or reused).
    const ManifestItems& items() const { return current_; }
    size_t reused_artifacts() const { return reused_; }
    size_t built_artifacts() const { return built_; }
    size_t reused_values() const { return reused_values_; }  // value artifacts (not counted above)
    // Items whose every artifact was reused.
    size_t reused_items() const;

    // Removes files of the partial dir's media folders that no current entry lists (left by items
    // that changed or disappeared), writes the manifest and swaps the partial dir into place.
    void commit(const std::vector<std::string>& keep_extra = {});

private:
    void append_journal(const nlohmann::json& line);

    std::mutex mutex_;  // guards everything below and the journal file

    std::filesystem::path destination_, dir_, old_;
    int lock_fd_ = -1;
    ManifestItems journal_;   // finished in the partial dir by an earlier (interrupted) run
    ManifestItems previous_;  // the previous dataset's manifest
    ManifestItems current_;
    std::map<std::string, size_t> item_artifacts_reused_, item_artifacts_total_;
    size_t reused_ = 0, built_ = 0, reused_values_ = 0;
};

}  // namespace vidseg::dataset

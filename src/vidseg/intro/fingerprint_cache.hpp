// On-disk cache of EpisodeFingerprints (SPEC §2 / issue 4 §4: "a re-run is nearly instant").
//
// Key = the file's content key (size, modification time and a 64-bit hash of sampled blocks: the
// first 1 MiB, the last 1 MiB and 64 blocks of 16 KiB spread evenly in between; the whole file when
// it is smaller than 4 MiB) + the fingerprint parameters (FingerprintOptions, the Chromaprint
// algorithm and kEpisodeFingerprintsVersion). Why sampled blocks plus mtime rather than a full hash:
// a 45-minute episode is ~1 GB and reading it all would cost more than fingerprinting its first
// 17 minutes; sampling reads <= 3 MiB whatever the size. Any re-encode or remux changes the size or
// the container header (head block); an edit in place of bytes between the samples changes the
// mtime. The price of mtime: a copy without preserved times is fingerprinted again (never wrong).
//
// Storage: one binary file per entry, DIR/v1/<16 hex digits of the key>.vfp, written atomically
// (temp file + rename), so parallel runs never see half an entry. Entry layout, little-endian:
//   "VSIFPC\0\0" magic, u32 format version (kFingerprintCacheFormat), u32 kEpisodeFingerprintsVersion,
//   u64 key, u8 has_audio, u8 has_video, f64 duration,
//   audio: f64 item_period, f64 item_span, f64 duration, u64 n, n x u32 items, u64 m, m x u8 levels,
//   visual: f64 period, f64 duration, u64 n, n x u64 hashes, u64 m, m x u8 luma,
//   u64 checksum of everything before it.
// An entry that fails any check (truncated, other version, bad checksum, other key) is ignored with
// a warning, recomputed and overwritten. Cache write failures (read-only dir, disk full) are warnings:
// the cache never makes detection fail.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/progress.hpp"
#include "vidseg/intro/episode_fingerprints.hpp"

namespace vidseg::intro {

inline constexpr uint32_t kFingerprintCacheFormat = 1;

// Identity of a file's content (see the header comment). Throws Error(InputNotFound / InvalidMedia)
// for a missing or unreadable file.
struct FileContentKey {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t sample_hash = 0;
};
FileContentKey file_content_key(const std::filesystem::path& path);

// Stable text of every parameter the fingerprints depend on.
std::string fingerprint_parameters(const FingerprintOptions& options);

// 64-bit hash of bytes (multiply-rotate over 8-byte words, murmur3 finaliser); not cryptographic.
uint64_t hash_bytes(const void* data, std::size_t size, uint64_t seed = 0);

// Binary (de)serialisation of EpisodeFingerprints as described above. decode returns nullopt and
// sets why on any inconsistency.
std::string encode_fingerprints(const EpisodeFingerprints& fp, uint64_t key);
std::optional<EpisodeFingerprints> decode_fingerprints(const std::string& bytes, uint64_t key, std::string& why);

struct FingerprintCacheStats {
    int hits = 0;
    int misses = 0;   // includes corrupt entries
    int corrupt = 0;  // entries found but unusable
    int stored = 0;
    int result_hits = 0;  // detection results (load_result)
    int result_misses = 0;
};

// Safe to use from several threads (entries are whole files renamed into place; stats are locked).
class FingerprintCache {
public:
    // dir is created on the first store.
    explicit FingerprintCache(std::filesystem::path dir);

    // $XDG_CACHE_HOME/vidseg/intro, else $HOME/.cache/vidseg/intro; empty when neither is set.
    static std::filesystem::path default_dir();

    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::filesystem::path entry_path(uint64_t key) const;
    static uint64_t entry_key(const FileContentKey& content, const std::string& parameters);

    std::optional<EpisodeFingerprints> load(uint64_t key);
    void store(uint64_t key, const EpisodeFingerprints& fp);

    // Detection results (small text documents, DIR/v1/results/<key>.json): boundary refinement
    // re-decodes the files around each boundary, which would dominate a re-run that only loads
    // fingerprints. The caller builds the key and validates the text (see series_grouping.cpp).
    std::optional<std::string> load_result(uint64_t key);
    void store_result(uint64_t key, const std::string& text);
    // Reports a result entry the caller found unusable (counted as corrupt, warned about).
    void reject_result(uint64_t key, const std::string& why);

    FingerprintCacheStats stats() const;
    // Warnings collected so far (corrupt entries, write failures), for the front end to print.
    std::vector<std::string> warnings() const;

private:
    void warn(std::string message);
    std::filesystem::path dir_;
    mutable std::mutex mutex_;
    FingerprintCacheStats stats_;
    std::vector<std::string> warnings_;
};

// fingerprint_episode() through the cache (cache == nullptr: no cache). Errors are not cached.
// key_out (optional) receives the entry key (0 without a cache); known_audio as fingerprint_episode's.
EpisodeFingerprints fingerprint_episode_cached(const std::string& path, const FingerprintOptions& options,
                                               FingerprintCache* cache, Progress* progress = nullptr,
                                               uint64_t* key_out = nullptr,
                                               const AudioFingerprint* known_audio = nullptr);

}  // namespace vidseg::intro

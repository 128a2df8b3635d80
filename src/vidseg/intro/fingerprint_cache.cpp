#include "vidseg/intro/fingerprint_cache.hpp"

#include <chromaprint.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/input_limits.hpp"
#include "vidseg/core/messages.hpp"
#include "vidseg/intro/picture_windows.hpp"

namespace vidseg::intro {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'V', 'S', 'I', 'F', 'P', 'C', 0, 0};
constexpr std::size_t kEdgeBlock = 1 << 20;   // head and tail bytes hashed
constexpr std::size_t kInnerBlock = 16 << 10; // bytes per inner sample
constexpr int kInnerBlocks = 64;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t fmix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// Appends / reads little-endian scalars (the machines we target are little-endian; memcpy keeps it
// free of alignment and aliasing issues).
class Writer {
public:
    template <class T>
    void put(T v) {
        char b[sizeof(T)];
        std::memcpy(b, &v, sizeof(T));
        out.append(b, sizeof(T));
    }
    template <class T>
    void put_vector(const std::vector<T>& v) {
        put<uint64_t>(v.size());
        if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    std::string out;
};

class Reader {
public:
    explicit Reader(const std::string& s) : s_(s) {}
    template <class T>
    bool get(T& v) {
        if (s_.size() - pos_ < sizeof(T)) return false;
        std::memcpy(&v, s_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    template <class T>
    bool get_vector(std::vector<T>& v) {
        uint64_t n = 0;
        if (!get(n) || n > (s_.size() - pos_) / sizeof(T)) return false;
        v.resize(std::size_t(n));
        if (n) std::memcpy(v.data(), s_.data() + pos_, std::size_t(n) * sizeof(T));
        pos_ += std::size_t(n) * sizeof(T);
        return true;
    }
    std::size_t pos() const { return pos_; }

private:
    const std::string& s_;
    std::size_t pos_ = 0;
};

}  // namespace

uint64_t hash_bytes(const void* data, std::size_t size, uint64_t seed) {
    const auto* p = static_cast<const unsigned char*>(data);
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (size + 1));
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL + 0x52dce729;
    }
    uint64_t tail = 0;
    for (std::size_t k = 0; i + k < size; ++k) tail |= uint64_t(p[i + k]) << (8 * k);
    h ^= tail * 0x87c37b91114253d5ULL;
    return fmix(h);
}

FileContentKey file_content_key(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw Error(ErrorCode::InputNotFound, "file not found", path.string());
    if (!S_ISREG(st.st_mode)) throw Error(ErrorCode::InvalidMedia, "not a regular file", path.string());
    std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw Error(ErrorCode::InvalidMedia, "cannot open for reading", path.string());

    FileContentKey key;
    key.size = uint64_t(st.st_size);
    key.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    std::vector<unsigned char> buf;
    uint64_t h = key.size;
    auto sample = [&](uint64_t offset, std::size_t length) {
        buf.resize(length);
        if (std::fseek(f.get(), long(offset), SEEK_SET) != 0)
            throw Error(ErrorCode::InvalidMedia, "cannot read", path.string());
        const std::size_t got = std::fread(buf.data(), 1, length, f.get());
        if (got != length) throw Error(ErrorCode::InvalidMedia, "cannot read (short read)", path.string());
        h = hash_bytes(buf.data(), got, h);
    };
    if (key.size <= 4 * kEdgeBlock) {
        sample(0, std::size_t(key.size));
    } else {
        sample(0, kEdgeBlock);
        const uint64_t inner_begin = kEdgeBlock, inner_end = key.size - kEdgeBlock;
        const uint64_t step = (inner_end - inner_begin - kInnerBlock) / (kInnerBlocks - 1);
        for (int k = 0; k < kInnerBlocks; ++k) sample(inner_begin + uint64_t(k) * step, kInnerBlock);
        sample(inner_end, kEdgeBlock);
    }
    key.sample_hash = h;
    return key;
}

std::string fingerprint_parameters(const FingerprintOptions& o) {
    std::ostringstream s;
    s.precision(17);
    s << "episode-fingerprints=" << kEpisodeFingerprintsVersion << ";chromaprint=" << chromaprint_get_version()
      << "/default/" << kFingerprintSampleRate << ";seconds=" << o.seconds << ";audio=" << o.audio
      << ";video=" << o.video << ";visual-fps=" << o.visual.fps << ";visual-width=" << o.visual.decode_width;
    // Pictures of some windows only are another entry than the whole span's (keys of whole spans unchanged).
    if (!o.video_windows.empty()) {
        s << ";video-windows=";
        for (const auto& w : o.video_windows) s << w.start << '-' << w.end << ',';
    }
    return s.str();
}

std::string encode_fingerprints(const EpisodeFingerprints& fp, uint64_t key) {
    Writer w;
    w.out.append(kMagic, sizeof kMagic);
    w.put<uint32_t>(kFingerprintCacheFormat);
    w.put<uint32_t>(uint32_t(kEpisodeFingerprintsVersion));
    w.put<uint64_t>(key);
    w.put<uint8_t>(fp.has_audio);
    w.put<uint8_t>(fp.has_video);
    w.put<double>(fp.duration);
    w.put<double>(fp.audio.item_period);
    w.put<double>(fp.audio.item_span);
    w.put<double>(fp.audio.duration);
    w.put_vector(fp.audio.items);
    w.put_vector(fp.audio.levels);
    w.put<double>(fp.visual.period);
    w.put<double>(fp.visual.duration);
    w.put_vector(fp.visual.hashes);
    w.put_vector(fp.visual.luma);
    w.put<uint64_t>(hash_bytes(w.out.data(), w.out.size()));
    return std::move(w.out);
}

std::optional<EpisodeFingerprints> decode_fingerprints(const std::string& bytes, uint64_t key, std::string& why) {
    if (bytes.size() < sizeof kMagic + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
        why = "not a vidseg fingerprint cache entry";
        return std::nullopt;
    }
    Reader r(bytes);
    char magic[sizeof kMagic];
    for (char& c : magic) r.get(c);
    uint32_t format = 0, version = 0;
    uint64_t stored_key = 0;
    r.get(format);
    r.get(version);
    if (format != kFingerprintCacheFormat || version != uint32_t(kEpisodeFingerprintsVersion)) {
        why = "entry of format " + std::to_string(format) + "/" + std::to_string(version) + ", expected " +
              std::to_string(kFingerprintCacheFormat) + "/" + std::to_string(kEpisodeFingerprintsVersion);
        return std::nullopt;
    }
    EpisodeFingerprints fp;
    uint8_t has_audio = 0, has_video = 0;
    const bool ok = r.get(stored_key) && r.get(has_audio) && r.get(has_video) && r.get(fp.duration) &&
                    r.get(fp.audio.item_period) && r.get(fp.audio.item_span) && r.get(fp.audio.duration) &&
                    r.get_vector(fp.audio.items) && r.get_vector(fp.audio.levels) && r.get(fp.visual.period) && r.get(fp.visual.duration) &&
                    r.get_vector(fp.visual.hashes) && r.get_vector(fp.visual.luma);
    const std::size_t body = r.pos();
    uint64_t checksum = 0;
    if (!ok || !r.get(checksum) || r.pos() != bytes.size()) {
        why = "truncated or malformed entry";
        return std::nullopt;
    }
    if (checksum != hash_bytes(bytes.data(), body)) {
        why = "checksum mismatch";
        return std::nullopt;
    }
    if (stored_key != key) {
        why = "entry belongs to another key";
        return std::nullopt;
    }
    fp.has_audio = has_audio != 0;
    fp.has_video = has_video != 0;
    return fp;
}

FingerprintCache::FingerprintCache(fs::path dir) : dir_(std::move(dir)) {}

fs::path FingerprintCache::default_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "vidseg" / "intro";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "vidseg" / "intro";
    return {};
}

uint64_t FingerprintCache::entry_key(const FileContentKey& content, const std::string& parameters) {
    Writer w;
    w.put(content.size);
    w.put(content.mtime_ns);
    w.put(content.sample_hash);
    w.out += parameters;
    return hash_bytes(w.out.data(), w.out.size(), 0x76696473656721ULL);
}

fs::path FingerprintCache::entry_path(uint64_t key) const {
    char name[32];
    std::snprintf(name, sizeof name, "%016llx.vfp", static_cast<unsigned long long>(key));
    return dir_ / ("v" + std::to_string(kFingerprintCacheFormat)) / name;
}

FingerprintCacheStats FingerprintCache::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::vector<std::string> FingerprintCache::warnings() const {
    std::lock_guard lock(mutex_);
    return warnings_;
}

void FingerprintCache::warn(std::string message) {
    std::lock_guard lock(mutex_);
    warnings_.push_back(std::move(message));
}

std::optional<EpisodeFingerprints> FingerprintCache::load(uint64_t key) {
    const fs::path path = entry_path(key);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        std::lock_guard lock(mutex_);
        ++stats_.misses;
        return std::nullopt;
    }
    std::string bytes, why;
    try {
        bytes =
            read_limited_file(path);  // a cache folder may be shared: an entry is bounded like any data file
    } catch (const Error& e) {
        why = e.cause();
    }
    auto fp = why.empty() ? decode_fingerprints(bytes, key, why) : std::nullopt;
    std::lock_guard lock(mutex_);
    if (!fp) {
        ++stats_.misses;
        ++stats_.corrupt;
        warnings_.push_back(
            Messages().text(Msg::WarnCacheEntryIgnored, {{"path", path.string()}, {"why", why}}));
        return std::nullopt;
    }
    ++stats_.hits;
    return fp;
}

void FingerprintCache::store(uint64_t key, const EpisodeFingerprints& fp) {
    const fs::path path = entry_path(key);
    try {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error(ErrorCode::OutputError, "cannot create directory: " + ec.message(), path.parent_path());
        write_file_atomic(path, encode_fingerprints(fp, key));
        std::lock_guard lock(mutex_);
        ++stats_.stored;
    } catch (const Error& e) {
        warn(Messages().text(Msg::WarnCacheNotWritten, {{"cause", e.what()}}));
    }
}

namespace {
std::string key_name(uint64_t key, const char* suffix) {
    char name[40];
    std::snprintf(name, sizeof name, "%016llx%s", static_cast<unsigned long long>(key), suffix);
    return name;
}
}  // namespace

std::optional<std::string> FingerprintCache::load_result(uint64_t key) {
    const fs::path path = entry_path(key).parent_path() / "results" / key_name(key, ".json");
    std::optional<std::string> text;
    std::error_code ec;
    try {
        if (fs::is_regular_file(path, ec)) text = read_limited_file(path);
    } catch (const Error&) {
        // unreadable or over the data file limit: recomputed, like a missing entry
    }
    std::lock_guard lock(mutex_);
    ++(text ? stats_.result_hits : stats_.result_misses);
    return text;
}

void FingerprintCache::store_result(uint64_t key, const std::string& text) {
    const fs::path path = entry_path(key).parent_path() / "results" / key_name(key, ".json");
    try {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error(ErrorCode::OutputError, "cannot create directory: " + ec.message(), path.parent_path());
        write_file_atomic(path, text);
    } catch (const Error& e) {
        warn(Messages().text(Msg::WarnCacheNotWritten, {{"cause", e.what()}}));
    }
}

void FingerprintCache::reject_result(uint64_t key, const std::string& why) {
    std::lock_guard lock(mutex_);
    --stats_.result_hits;
    ++stats_.result_misses;
    ++stats_.corrupt;
    warnings_.push_back(Messages().text(
        Msg::WarnCachedResultIgnored,
        {{"path", (entry_path(key).parent_path() / "results" / key_name(key, ".json")).string()},
         {"why", why}}));
}

EpisodeFingerprints fingerprint_episode_cached(const std::string& path, const FingerprintOptions& options,
                                               FingerprintCache* cache, Progress* progress, uint64_t* key_out,
                                               const AudioFingerprint* known_audio) {
    if (key_out) *key_out = 0;
    if (!cache) return fingerprint_episode(path, options, progress, known_audio);
    const uint64_t key = FingerprintCache::entry_key(file_content_key(path), fingerprint_parameters(options));
    if (key_out) *key_out = key;
    if (auto hit = cache->load(key)) {
        // The windows are part of the key, not of the entry.
        if (hit->has_video && !options.video_windows.empty())
            hit->visual.windows = decoded_windows(options.video_windows, hit->visual.duration);
        return std::move(*hit);
    }
    auto fp = fingerprint_episode(path, options, progress, known_audio);
    cache->store(key, fp);
    return fp;
}

}  // namespace vidseg::intro

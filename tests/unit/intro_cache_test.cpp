// The on-disk fingerprint cache (fingerprint_cache.hpp): content keys, the entry format, hits,
// misses, corrupt entries and changed files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>

#include "support/scoped_env.hpp"
#include "support/test_support.hpp"
#include "vidseg/intro/fingerprint_cache.hpp"

namespace fs = std::filesystem;
using namespace vidseg::intro;
using vidseg::test::media;
using vidseg::test::TempDir;

namespace {

void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void set_mtime(const fs::path& p, time_t t) {
    struct utimbuf times {t, t};
    ASSERT_EQ(::utime(p.c_str(), &times), 0);
}

EpisodeFingerprints sample_fingerprints() {
    EpisodeFingerprints fp;
    fp.has_audio = true;
    fp.has_video = true;
    fp.duration = 42.5;
    fp.audio.items = {1u, 0xdeadbeefu, 7u, 0xffffffffu};
    fp.audio.levels = {0, 50, 99, 100};
    fp.audio.item_span = 2.6;
    fp.audio.duration = 3.5;
    fp.visual.hashes = {0x0123456789abcdefULL, 42};
    fp.visual.luma = {0, 255};
    fp.visual.period = 0.25;
    fp.visual.duration = 0.5;
    return fp;
}

}  // namespace

TEST(IntroCacheKey, ChangesWithContentEvenAtTheSameSizeAndTime) {
    TempDir dir;
    const fs::path f = dir / "a.bin";
    std::string bytes(10 << 20, 'x');  // 10 MiB: sampled, not hashed whole
    for (std::size_t i = 0; i < bytes.size(); i += 4099) bytes[i] = char(i);
    write_bytes(f, bytes);
    set_mtime(f, 1700000000);
    const auto k1 = file_content_key(f);
    EXPECT_EQ(k1.size, bytes.size());
    EXPECT_EQ(file_content_key(f).sample_hash, k1.sample_hash);  // stable

    bytes[0] ^= 1;  // the header block
    write_bytes(f, bytes);
    set_mtime(f, 1700000000);
    const auto k2 = file_content_key(f);
    EXPECT_NE(k2.sample_hash, k1.sample_hash);
    EXPECT_EQ(k2.mtime_ns, k1.mtime_ns);

    // An edit between the sampled blocks with the time forged back is the one change sampling misses;
    // a real edit moves the mtime, which is part of the entry key.
    bytes[0] ^= 1;
    write_bytes(f, bytes);
    set_mtime(f, 1700000001);
    const auto k3 = file_content_key(f);
    const std::string params = fingerprint_parameters({});
    EXPECT_NE(FingerprintCache::entry_key(k3, params), FingerprintCache::entry_key(k1, params));
    EXPECT_EQ(vidseg::test::thrown_code([&] { file_content_key(dir / "missing.mp4"); }),
              vidseg::ErrorCode::InputNotFound);
}

TEST(IntroCacheKey, DependsOnTheFingerprintParameters) {
    FingerprintOptions a, b;
    b.seconds = 600;
    FingerprintOptions c;
    c.visual.fps = 2;
    EXPECT_NE(fingerprint_parameters(a), fingerprint_parameters(b));
    EXPECT_NE(fingerprint_parameters(a), fingerprint_parameters(c));
    EXPECT_EQ(fingerprint_parameters(a), fingerprint_parameters(FingerprintOptions{}));
}

TEST(IntroCacheEntry, RoundTripsAndRejectsDamage) {
    const auto fp = sample_fingerprints();
    const std::string bytes = encode_fingerprints(fp, 99);
    std::string why;
    const auto back = decode_fingerprints(bytes, 99, why);
    ASSERT_TRUE(back) << why;  // NOLINT
    EXPECT_EQ(back->audio.items, fp.audio.items);
    EXPECT_EQ(back->audio.levels, fp.audio.levels);
    EXPECT_EQ(back->visual.hashes, fp.visual.hashes);
    EXPECT_EQ(back->visual.luma, fp.visual.luma);
    EXPECT_DOUBLE_EQ(back->duration, 42.5);
    EXPECT_DOUBLE_EQ(back->audio.item_span, 2.6);
    EXPECT_TRUE(back->has_audio && back->has_video);

    EXPECT_FALSE(decode_fingerprints(bytes, 100, why));
    EXPECT_EQ(why, "entry belongs to another key");
    std::string flipped = bytes;
    flipped[40] ^= 0x10;
    EXPECT_FALSE(decode_fingerprints(flipped, 99, why));
    EXPECT_EQ(why, "checksum mismatch");
    EXPECT_FALSE(decode_fingerprints(bytes.substr(0, bytes.size() - 5), 99, why));
    EXPECT_EQ(why, "truncated or malformed entry");
    std::string other_version = bytes;
    other_version[8] = 9;  // format version field
    EXPECT_FALSE(decode_fingerprints(other_version, 99, why));
    EXPECT_NE(why.find("expected"), std::string::npos);
    EXPECT_FALSE(decode_fingerprints("garbage", 99, why));
}

TEST(IntroCache, HitsMissesCorruptEntriesAndChangedFiles) {
    TempDir dir;
    const fs::path episode = dir / "episode.mp4";
    fs::copy_file(media("h264_gop2.mp4"), episode);
    FingerprintCache cache(dir / "cache");
    FingerprintOptions options;
    options.seconds = 8;

    const auto first = fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_TRUE(first.has_audio);
    EXPECT_FALSE(first.audio.items.empty());
    EXPECT_EQ(cache.stats().misses, 1);
    EXPECT_EQ(cache.stats().stored, 1);

    const auto second = fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_EQ(cache.stats().hits, 1);
    EXPECT_EQ(second.audio.items, first.audio.items);
    EXPECT_EQ(second.visual.hashes, first.visual.hashes);

    // Other parameters: another entry.
    FingerprintOptions shorter = options;
    shorter.seconds = 4;
    fingerprint_episode_cached(episode.string(), shorter, &cache);
    EXPECT_EQ(cache.stats().misses, 2);

    // A corrupt entry: warned about, recomputed, overwritten.
    const uint64_t key = FingerprintCache::entry_key(file_content_key(episode), fingerprint_parameters(options));
    const fs::path entry = cache.entry_path(key);
    ASSERT_TRUE(fs::exists(entry));
    std::string bytes = read_bytes(entry);
    bytes[bytes.size() / 2] ^= 0x55;
    write_bytes(entry, bytes);
    const auto third = fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_EQ(third.audio.items, first.audio.items);
    EXPECT_EQ(cache.stats().corrupt, 1);
    ASSERT_EQ(cache.warnings().size(), 1u);
    // A flipped byte is caught by the checksum, or earlier when it lands in a length field.
    EXPECT_NE(cache.warnings()[0].find("ignoring fingerprint cache entry"), std::string::npos) << cache.warnings()[0];
    EXPECT_NE(cache.warnings()[0].find("recomputing"), std::string::npos);
    fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_EQ(cache.stats().hits, 2);  // the rewritten entry is good again

    // A changed file (here: other media under the same name) misses.
    fs::remove(episode);
    fs::copy_file(media("ntsc.mp4"), episode);
    const int misses = cache.stats().misses;
    const auto changed = fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_EQ(cache.stats().misses, misses + 1);
    EXPECT_NE(changed.audio.items, first.audio.items);
}

TEST(IntroCache, EntryOverTheDataFileLimitIsIgnoredAndRecomputed) {
    TempDir dir;
    const fs::path episode = dir / "episode.mp4";
    fs::copy_file(media("h264_gop2.mp4"), episode);
    FingerprintOptions options;
    options.seconds = 4;
    FingerprintCache cache(dir / "cache");
    const auto first = fingerprint_episode_cached(episode.string(), options, &cache);
    ASSERT_EQ(cache.stats().stored, 1);
    // A shared cache folder is input like any other: an entry larger than the limit is not read.
    vidseg::test::ScopedEnv limit("VIDSEG_MAX_DATA_FILE_BYTES", "64");
    const auto again = fingerprint_episode_cached(episode.string(), options, &cache);
    EXPECT_EQ(again.audio.items, first.audio.items);
    EXPECT_EQ(cache.stats().hits, 0);
    EXPECT_EQ(cache.stats().corrupt, 1);
    ASSERT_EQ(cache.warnings().size(), 1u);
    EXPECT_NE(cache.warnings()[0].find("VIDSEG_MAX_DATA_FILE_BYTES=N"), std::string::npos)
        << cache.warnings()[0];
}

TEST(IntroCache, UnwritableCacheIsAWarningNotAFailure) {
    TempDir dir;
    write_bytes(dir / "not-a-dir", "x");  // the cache dir cannot be created below a file
    FingerprintCache cache(dir / "not-a-dir" / "cache");
    FingerprintOptions options;
    options.seconds = 4;
    const auto fp = fingerprint_episode_cached(media("h264_gop2.mp4").string(), options, &cache);
    EXPECT_FALSE(fp.audio.items.empty());
    EXPECT_EQ(cache.stats().stored, 0);
    ASSERT_EQ(cache.warnings().size(), 1u);
    EXPECT_NE(cache.warnings()[0].find("cannot write the fingerprint cache"), std::string::npos);
}

TEST(IntroCache, DefaultDirFollowsXdg) {
    const char* old = std::getenv("XDG_CACHE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
    EXPECT_EQ(FingerprintCache::default_dir(), fs::path("/tmp/xdg-test/vidseg/intro"));
    if (old) ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else ::unsetenv("XDG_CACHE_HOME");
}

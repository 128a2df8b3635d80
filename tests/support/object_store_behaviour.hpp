// One behavioural test body for every ObjectStore backend (the local folder in the unit tests, a
// real S3 server in tests/integration/storage_s3_test.cpp): what the server and the workers rely on,
// asserted with exact values. Header-only so that both test executables can include it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/storage/object_store.hpp"

namespace vidseg::test {

// Deterministic bytes that differ at every offset of a part (a shifted or repeated part is caught).
inline std::string pattern_bytes(std::size_t size, std::uint32_t seed) {
    std::string out(size, '\0');
    std::uint32_t x = seed * 2654435761u + 1u;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

inline std::string read_object(storage::ObjectStore& store, const std::string& key, std::uint64_t offset = 0,
                               std::uint64_t length = 0) {
    std::string out;
    store.read(
        key, [&](const char* data, std::size_t size) { out.append(data, size); }, offset, length);
    return out;
}

inline storage::ObjectInfo write_object(storage::ObjectStore& store, const std::string& key,
                                        const std::string& bytes, const storage::Metadata& metadata = {},
                                        std::size_t chunk = 100'000) {
    auto writer = store.create(key, metadata);
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        writer->write(bytes.data() + at, std::min(chunk, bytes.size() - at));
    }
    return writer->commit();
}

inline std::vector<std::string> listed_keys(storage::ObjectStore& store, const std::string& prefix) {
    std::vector<std::string> keys;
    for (const auto& info : store.list(prefix)) keys.push_back(info.key);
    return keys;
}

// Everything both backends must do alike. `large` is the size of the streamed object (for S3, more
// than one part_size so that the writer goes multipart); the store must be empty under "t/".
inline void exercise_object_store(storage::ObjectStore& store, std::size_t large) {
    using storage::Metadata;
    SCOPED_TRACE(store.describe());

    // A small object with metadata: bytes, size and metadata round trip.
    const Metadata meta{{"owner", "anna"}, {"source-name", "Урок 1 (ok).mp4"}};
    const auto small = write_object(store, "t/anna/small.txt", "hello, storage", meta);
    EXPECT_EQ(small.key, "t/anna/small.txt");
    EXPECT_EQ(small.size, 14u);
    EXPECT_EQ(read_object(store, "t/anna/small.txt"), "hello, storage");
    const auto info = store.stat("t/anna/small.txt");
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->size, 14u);
    EXPECT_EQ(info->metadata, meta);
    EXPECT_FALSE(info->etag.empty());
    EXPECT_GT(info->modified_unix, 1'700'000'000);

    // An empty object.
    EXPECT_EQ(write_object(store, "t/empty", "").size, 0u);
    EXPECT_EQ(read_object(store, "t/empty"), "");
    EXPECT_EQ(store.stat("t/empty")->size, 0u);

    // A large streamed object, written in odd-sized chunks, read back whole and by ranges.
    const std::string big = pattern_bytes(large, 7);
    EXPECT_EQ(write_object(store, "t/big.bin", big, {}, 1'000'003).size, large);
    EXPECT_TRUE(read_object(store, "t/big.bin") == big) << "large object read back differs";
    EXPECT_EQ(store.stat("t/big.bin")->size, large);
    EXPECT_EQ(read_object(store, "t/big.bin", 5, 10), big.substr(5, 10));
    EXPECT_TRUE(read_object(store, "t/big.bin", large - 1000) == big.substr(large - 1000));
    EXPECT_EQ(read_object(store, "t/big.bin", large - 3, 100), big.substr(large - 3));  // clipped at the end
    EXPECT_EQ(thrown_code([&] { read_object(store, "t/big.bin", large, 1); }), ErrorCode::InvalidArgument);

    // put_file / get_file (atomic download; a missing key leaves no file).
    TempDir tmp;
    const auto file = tmp / "upload.bin";
    { std::ofstream(file, std::ios::binary) << big.substr(0, 3'000'001); }
    EXPECT_EQ(store.put_file("t/put.bin", file, {{"kind", "video"}}).size, 3'000'001u);
    store.get_file("t/put.bin", tmp / "sub" / "download.bin");
    EXPECT_TRUE(read_text(tmp / "sub" / "download.bin") == big.substr(0, 3'000'001));
    EXPECT_EQ(store.stat("t/put.bin")->metadata, (Metadata{{"kind", "video"}}));
    EXPECT_EQ(thrown_code([&] { store.get_file("t/missing.bin", tmp / "missing.bin"); }),
              ErrorCode::InputNotFound);
    EXPECT_FALSE(std::filesystem::exists(tmp / "missing.bin"));
    EXPECT_EQ(thrown_code([&] { store.put_file("t/x", tmp / "no-such-file", {}); }),
              ErrorCode::InputNotFound);
    EXPECT_FALSE(store.stat("t/x").has_value());

    // Overwrite: the new bytes and the new metadata (none) win.
    write_object(store, "t/anna/small.txt", "second");
    EXPECT_EQ(read_object(store, "t/anna/small.txt"), "second");
    EXPECT_TRUE(store.stat("t/anna/small.txt")->metadata.empty());

    // list: every key under a string prefix, sorted, with sizes.
    for (const char* key : {"t/l/b", "t/l/a/2", "t/l/a/1", "t/l/ab", "t/l/c/d/e", "t/lz"}) {
        write_object(store, key, key);
    }
    EXPECT_EQ(listed_keys(store, "t/l/"),
              (std::vector<std::string>{"t/l/a/1", "t/l/a/2", "t/l/ab", "t/l/b", "t/l/c/d/e"}));
    EXPECT_EQ(listed_keys(store, "t/l/a"), (std::vector<std::string>{"t/l/a/1", "t/l/a/2", "t/l/ab"}));
    EXPECT_EQ(listed_keys(store, "t/l/a/"), (std::vector<std::string>{"t/l/a/1", "t/l/a/2"}));
    EXPECT_EQ(listed_keys(store, "t/none/"), std::vector<std::string>{});
    const auto listed = store.list("t/l/c");
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].size, 9u);

    // Abort, explicit or by destruction: nothing becomes visible.
    {
        auto writer = store.create("t/aborted", meta);
        writer->write("partial", 7);
        writer->abort();
    }
    {
        auto writer = store.create("t/dropped");
        const std::string part = pattern_bytes(large / 2 + 1, 3);
        writer->write(part.data(), part.size());
    }
    EXPECT_FALSE(store.stat("t/aborted").has_value());
    EXPECT_FALSE(store.stat("t/dropped").has_value());

    // remove: gone from stat, read and list; removing a missing key is no error.
    store.remove("t/l/b");
    EXPECT_FALSE(store.stat("t/l/b").has_value());
    EXPECT_EQ(thrown_code([&] { read_object(store, "t/l/b"); }), ErrorCode::InputNotFound);
    store.remove("t/l/b");
    store.remove("t/never-was");
    EXPECT_EQ(listed_keys(store, "t/l/"),
              (std::vector<std::string>{"t/l/a/1", "t/l/a/2", "t/l/ab", "t/l/c/d/e"}));
    EXPECT_EQ(listed_keys(store, "t/"),
              (std::vector<std::string>{"t/anna/small.txt", "t/big.bin", "t/empty", "t/l/a/1", "t/l/a/2",
                                        "t/l/ab", "t/l/c/d/e", "t/lz", "t/put.bin"}));

    // Keys that could escape a folder or confuse a server are refused by every operation.
    for (const std::string& bad : std::vector<std::string>{"../x", "/abs", "a//b", "a\\b", "a\nb", "a\x01",
                                                           "a/./b", "a/..", "trailing/", ""}) {
        SCOPED_TRACE("key " + bad);
        EXPECT_EQ(thrown_code([&] { store.create(bad); }), ErrorCode::InvalidArgument);
        EXPECT_EQ(thrown_code([&] { read_object(store, bad); }), ErrorCode::InvalidArgument);
        EXPECT_EQ(thrown_code([&] { store.stat(bad); }), ErrorCode::InvalidArgument);
        EXPECT_EQ(thrown_code([&] { store.remove(bad); }), ErrorCode::InvalidArgument);
        EXPECT_EQ(thrown_code([&] { store.presigned_get_url(bad, std::chrono::hours(1)); }),
                  ErrorCode::InvalidArgument);
    }
    EXPECT_EQ(thrown_code([&] { store.create("t/m", {{"Bad Name", "x"}}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(thrown_code([&] { store.create("t/m", {{"ok", "line\nbreak"}}); }), ErrorCode::InvalidArgument);
}

}  // namespace vidseg::test

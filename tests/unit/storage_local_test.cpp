// The local-folder ObjectStore (storage/local_store.hpp) and the key rules every backend shares.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "support/object_store_behaviour.hpp"
#include "support/test_support.hpp"
#include "vidseg/storage/atomic_file.hpp"
#include "vidseg/storage/local_store.hpp"
#include "vidseg/storage/object_store.hpp"

namespace fs = std::filesystem;
using namespace vidseg;
using storage::ObjectStore;

namespace {

std::unique_ptr<ObjectStore> local(const fs::path& root) {
    storage::StoreConfig config;
    config.location = root.string();
    return storage::open_store(config);
}

storage::StoreConfig at(const std::string& location) {
    storage::StoreConfig config;
    config.location = location;
    return config;
}

std::vector<std::string> files_under(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        out.push_back(e.path().lexically_relative(dir).generic_string() + (e.is_directory() ? "/" : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(StorageKeys, AcceptsRelativeNames) {
    for (const std::string& key :
         std::vector<std::string>{"a", "anna/task_20261207/lesson 1.mp4", "a.b/c..d/.hidden", "Урок/1.mp4",
                                  std::string(1024, 'k')}) {
        EXPECT_NO_THROW(storage::check_key(key)) << key;
    }
}

TEST(StorageKeys, RefusesEscapesWithTheReason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "empty"},
        {"../x", "'..'"},
        {"a/../../x", "'..'"},
        {"./x", "'.'"},
        {"/abs", "starts with '/'"},
        {"a//b", "empty part"},
        {"a/", "empty part"},
        {"a\\b", "backslash"},
        {"..\\x", "backslash"},
        {std::string("a\0b", 3), "control character"},
        {"a\tb", "control character"},
        {"a\nb", "control character"},
        {"a\x7f", "control character"},
        {std::string(1025, 'k'), "longer than 1024 bytes"},
    };
    for (const auto& [key, reason] : cases) {
        const std::string& checked = key;  // a lambda may not capture a structured binding before clang 16
        const auto e = test::thrown_error([&] { storage::check_key(checked); });
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << key;
        EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << key << ": " << e.what();
    }
    // The refused key is shown with its control characters escaped (no log-line injection).
    EXPECT_EQ(test::thrown_error([] { storage::check_key("a\nb"); }).subject(), "a\\x0ab");
}

TEST(StorageKeys, ContentTypesByExtension) {
    EXPECT_EQ(storage::content_type_for("anna/task_20261207/lesson 1.MP4"), "video/mp4");
    EXPECT_EQ(storage::content_type_for("a/audio.wav"), "audio/wav");
    EXPECT_EQ(storage::content_type_for("a/poster.jpg"), "image/jpeg");
    EXPECT_EQ(storage::content_type_for("a.mp4/noext"), "application/octet-stream");
    EXPECT_EQ(storage::content_type_for("x.unknown"), "application/octet-stream");
}

TEST(StorageOpen, LocationsChooseTheBackend) {
    test::TempDir tmp;
    EXPECT_EQ(local(tmp / "store")->describe(), "local " + (tmp / "store").string());
    EXPECT_TRUE(fs::is_directory(tmp / "store"));  // created on open
    EXPECT_EQ(storage::open_store(at("file://" + (tmp / "f").string()))->describe(),
              "local " + (tmp / "f").string());
    EXPECT_EQ(test::thrown_code([] { storage::open_store({}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([] { storage::open_store(at("ftp://host/x")); }), ErrorCode::InvalidArgument);
    std::ofstream(tmp / "plain-file") << "x";
    EXPECT_EQ(test::thrown_code([&] { local(tmp / "plain-file"); }), ErrorCode::OutputError);
}

TEST(StorageLocal, BehavesLikeEveryObjectStore) {
    test::TempDir tmp;
    auto store = local(tmp / "store");
    test::exercise_object_store(*store, 12'000'017);
    // Nothing but the objects, their metadata sidecars and their folders is left behind (no temp files
    // of the aborted writers, no folder of a removed object).
    EXPECT_EQ(files_under(tmp / "store"),
              (std::vector<std::string>{"t/", "t/anna/", "t/anna/small.txt", "t/big.bin", "t/empty", "t/l/",
                                        "t/l/a/", "t/l/a/1", "t/l/a/2", "t/l/ab", "t/l/c/", "t/l/c/d/",
                                        "t/l/c/d/e", "t/lz", "t/put.bin", "t/put.bin.vidseg-meta.json"}));
}

TEST(StorageLocal, UncommittedBytesStayInATempFileBesideTheTarget) {
    test::TempDir tmp;
    auto store = local(tmp / "s");
    auto writer = store->create("a/b.bin", {{"owner", "anna"}});
    writer->write("abc", 3);
    const auto files = files_under(tmp / "s");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0], "a/");
    EXPECT_EQ(files[1].rfind("a/b.bin.vidseg-tmp-", 0), 0u) << files[1];
    EXPECT_TRUE(store->list("").empty());  // temp files are not objects
    EXPECT_EQ(writer->commit().size, 3u);
    EXPECT_EQ(files_under(tmp / "s"),
              (std::vector<std::string>{"a/", "a/b.bin", "a/b.bin.vidseg-meta.json"}));
    EXPECT_EQ(test::thrown_code([&] { writer->write("x", 1); }), ErrorCode::Internal);
}

// What a process killed mid-write leaves: only the store's own temp names go, objects and look-alikes stay.
TEST(StorageLocal, StaleTempFilesOfKilledWritesAreRemoved) {
    EXPECT_TRUE(storage::AtomicFile::is_temp_name("b.bin.vidseg-tmp-Ab12Cd"));
    EXPECT_TRUE(storage::AtomicFile::is_temp_name("b.bin.vidseg-tmp-1234567890"));
    EXPECT_FALSE(storage::AtomicFile::is_temp_name("b.bin.vidseg-tmp-"));
    EXPECT_FALSE(storage::AtomicFile::is_temp_name(".vidseg-tmp-abc"));
    EXPECT_FALSE(storage::AtomicFile::is_temp_name("b.vidseg-tmp-ab.jpg"));
    test::TempDir tmp;
    auto store = local(tmp / "s");
    store->create("a/kept.bin")->write("x", 1);  // a writer destroyed without commit: its temp file goes at once
    auto done = store->create("a/done.bin");
    done->write("abc", 3);
    done->commit();
    std::ofstream(tmp / "s" / "a" / "done.bin.vidseg-tmp-Zx81qP") << "half";
    std::ofstream(tmp / "s" / "deep.vidseg-tmp-998877") << "half";
    std::ofstream(tmp / "s" / "a" / "notes.vidseg-tmp-ab.txt") << "data";
    EXPECT_EQ(storage::remove_stale_temp_files(tmp / "s"), 2u);
    EXPECT_EQ(files_under(tmp / "s"), (std::vector<std::string>{"a/", "a/done.bin", "a/notes.vidseg-tmp-ab.txt"}));
    EXPECT_EQ(storage::remove_stale_temp_files(tmp / "s"), 0u);
}

TEST(StorageLocal, ReservedNamesAndFolderClashesAreClearErrors) {
    test::TempDir tmp;
    auto store = local(tmp / "s");
    EXPECT_EQ(test::thrown_code([&] { store->create("a.vidseg-meta.json"); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(test::thrown_code([&] { store->stat("x/y.vidseg-tmp-123456"); }), ErrorCode::InvalidArgument);
    test::write_object(*store, "dir/file", "x");
    // "dir" is a folder here: no object of that name, and writing one fails clearly.
    EXPECT_FALSE(store->stat("dir").has_value());
    EXPECT_EQ(test::thrown_code([&] { test::read_object(*store, "dir"); }), ErrorCode::InputNotFound);
    store->remove("dir");
    EXPECT_EQ(test::read_object(*store, "dir/file"), "x");
    EXPECT_EQ(test::thrown_code([&] { test::write_object(*store, "dir", "y"); }), ErrorCode::OutputError);
    EXPECT_EQ(test::thrown_code([&] { test::write_object(*store, "dir/file/sub", "y"); }),
              ErrorCode::OutputError);
    EXPECT_EQ(files_under(tmp / "s"), (std::vector<std::string>{"dir/", "dir/file"}));
}

TEST(StorageLocal, PresignedUrlsAreForS3Only) {
    test::TempDir tmp;
    auto store = local(tmp / "s");
    test::write_object(*store, "a", "x");
    EXPECT_FALSE(store->presigned_get_url("a", std::chrono::hours(24)).has_value());
}

TEST(StorageLocal, ConcurrentWritersToDifferentKeys) {
    test::TempDir tmp;
    auto store = local(tmp / "s");
    constexpr int kThreads = 8, kPerThread = 20;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const std::string key = "shared/" + std::to_string(t) + "/" + std::to_string(i);
                const std::string bytes = test::pattern_bytes(10'000 + t * 100 + i, t * 1000 + i);
                test::write_object(*store, key, bytes, {{"n", std::to_string(i)}}, 777);
                // Another thread's removals prune empty folders concurrently with these writes.
                if (i % 2 == 1) store->remove(key);
            }
        });
    }
    for (auto& th : threads) th.join();
    const auto listed = store->list("shared/");
    ASSERT_EQ(listed.size(), static_cast<std::size_t>(kThreads * kPerThread / 2));
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kPerThread; i += 2) {
            const std::string key = "shared/" + std::to_string(t) + "/" + std::to_string(i);
            EXPECT_TRUE(test::read_object(*store, key) ==
                        test::pattern_bytes(10'000 + t * 100 + i, t * 1000 + i))
                << key;
            EXPECT_EQ(store->stat(key)->metadata.at("n"), std::to_string(i));
        }
    }
}

// What an interrupted or repeated publication relies on: copies inside a store (the local store's hard
// links and the streamed default every backend inherits), the manifest's record of where a publication
// came from (prefix, origin digest) that a second agent reads, and the agent's cycle counters.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/error_of.hpp"
#include "support/test_support.hpp"
#include "vidseg/agent/agent_state.hpp"
#include "vidseg/agent/watch_agent.hpp"
#include "vidseg/publish/publish_manifest.hpp"
#include "vidseg/storage/local_store.hpp"

namespace fs = std::filesystem;
using namespace vidseg;
using vidseg::test::error_of;
using vidseg::test::TempDir;

namespace {

std::string read_object(storage::ObjectStore& store, const std::string& key) {
    std::string out;
    store.read(key, [&](const char* data, std::size_t size) { out.append(data, size); });
    return out;
}

ino_t inode_of(const fs::path& file) {
    struct ::stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_ino;
}

}  // namespace

TEST(StoreCopy, LocalCopiesAreHardLinksWithTheirOwnMetadata) {
    TempDir dir;
    storage::LocalStore store(dir / "store");
    auto writer = store.create("a/x.jsonl", {{"sha256", "old"}});
    writer->write("hello", 5);
    writer->commit();
    const auto info = store.copy("a/x.jsonl", "b/c/y.jsonl", {{"sha256", "abc"}});
    EXPECT_EQ(info.size, 5u);
    EXPECT_EQ(read_object(store, "b/c/y.jsonl"), "hello");
    EXPECT_EQ(inode_of(dir / "store/a/x.jsonl"), inode_of(dir / "store/b/c/y.jsonl"));
    EXPECT_EQ(store.stat("b/c/y.jsonl")->metadata.at("sha256"), "abc");
    EXPECT_EQ(store.stat("a/x.jsonl")->metadata.at("sha256"), "old");
    // Without metadata: no sidecar file beside the copy (a published folder holds only the data).
    store.copy("a/x.jsonl", "z.jsonl");
    EXPECT_FALSE(fs::exists(dir / "store" / ("z.jsonl" + std::string(storage::LocalStore::kMetaSuffix))));
    // A later write to the source replaces its file: the copy keeps the bytes it had.
    writer = store.create("a/x.jsonl");
    writer->write("changed", 7);
    writer->commit();
    EXPECT_EQ(read_object(store, "b/c/y.jsonl"), "hello");
    EXPECT_EQ(error_of([&] { store.copy("missing.jsonl", "q.jsonl"); }),
              "missing.jsonl: no such object in " + store.describe());
    EXPECT_EQ(error_of([&] { store.copy("a/x.jsonl", "../q"); }).rfind("../q: invalid storage key", 0), 0u);
    EXPECT_EQ(store.list("").size(), 3u);  // no temp file left by the copies
}

TEST(StoreCopy, TheStreamedDefaultCopiesTheBytes) {
    TempDir dir;
    storage::LocalStore store(dir / "store");
    auto writer = store.create("src.bin");
    writer->write("abc\0def", 7);
    writer->commit();
    const auto info = store.ObjectStore::copy("src.bin", "dst.bin", {{"k", "v"}});
    EXPECT_EQ(info.size, 7u);
    EXPECT_EQ(read_object(store, "dst.bin"), std::string("abc\0def", 7));
    EXPECT_NE(inode_of(dir / "store/src.bin"), inode_of(dir / "store/dst.bin"));
    EXPECT_EQ(store.stat("dst.bin")->metadata.at("k"), "v");
}

TEST(PublishManifest, RecordsWhereAPublicationCameFrom) {
    publish::PublishManifest m;
    publish::Publication p;
    p.content_digest = "d1";
    p.prefix = "anna/task/lesson";
    p.origin_digest = std::string(64, 'a');
    p.published_at = "2026-12-07T10:00:00Z";
    m.history.push_back(p);
    m.history.push_back({"d2", "/src", "2026-12-07T11:00:00Z", 1, 1, 0, 0, ""});  // a plain `dataset publish`
    const auto back = publish::manifest_from_json(m.to_json_text(), "m.json");
    ASSERT_TRUE(back.find_origin(std::string(64, 'a')));
    EXPECT_EQ(back.find_origin(std::string(64, 'a'))->prefix, "anna/task/lesson");
    EXPECT_FALSE(back.find_origin(std::string(64, 'b')));
    EXPECT_FALSE(back.find_origin(""));  // a publication without an origin matches nothing
    EXPECT_EQ(m.to_json_text().find("\"origin_digest\": \"\""), std::string::npos);  // absent, not empty
    EXPECT_EQ(error_of([] {
                  publish::manifest_from_json(R"({"format":"vidseg-publish-manifest","version":1,"files":{},
                                                           "history":[{"content_digest":"d","prefix":3}]})",
                                              "m.json");
              }).rfind("m.json: malformed publish manifest", 0),
              0u);
}

TEST(AgentWatch, CycleCountersRoundTripAndShowInMetrics) {
    TempDir dir;
    agent::AgentState state;
    state.counters.built = 4;
    state.counters.last_cycle_found = 9;
    state.counters.last_cycle_seconds = 1.5;
    agent::save_agent_state(state, dir / "state.json");
    const auto back = agent::load_agent_state(dir / "state.json");
    EXPECT_EQ(back.counters.built, 4u);
    EXPECT_EQ(back.counters.last_cycle_found, 9u);
    EXPECT_DOUBLE_EQ(back.counters.last_cycle_seconds, 1.5);
    const std::string text = agent::metrics_text(back);
    EXPECT_NE(
        text.find("# TYPE vidseg_agent_datasets_built_total counter\nvidseg_agent_datasets_built_total 4\n"),
        std::string::npos);
    EXPECT_NE(text.find("# TYPE vidseg_agent_lessons_seen gauge\nvidseg_agent_lessons_seen 9\n"),
              std::string::npos);
    EXPECT_NE(text.find("vidseg_agent_last_cycle_duration_seconds 1.500000\n"), std::string::npos);
    // A state written before these counters existed loads with zeros.
    std::ofstream(dir / "old.json") << R"({"format":"vidseg-agent-state","version":1,"lessons":{},
                                          "counters":{"cycles":2}})";
    EXPECT_EQ(agent::load_agent_state(dir / "old.json").counters.built, 0u);
}

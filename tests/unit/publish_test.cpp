// Publishing pieces without a target: target parsing, the .env reader, the publish plan (send / copy /
// delete / unchanged against a manifest), the manifest round trip; the agent's lesson pairing,
// durations, state file and Prometheus counters.
#include <fstream>

#include <gtest/gtest.h>

#include "support/error_of.hpp"
#include "support/test_support.hpp"
#include "vidseg/agent/agent_state.hpp"
#include "vidseg/agent/lesson_source.hpp"
#include "vidseg/agent/watch_agent.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/publish/env_file.hpp"
#include "vidseg/publish/publish_manifest.hpp"
#include "vidseg/publish/publish_plan.hpp"
#include "vidseg/publish/publish_target.hpp"

namespace fs = std::filesystem;
using namespace vidseg;
using vidseg::test::error_of;
using vidseg::test::TempDir;

namespace {

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

publish::DatasetFile file_of(const std::string& path, const std::string& sha, std::uint64_t size = 10) {
    return {path, "/src/" + path, size, sha};
}

}  // namespace

TEST(PublishTarget, ParsesTheThreeKinds) {
    auto hub = publish::parse_publish_target("hf://anna/ppi-lessons");
    EXPECT_EQ(hub.kind, publish::PublishTarget::Kind::Hub);
    EXPECT_EQ(hub.repo_id, "anna/ppi-lessons");
    EXPECT_EQ(publish::parse_publish_target("hf://datasets/anna/ppi.v2/").repo_id, "anna/ppi.v2");
    EXPECT_EQ(publish::parse_publish_target("s3://bucket/prefix").kind, publish::PublishTarget::Kind::S3);
    EXPECT_EQ(publish::parse_publish_target("/srv/out").kind, publish::PublishTarget::Kind::Folder);
    EXPECT_EQ(publish::parse_publish_target("file:///srv/out").kind, publish::PublishTarget::Kind::Folder);
    EXPECT_EQ(error_of([] { publish::parse_publish_target("hf://anna"); }),
              "hf://anna: a Hub target is hf://USER/NAME (letters, digits, '-', '_', '.'), got 'hf://anna'");
    EXPECT_EQ(error_of([] { publish::parse_publish_target("hf://anna/a--b"); }).substr(0, 14), "hf://anna/a--b");
    EXPECT_EQ(error_of([] { publish::parse_publish_target("hf://a/b/c"); }).find("hf://USER/NAME") != std::string::npos, true);
    EXPECT_EQ(error_of([] { publish::parse_publish_target("gs://x"); }),
              "gs://x: unknown publish target scheme in 'gs://x' (hf://, s3://, file:// or a folder)");
    EXPECT_EQ(error_of([] { publish::parse_publish_target("s3:///x"); }),
              "s3:///x: an S3 target is s3://bucket[/prefix], got 's3:///x'");
}

TEST(EnvFile, ReadsTheUsersDotenv) {
    const auto values = publish::parse_env_text(
        "# users' .env\nHF_USERNAME=anna\nexport HF_TOKEN = \"hf_abc\\\"def\"  # secret\nDATASET_NAME='ppi lessons'\n"
        "LOCAL_DATASET_PATH=./huggingface_dataset # comment\nEMPTY=\n\n",
        ".env");
    EXPECT_EQ(values.at("HF_USERNAME"), "anna");
    EXPECT_EQ(values.at("HF_TOKEN"), "hf_abc\"def");
    EXPECT_EQ(values.at("DATASET_NAME"), "ppi lessons");
    EXPECT_EQ(values.at("LOCAL_DATASET_PATH"), "./huggingface_dataset");
    EXPECT_EQ(values.at("EMPTY"), "");
    // A bad line names the line and variable, never the value (it may be a token).
    EXPECT_EQ(error_of([] { publish::parse_env_text("A=1\nHF_TOKEN=\"hf_secret_value\n", ".env"); }),
              ".env: line 2 is not NAME=value (variable HF_TOKEN)");
    EXPECT_EQ(error_of([] { publish::parse_env_text("just words\n", ".env"); }), ".env: line 1 is not NAME=value");
    EXPECT_EQ(error_of([] { publish::read_env_file("/nonexistent/.env"); }), "/nonexistent/.env: env file not found");
}

TEST(PublishPlan, SendsOnlyWhatTheTargetLacks) {
    publish::PublishManifest manifest;
    manifest.files["README.md"] = {"aaa", 10, "t"};
    manifest.files["videos/a.mp4"] = {"bbb", 10, "t"};
    manifest.files["videos/old.mp4"] = {"ccc", 10, "t"};
    manifest.files["other/x.jpg"] = {"ddd", 10, "t"};
    const std::vector<publish::DatasetFile> files = {file_of("README.md", "aaa"), file_of("videos/a.mp4", "b2"),
                                                     file_of("videos/copy.jpg", "ddd"), file_of("videos/new.mp4", "eee")};
    // With a prefix only its own old files are deleted, copies may come from anywhere.
    auto plan = publish::plan_publish(files, manifest, "", std::nullopt);
    ASSERT_EQ(plan.unchanged.size(), 1u);
    EXPECT_EQ(plan.unchanged[0].path, "README.md");
    ASSERT_EQ(plan.send.size(), 2u);
    EXPECT_EQ(plan.send[0].second, "videos/a.mp4");
    EXPECT_EQ(plan.send[1].second, "videos/new.mp4");
    ASSERT_EQ(plan.copy.size(), 1u);
    EXPECT_EQ(plan.copy[0].key, "videos/copy.jpg");
    EXPECT_EQ(plan.copy[0].from, "other/x.jpg");
    EXPECT_EQ(plan.remove, (std::vector<std::string>{"other/x.jpg", "videos/old.mp4"}));
    EXPECT_EQ(plan.send_bytes(), 20u);

    const auto under = publish::plan_publish(files, manifest, "lesson", std::nullopt);
    EXPECT_TRUE(under.remove.empty());
    EXPECT_EQ(under.copy.size(), 2u);  // README.md and copy.jpg: their bytes are at the target
    EXPECT_EQ(under.send.size(), 2u);

    // What the target actually holds beats the manifest: a missing or resized file is sent again.
    const std::map<std::string, std::uint64_t> remote = {{"README.md", 9}, {"other/x.jpg", 10}};
    const auto listed = publish::plan_publish(files, manifest, "", remote);
    EXPECT_TRUE(listed.unchanged.empty());
    EXPECT_EQ(listed.send.size(), 3u);
}

TEST(PublishPlan, RecognisesTheSameContentUnderAnotherFolder) {
    const std::vector<publish::DatasetFile> files = {file_of("a", "1"), file_of("b", "2")};
    publish::PublishManifest manifest;
    manifest.history.push_back({publish::dataset_digest(files), "/data/first", "2026-12-07T10:00:00Z", 2, 2, 0, 0, ""});
    const auto plan = publish::plan_publish(files, manifest, "", std::nullopt);
    ASSERT_TRUE(plan.same_content);
    EXPECT_EQ(plan.same_content->source, "/data/first");
    // The digest depends on paths and hashes only.
    EXPECT_NE(publish::dataset_digest({file_of("a", "1")}), publish::dataset_digest({file_of("a", "2")}));
    EXPECT_NE(publish::dataset_digest({file_of("a", "1")}), publish::dataset_digest({file_of("c", "1")}));
}

TEST(PublishManifest, RoundTripsAndRefusesOtherDocuments) {
    publish::PublishManifest m;
    m.target = "s3 http://127.0.0.1:7070 b/p";
    m.files["x/y.jpg"] = {"abc", 42, "2026-12-07T10:00:00Z"};
    m.history.push_back({"d", "/src", "2026-12-07T10:00:00Z", 1, 1, 0, 0, "c0ffee"});
    const auto back = publish::manifest_from_json(m.to_json_text(), "m.json");
    EXPECT_EQ(back.files.at("x/y.jpg").size, 42u);
    EXPECT_EQ(back.history.at(0).commit, "c0ffee");
    EXPECT_EQ(error_of([] { publish::manifest_from_json("{\"a\": 1}", "m.json"); }), "m.json: not a vidseg publish manifest");
    EXPECT_EQ(error_of([] { publish::manifest_from_json("{", "m.json"); }).rfind("m.json: malformed publish manifest", 0), 0u);
}

TEST(PublishScan, SkipsHiddenFilesAndTheBuildManifest) {
    TempDir dir;
    write(dir / "README.md", "card");
    write(dir / "videos/a.mp4", "v");
    write(dir / ".vidseg-partial/x", "p");
    write(dir / "build_manifest.json", "{}");
    write(dir / "images/.DS_Store", "x");
    const auto files = publish::scan_dataset(dir.path());
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].path, "README.md");
    EXPECT_EQ(files[1].path, "videos/a.mp4");
    EXPECT_EQ(files[1].sha256, "4c94485e0c21ae6c41ce1dfe7b6bfaceea5ab68e40a2476f50208e526f506080");  // sha256("v")
    TempDir empty;
    EXPECT_EQ(error_of([&] { publish::scan_dataset(empty.path()); }),
              empty.path().string() + ": the dataset folder holds no file to publish");
}

TEST(AgentSource, PairsVideosWithTheirExports) {
    TempDir dir;
    write(dir / "lesson1.mp4", "v1");
    write(dir / "lesson1.json", "[]");
    write(dir / "lesson2.mkv", "v2");  // no export yet: not a lesson
    write(dir / "anna/task_20261207/video.mp4", "v3");
    write(dir / "anna/task_20261207/project-3-at-2026.json", "[]");  // the only export beside the only video
    write(dir / "boris/t/a.mp4", "v");
    write(dir / "boris/t/b.mp4", "v");
    write(dir / "boris/t/export.json", "[]");  // two videos: ambiguous, no pair
    write(dir / ".vidseg-publish.json", "{}");
    storage::StoreConfig config;
    config.location = dir.path().string();
    agent::LessonSource source(config);
    const auto lessons = source.list();
    ASSERT_EQ(lessons.size(), 2u);
    EXPECT_EQ(lessons[0].name, "anna/task_20261207/video");
    EXPECT_EQ(lessons[0].annotations.key, "anna/task_20261207/project-3-at-2026.json");
    EXPECT_EQ(lessons[1].name, "lesson1");
    EXPECT_EQ(lessons[1].video.size, 2u);
    EXPECT_EQ(source.local_copy(lessons[1].video, dir / "unused"), dir / "lesson1.mp4");
    config.location = (dir / "missing").string();
    EXPECT_EQ(error_of([&] { agent::LessonSource{config}; }), config.location + ": source folder not found");
}

TEST(AgentWatch, DurationsStateAndMetrics) {
    EXPECT_DOUBLE_EQ(agent::parse_duration("60s", "every"), 60);
    EXPECT_DOUBLE_EQ(agent::parse_duration("5m", "every"), 300);
    EXPECT_DOUBLE_EQ(agent::parse_duration("1h", "every"), 3600);
    EXPECT_DOUBLE_EQ(agent::parse_duration("0.5", "every"), 0.5);
    EXPECT_EQ(error_of([] { agent::parse_duration("soon", "every"); }),
              "option --every: expected a duration like 60s, 5m, 1h or 0.5s, got 'soon'");
    EXPECT_EQ(error_of([] { agent::parse_duration("5d", "backoff"); }),
              "option --backoff: expected a duration like 60s, 5m, 1h or 0.5s, got '5d'");

    TempDir dir;
    agent::AgentState state;
    state.source = "/in";
    state.target = "/out";
    state.lessons["a"].status = "published";
    state.lessons["b"].status = "failed";
    state.lessons["b"].attempts = 2;
    state.counters.published = 3;
    state.counters.cycles = 7;
    agent::save_agent_state(state, dir / "state.json");
    const auto back = agent::load_agent_state(dir / "state.json");
    EXPECT_EQ(back.lessons.at("b").attempts, 2);
    EXPECT_EQ(back.counters.cycles, 7u);
    EXPECT_TRUE(agent::load_agent_state(dir / "none.json").lessons.empty());
    write(dir / "bad.json", "[1]");
    EXPECT_EQ(error_of([&] { agent::load_agent_state(dir / "bad.json"); }).rfind((dir / "bad.json").string() + ": ", 0), 0u);

    const std::string text = agent::metrics_text(back);
    EXPECT_NE(text.find("# TYPE vidseg_agent_cycles_total counter\nvidseg_agent_cycles_total 7\n"), std::string::npos);
    EXPECT_NE(text.find("vidseg_agent_lessons_published_total 3\n"), std::string::npos);
    EXPECT_NE(text.find("vidseg_agent_lessons_failing 1\n"), std::string::npos);
    EXPECT_NE(text.find("vidseg_agent_lessons_published 1\n"), std::string::npos);
}

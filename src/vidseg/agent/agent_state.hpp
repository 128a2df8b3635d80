// What `vidseg agent watch` remembers between looks and between runs, in one JSON file replaced
// atomically after every change (temp file + fsync + rename: a crash leaves the old or the new state,
// never half of one). A restart therefore neither repeats a lesson that was published nor forgets one
// that was seen: an item caught mid-work is simply worked on again (the publication is idempotent:
// the target's manifest makes the files already sent "unchanged").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace vidseg::agent {

struct LessonState {
    // What the last look saw (size + etag of the video and its export): two equal looks = stable.
    std::uint64_t video_size = 0, annotations_size = 0;
    std::string video_etag, annotations_etag;
    std::string annotations_key;
    std::int64_t first_seen = 0;  // unix seconds
    // "seen" (waiting for stable size), "published", "failed" (retried after next_attempt).
    std::string status = "seen";
    std::string content_digest;   // SHA-256 of the video's and the export's hashes, once computed
    std::string published_digest; // the content digest that was published (skip when unchanged)
    std::string published_at;
    int attempts = 0;             // failed attempts since the last success
    std::int64_t last_failure = 0;  // unix seconds; the next try is due after the back-off of `attempts`
    std::int64_t next_attempt = 0;  // when it was due with the back-off of the run that failed (for people)
    std::string last_error;
};

struct AgentCounters {
    std::uint64_t cycles = 0, published = 0, skipped = 0, failures = 0, files_sent = 0, bytes_sent = 0;
    std::int64_t last_cycle_end = 0;
    std::uint64_t built = 0;            // datasets built (published or not)
    std::uint64_t last_cycle_found = 0; // lessons the last look listed
    double last_cycle_seconds = 0;      // how long the last cycle took
};

struct AgentState {
    std::string source, target;  // what the state is about (a state of another pair is refused)
    std::map<std::string, LessonState> lessons;  // by lesson name
    AgentCounters counters;
};

// A missing file is an empty state. Throws Error(InvalidData) naming the file when it is not one.
AgentState load_agent_state(const std::filesystem::path& file);
void save_agent_state(const AgentState& state, const std::filesystem::path& file);

nlohmann::json to_json(const AgentState& state);

}  // namespace vidseg::agent

#include "vidseg/agent/agent_state.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/json_numbers.hpp"

namespace vidseg::agent {

nlohmann::json to_json(const AgentState& state) {
    nlohmann::json lessons = nlohmann::json::object();
    for (const auto& [name, l] : state.lessons)
        lessons[name] = {{"video_size", l.video_size},        {"video_etag", l.video_etag},
                         {"annotations_key", l.annotations_key}, {"annotations_size", l.annotations_size},
                         {"annotations_etag", l.annotations_etag}, {"first_seen", l.first_seen},
                         {"status", l.status},                {"content_digest", l.content_digest},
                         {"published_digest", l.published_digest}, {"published_at", l.published_at},
                         {"attempts", l.attempts},            {"last_failure", l.last_failure},
                         {"next_attempt", l.next_attempt},
                         {"last_error", l.last_error}};
    const auto& c = state.counters;
    return {{"format", "vidseg-agent-state"},
            {"version", 1},
            {"source", state.source},
            {"target", state.target},
            {"lessons", lessons},
            {"counters",
             {{"cycles", c.cycles}, {"published", c.published}, {"skipped", c.skipped}, {"failures", c.failures},
              {"files_sent", c.files_sent}, {"bytes_sent", c.bytes_sent}, {"last_cycle_end", c.last_cycle_end},
              {"built", c.built}, {"last_cycle_found", c.last_cycle_found}, {"last_cycle_seconds", c.last_cycle_seconds}}}};
}

AgentState load_agent_state(const std::filesystem::path& file) {
    AgentState state;
    std::ifstream in(file, std::ios::binary);
    if (!in) return state;
    std::ostringstream text;
    text << in.rdbuf();
    try {
        const auto doc = nlohmann::json::parse(text.str());
        if (doc.value("format", "") != "vidseg-agent-state" || !json_integer_is(doc, "version", 1))
            throw Error(ErrorCode::InvalidData, "not a vidseg agent state (version 1)", file.string());
        state.source = doc.value("source", "");
        state.target = doc.value("target", "");
        for (const auto& [name, l] : doc.at("lessons").items()) {
            LessonState s;
            s.video_size = json_integer_or<std::uint64_t>(l, "video_size", 0);
            s.video_etag = l.value("video_etag", "");
            s.annotations_key = l.value("annotations_key", "");
            s.annotations_size = json_integer_or<std::uint64_t>(l, "annotations_size", 0);
            s.annotations_etag = l.value("annotations_etag", "");
            s.first_seen = json_integer_or<std::int64_t>(l, "first_seen", 0);
            s.status = l.value("status", "seen");
            s.content_digest = l.value("content_digest", "");
            s.published_digest = l.value("published_digest", "");
            s.published_at = l.value("published_at", "");
            s.attempts = json_integer_or<int>(l, "attempts", 0);
            s.last_failure = json_integer_or<std::int64_t>(l, "last_failure", 0);
            s.next_attempt = json_integer_or<std::int64_t>(l, "next_attempt", 0);
            s.last_error = l.value("last_error", "");
            state.lessons[name] = s;
        }
        const auto& c = doc.at("counters");
        const auto count = [&](const char* key) { return json_integer_or<std::uint64_t>(c, key, 0); };
        state.counters = {count("cycles"),     count("published"),  count("skipped"),
                          count("failures"),   count("files_sent"), count("bytes_sent"),
                          json_integer_or<std::int64_t>(c, "last_cycle_end", 0)};
        state.counters.built = count("built");
        state.counters.last_cycle_found = count("last_cycle_found");
        state.counters.last_cycle_seconds = c.value("last_cycle_seconds", 0.0);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidData, std::string("malformed agent state: ") + e.what(), file.string());
    }
    return state;
}

void save_agent_state(const AgentState& state, const std::filesystem::path& file) {
    write_file_atomic(file, to_json(state).dump(1) + "\n");
}

}  // namespace vidseg::agent

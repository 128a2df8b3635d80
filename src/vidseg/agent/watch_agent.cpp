#include "vidseg/agent/watch_agent.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "vidseg/agent/lesson_source.hpp"
#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/safe_path.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"
#include "vidseg/platform/digest.hpp"
#include "vidseg/storage/sigv4.hpp"

namespace fs = std::filesystem;

namespace vidseg::agent {

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void say(const WatchConfig& config, const std::string& line) {
    if (config.log) config.log(line);
}

// A folder name for a lesson's work ("anna/task/lesson1" -> "anna_task_lesson1-<hash>"): unique, flat.
fs::path work_folder(const WatchConfig& config, const std::string& lesson) {
    std::string flat = lesson;
    std::replace(flat.begin(), flat.end(), '/', '_');
    return config.work_dir / (safe_file_name(flat) + "-" + storage::sha256_hex(lesson).substr(0, 8));
}

bool same_look(const LessonState& s, const LessonCandidate& c) {
    return s.video_size == c.video.size && s.video_etag == c.video.etag && s.annotations_key == c.annotations.key &&
           s.annotations_size == c.annotations.size && s.annotations_etag == c.annotations.etag;
}

// The back-off after `attempts` failures: backoff, doubling, at most backoff_max (with this run's settings,
// so that a shorter --backoff takes effect at once).
double backoff_delay(const WatchConfig& config, int attempts) {
    return std::min(config.backoff_max_seconds, config.backoff_seconds * std::pow(2.0, std::max(0, attempts - 1)));
}

void record_look(LessonState& s, const LessonCandidate& c) {
    s.video_size = c.video.size;
    s.video_etag = c.video.etag;
    s.annotations_key = c.annotations.key;
    s.annotations_size = c.annotations.size;
    s.annotations_etag = c.annotations.etag;
}

// Builds one lesson's dataset and publishes it under the lesson's name.
publish::PublishReport build_and_publish(const WatchConfig& config, const LessonCandidate& lesson, const fs::path& video,
                                         const fs::path& annotations, const fs::path& folder,
                                         const std::string& origin_digest, AgentCounters& counters) {
    nlohmann::json options = config.build_options;
    options["video"] = nlohmann::json::array({video.string()});
    options["annotations"] = annotations.string();
    options["out"] = (folder / "dataset").string();
    if (!options.contains("keyframe")) options["keyframe"] = "best";
    const auto parsed = parse_option_object(dataset::dataset_build_command_spec(), options, {});
    auto build = dataset::dataset_build_config(parsed);
    const auto built = dataset::build_dataset(build);
    if (!built.plan.errors.empty() || !built.written) {
        std::string why = built.plan.errors.empty() ? "no labelled interval to build"
                                                  : built.plan.errors.front().item + ": " + built.plan.errors.front().message;
        if (built.plan.errors.size() > 1) why += " (and " + std::to_string(built.plan.errors.size() - 1) + " more)";
        throw Error(ErrorCode::InvalidData, "dataset build: " + why, lesson.name);
    }
    ++counters.built;
    publish::PublishConfig publish = config.publish;
    publish.origin_digest = origin_digest;
    publish.dir = folder / "dataset";
    publish.prefix = lesson.name;
    publish.message = "Publish lesson " + lesson.name + " with vidseg agent";
    return publish::publish_dataset(publish);
}

void record_failure(const WatchConfig& config, AgentState& state, LessonState& s, const std::string& lesson,
                    const std::string& error, std::int64_t now, CycleReport& report) {
    ++s.attempts;
    const auto delay = static_cast<long long>(std::ceil(backoff_delay(config, s.attempts)));
    s.status = "failed";
    s.last_failure = now;
    s.next_attempt = now + delay;
    s.last_error = error;
    ++report.failed;
    ++state.counters.failures;
    report.failures.emplace_back(lesson, error);
    say(config, "failed " + lesson + ": " + error + " (attempt " + std::to_string(s.attempts) + ", next try in " +
                    std::to_string(delay) + " s)");
    save_agent_state(state, config.state_file);
}

}  // namespace

double parse_duration(const std::string& text, const std::string& option) {
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    const std::string unit = text.substr(used);
    const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "ms" ? 0.001 : -1;
    if (used == 0 || scale < 0 || value < 0 || !std::isfinite(value))
        throw Error(ErrorCode::InvalidArgument,
                    "option --" + option + ": expected a duration like 60s, 5m, 1h or 0.5s, got '" + text + "'");
    return value * scale;
}

nlohmann::json parse_build_options(const std::string& text, const std::string& option) {
    nlohmann::json options;
    try {
        options = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::InvalidArgument, "option --" + option + ": not JSON: " + e.what());
    }
    if (!options.is_object())
        throw Error(ErrorCode::InvalidArgument, "option --" + option + ": expected a JSON object of dataset build options");
    return options;
}

CycleReport run_watch_cycle(const WatchConfig& config, AgentState& state) {
    const auto started = std::chrono::steady_clock::now();
    LessonSource source(config.source);
    CycleReport report;
    const auto lessons = source.list();
    report.found = lessons.size();
    // The target's manifest, read once per cycle when a lesson is about to be built: what another agent
    // (or this one, before its state was lost) published from the same lesson content.
    std::optional<publish::PublishManifest> target_manifest;
    const auto save = [&] { save_agent_state(state, config.state_file); };
    for (const auto& lesson : lessons) {
        if (cancel_requested()) break;
        const std::int64_t now = unix_now();
        auto [it, added] = state.lessons.try_emplace(lesson.name);
        LessonState& s = it->second;
        if (added || !same_look(s, lesson)) {  // new or still changing: wait for a second equal look
            if (added) s.first_seen = now;
            record_look(s, lesson);
            if (s.status != "seen") say(config, "changed " + lesson.name + ": will be published again once stable");
            s.status = "seen";
            s.attempts = 0;
            s.next_attempt = 0;
            s.content_digest.clear();
            ++report.waiting;
            save();
            continue;
        }
        if (s.status == "published") {
            ++report.skipped;
            continue;
        }
        if (s.status == "failed" && now < s.last_failure + static_cast<std::int64_t>(std::ceil(backoff_delay(config, s.attempts)))) {
            ++report.waiting;
            continue;
        }
        const fs::path folder = work_folder(config, lesson.name);
        try {
            fs::create_directories(folder / "input");
            const fs::path video = source.local_copy(lesson.video, folder / "input");
            const fs::path annotations = source.local_copy(lesson.annotations, folder / "input");
            s.content_digest = storage::sha256_hex(platform::file_sha256_hex(video) + platform::file_sha256_hex(annotations));
            const auto twin = std::find_if(state.lessons.begin(), state.lessons.end(), [&](const auto& other) {
                return other.second.status == "published" && other.second.published_digest == s.content_digest;
            });
            if (twin != state.lessons.end()) {  // the same content was published (maybe under another name)
                s.status = "published";
                s.published_digest = s.content_digest;
                s.published_at = publish::utc_now_iso8601();
                ++report.skipped;
                ++state.counters.skipped;
                say(config, "skipped " + lesson.name + ": same content as " + twin->first + ", already published");
                save();
                fs::remove_all(folder);
                continue;
            }
            if (!target_manifest) target_manifest = publish::read_target_manifest(config.publish);
            if (const auto earlier = target_manifest->find_origin(s.content_digest)) {
                s.status = "published";
                s.published_digest = s.content_digest;
                s.published_at = earlier->published_at;
                ++report.skipped;
                ++state.counters.skipped;
                say(config, "skipped " + lesson.name + ": the target's manifest lists it as published" +
                                (earlier->prefix.empty() ? "" : " under " + earlier->prefix) + " at " +
                                earlier->published_at);
                save();
                fs::remove_all(folder);
                continue;
            }
            const auto published =
                build_and_publish(config, lesson, video, annotations, folder, s.content_digest, state.counters);
            target_manifest.reset();  // it changed
            s.status = "published";
            s.published_digest = s.content_digest;
            s.published_at = publish::utc_now_iso8601();
            s.attempts = 0;
            s.next_attempt = 0;
            s.last_error.clear();
            ++report.published;
            ++state.counters.published;
            state.counters.files_sent += published.sent;
            state.counters.bytes_sent += published.bytes_sent;
            say(config, "published " + lesson.name + " to " + config.publish.target.location + "/" + lesson.name + " (" +
                            std::to_string(published.sent) + " file(s) sent, " + std::to_string(published.copied) +
                            " copied, " + std::to_string(published.plan.unchanged.size()) + " unchanged)");
            save();
            fs::remove_all(folder);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Interrupted) throw;
            record_failure(config, state, s, lesson.name, e.what(), now, report);
        } catch (const std::exception& e) {  // a bug must not stop the other lessons either
            record_failure(config, state, s, lesson.name, std::string("internal error: ") + e.what(), now, report);
        }
    }
    ++state.counters.cycles;
    state.counters.last_cycle_end = unix_now();
    state.counters.last_cycle_found = lessons.size();
    state.counters.last_cycle_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    save();
    if (!config.metrics_file.empty()) write_file_atomic(config.metrics_file, metrics_text(state));
    return report;
}

AgentState open_agent_state(const WatchConfig& config) {
    for (const fs::path& file : {config.state_file, config.metrics_file})
        if (!file.parent_path().empty()) {
            std::error_code ec;
            fs::create_directories(file.parent_path(), ec);
            if (ec) throw Error(ErrorCode::OutputError, "cannot create the folder: " + ec.message(), file.parent_path().string());
        }
    AgentState state = load_agent_state(config.state_file);
    const std::string source = config.source.location, target = config.publish.target.location;
    if (!state.source.empty() && (state.source != source || state.target != target))
        throw Error(ErrorCode::InvalidArgument,
                    "the state file belongs to --source " + state.source + " --publish " + state.target +
                        "; use another --state for this pair",
                    config.state_file.string());
    state.source = source;
    state.target = target;
    return state;
}

namespace {

void pause(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until && !cancel_requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

CycleReport run_watch_once(const WatchConfig& config) {
    AgentState state = open_agent_state(config);
    // The first look only records sizes (lessons already seen by an earlier run may go ahead in it).
    const CycleReport first = run_watch_cycle(config, state);
    if (first.waiting == 0 || cancel_requested()) return first;
    pause(config.settle_seconds);
    CycleReport second = run_watch_cycle(config, state);
    second.skipped -= std::min(second.skipped, first.published);  // published by the first look, not before
    second.published += first.published;
    second.failed += first.failed;
    second.failures.insert(second.failures.begin(), first.failures.begin(), first.failures.end());
    return second;
}

void run_watch_loop(const WatchConfig& config, const std::function<void(const CycleReport&)>& on_cycle) {
    AgentState state = open_agent_state(config);
    while (!cancel_requested()) {
        const auto report = run_watch_cycle(config, state);
        if (on_cycle) on_cycle(report);
        pause(config.every_seconds);
    }
}

std::string metrics_text(const AgentState& state) {
    std::size_t waiting = 0, failing = 0, published = 0;
    for (const auto& [name, s] : state.lessons) {
        if (s.status == "seen") ++waiting;
        else if (s.status == "failed") ++failing;
        else if (s.status == "published") ++published;
    }
    const auto& c = state.counters;
    std::string out;
    const auto metric = [&](const char* name, const char* type, const char* help, const std::string& value) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " + value + "\n";
    };
    metric("vidseg_agent_cycles_total", "counter", "Watch cycles completed.", std::to_string(c.cycles));
    metric("vidseg_agent_lessons_seen", "gauge", "Lessons the last look listed at the source.",
           std::to_string(c.last_cycle_found));
    metric("vidseg_agent_datasets_built_total", "counter", "Datasets built.", std::to_string(c.built));
    metric("vidseg_agent_lessons_published_total", "counter", "Lessons built and published.", std::to_string(c.published));
    metric("vidseg_agent_lessons_skipped_total", "counter", "Lessons skipped: their content was already published.",
           std::to_string(c.skipped));
    metric("vidseg_agent_failures_total", "counter", "Failed attempts (each is retried with back-off).",
           std::to_string(c.failures));
    metric("vidseg_agent_files_sent_total", "counter", "Files sent to the target.", std::to_string(c.files_sent));
    metric("vidseg_agent_bytes_sent_total", "counter", "Bytes sent to the target.", std::to_string(c.bytes_sent));
    metric("vidseg_agent_lessons_waiting", "gauge", "Lessons waiting for a stable size.", std::to_string(waiting));
    metric("vidseg_agent_lessons_failing", "gauge", "Lessons whose last attempt failed.", std::to_string(failing));
    metric("vidseg_agent_lessons_published", "gauge", "Lessons published and unchanged.", std::to_string(published));
    metric("vidseg_agent_last_cycle_timestamp_seconds", "gauge", "Unix time the last cycle ended.",
           std::to_string(c.last_cycle_end));
    metric("vidseg_agent_last_cycle_duration_seconds", "gauge", "How long the last cycle took.",
           std::to_string(c.last_cycle_seconds));
    return out;
}

}  // namespace vidseg::agent

#include "vidseg/mcp/server_tools.hpp"

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "vidseg/core/atomic_dir.hpp"
#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"
#include "vidseg/eval/agreement_options.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/mcp/tool_schema.hpp"
#include "vidseg/pipeline/prepare_options.hpp"
#include "vidseg/pipeline/transcribe_options.hpp"
#include "vidseg/platform/api_error.hpp"
#include "vidseg/platform/job_kinds.hpp"

namespace vidseg::mcp {

using nlohmann::json;

namespace {

constexpr const char* kJobScheme = "vidseg://jobs/";
constexpr const char* kDatasetScheme = "vidseg://datasets/";

// The platform's refusals (ApiError: not found, forbidden, too many active jobs) as engine errors, so
// that a tool error carries an engine code: 404 -> input_not_found, the rest invalid_argument.
template <typename Call>
auto engine_errors(Call&& call) {
    try {
        return call();
    } catch (const platform::ApiError& e) {
        throw Error(e.status() == 404 ? ErrorCode::InputNotFound : ErrorCode::InvalidArgument,
                    e.api_code() + ": " + e.what());
    }
}

std::int64_t id_argument(const json& arguments, const std::string& name) {
    const auto it = arguments.find(name);
    if (it == arguments.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0)
        throw Error(ErrorCode::InvalidArgument, "argument '" + name + "' must be a positive integer id");
    return it->get<std::int64_t>();
}

json id_schema(const std::string& description) {
    return {{"type", "integer"}, {"minimum", 1}, {"description", description}};
}

// A job kind as a tool: the command's options without those of type Path (the server chooses them),
// the video id(s), and the kind's inputs given as data.
struct JobTool {
    std::string tool, kind;
    CommandSpec spec;
    bool several_videos = false;
    json inputs;  // input name -> schema (dataset build: annotations, label_config, review)
};

json job_json(platform::Platform& platform, const platform::Principal& who, std::int64_t id) {
    json doc = platform::to_json(platform.job(who, id));
    json files = json::array();
    for (const auto& f : platform.job_files(who, id))
        files.push_back({{"name", f.name},
                         {"size", f.size},
                         {"url", "/api/jobs/" + std::to_string(id) + "/files/" + f.name}});
    doc["files"] = files;
    json log = json::array();
    for (const auto& line : platform.job_log(who, id)) log.push_back(line.line);
    doc["log"] = log;
    return doc;
}

bool job_ended(const std::string& state) {
    return state == "finished" || state == "error" || state == "cancelled";
}

// Waits for a job the caller follows: its stage as a progress phase, its percentage within it; the
// ended job (with its files) is the answer. The client's cancellation of the call cancels the job;
// any other stop (the client left, the server stops) leaves the job running.
json follow_job(platform::Platform& platform, const platform::Principal& who, const std::string& ip,
                std::int64_t id, Progress& progress, const std::atomic<bool>& cancelled) {
    std::string stage;
    for (;;) {
        const auto job = engine_errors([&] { return platform.job(who, id); });
        if (job.stage != stage) {
            stage = job.stage;
            progress.begin("job " + std::to_string(id) + ": " + stage, 100);
        }
        progress.update(job.progress);
        if (job_ended(job.state)) return engine_errors([&] { return job_json(platform, who, id); });
        if (cancelled) {
            engine_errors([&] { return platform.cancel_job(who, id, ip); });
            throw Error(ErrorCode::Interrupted, "job " + std::to_string(id) + " cancelled with its call");
        }
        if (cancel_requested())
            throw Error(ErrorCode::Interrupted,
                        "stopped following job " + std::to_string(id) + " (it goes on)");
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
}

Tool job_tool(const JobTool& job, platform::Platform& platform, const platform::Principal& who,
              const std::string& ip) {
    std::vector<std::string> paths;
    for (const auto& o : job.spec.options)
        if (o.type == OptionType::Path || o.name == "whisper-url") paths.push_back(o.name);
    auto spec = without_options(job.spec, paths);
    spec.positionals.clear();
    json schema = input_schema(spec);
    const std::string videos = job.several_videos ? "video_ids" : "video_id";
    schema["properties"][videos] = job.several_videos
                                       ? json{{"type", "array"},
                                              {"items", id_schema("")},
                                              {"minItems", 1},
                                              {"description", "Ids of uploaded videos (GET /api/videos)."}}
                                       : id_schema("Id of an uploaded video (GET /api/videos).");
    json required = {videos};
    for (const auto& [name, input] : job.inputs.items()) {
        schema["properties"][name] = input;
        if (name == "annotations") required.push_back(name);
    }
    schema["required"] = required;
    auto submit = [job, videos, &platform, who, ip](const json& arguments) {
        std::vector<std::int64_t> ids;
        const auto given = arguments.find(videos);
        if (job.several_videos && given != arguments.end() && given->is_array()) {
            for (const auto& v : *given) {
                if (!v.is_number_integer())
                    throw Error(ErrorCode::InvalidArgument, "argument 'video_ids' must hold integer ids");
                ids.push_back(v.get<std::int64_t>());
            }
        } else {
            ids.push_back(id_argument(arguments, videos));
        }
        json options = arguments, inputs = json::object();
        options.erase(videos);
        for (const auto& [name, input] : job.inputs.items())
            if (options.contains(name)) {
                inputs[name] = options[name];
                options.erase(name);
            }
        return engine_errors([&] { return platform.submit_job(who, job.kind, ids, options, inputs, ip); });
    };
    return {
        .name = job.tool,
        .title = "vidseg " + job.spec.name + " (server job)",
        .description = job.spec.summary +
                       "\n\nRuns as a job of the server: the answer is the queued job; follow it with "
                       "job_status (its files when it has succeeded) or stop it with job_cancel. A call "
                       "that asks for progress (a progressToken) instead waits for the job, reporting its "
                       "progress, and answers the ended job with its files; cancelling the call cancels "
                       "the job.",
        .input_schema = schema,
        .run = [submit](const json& arguments, Progress&) { return platform::to_json(submit(arguments)); },
        .run_followed =
            [submit, &platform, who, ip](const json& arguments, Progress& progress,
                                         const std::atomic<bool>& cancelled) {
                return follow_job(platform, who, ip, submit(arguments).id, progress, cancelled);
            }};
}

// A folder of this process for one call's exports, removed when the call ends.
class CallFolder {
public:
    CallFolder() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                ("vidseg-mcp-" + std::to_string(random()) + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~CallFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    CallFolder(const CallFolder&) = delete;
    CallFolder& operator=(const CallFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// dataset agreement over HTTP: the exports are given as data (no server paths) and the agreement,
// which needs no media, is answered at once rather than queued as a job.
Tool dataset_agreement_tool() {
    std::vector<std::string> paths;
    const auto full = eval::dataset_agreement_command_spec();
    for (const auto& o : full.options)
        if (o.type == OptionType::Path) paths.push_back(o.name);
    auto spec = without_options(full, paths);
    spec.positionals.clear();
    json schema = input_schema(spec);
    schema["properties"]["exports"] = {
        {"type", "array"},
        {"minItems", 1},
        {"maxItems", 64},
        {"items", {{"type", {"array", "object", "string"}}}},
        {"description",
         "Label Studio exports: one in which several annotators labelled the same tasks, or one per "
         "annotator (JSON or JSON_MIN as JSON, CSV as text)."}};
    schema["required"] = {"exports"};
    return {.name = "dataset_agreement",
            .title = "vidseg dataset agreement",
            .description = full.summary,
            .input_schema = schema,
            .run = [full](const json& arguments, Progress&) {
                const auto exports = arguments.find("exports");
                if (exports == arguments.end() || !exports->is_array() || exports->empty() ||
                    exports->size() > 64)
                    throw Error(ErrorCode::InvalidArgument,
                                "argument 'exports' must be an array of 1 to 64 Label Studio exports");
                CallFolder folder;
                std::vector<std::string> files;
                for (const auto& e : *exports) {
                    const auto file = folder.path() / ("export_" + std::to_string(files.size() + 1) +
                                                       (e.is_string() ? ".csv" : ".json"));
                    write_file_atomic(file, e.is_string() ? e.get<std::string>() : e.dump());
                    files.push_back(file.string());
                }
                json options = arguments;
                options.erase("exports");
                const auto run = eval::run_dataset_agreement(platform::parse_job_options(full, options, files));
                auto doc = eval::to_json(run);
                // The warnings name the exports as the caller numbered them, not by this server's paths.
                const std::string prefix = folder.path().string() + "/";
                auto warnings = run.warnings;
                for (auto& w : warnings)
                    if (w.rfind(prefix, 0) == 0) w.erase(0, prefix.size());
                doc["warnings"] = warnings;
                doc["notes"] = run.corpus.notes;
                return doc;
            }};
}

std::vector<Resource> list_resources(platform::Platform& platform, const platform::Principal& who) {
    std::vector<Resource> out;
    for (const auto& j : platform.jobs(who)) {
        const std::string id = std::to_string(j.id);
        out.push_back({.uri = kJobScheme + id, .name = "job " + id, .description = j.kind + ", " + j.state});
        if (j.kind == "dataset build" && j.state == "finished")
            out.push_back({.uri = kDatasetScheme + id,
                           .name = "dataset of job " + id,
                           .description = "the files of the dataset built by job " + id});
    }
    return out;
}

std::string read_resource(platform::Platform& platform, const platform::Principal& who,
                          const std::string& uri) {
    for (const char* scheme : {kJobScheme, kDatasetScheme}) {
        const std::string prefix = scheme;
        if (uri.rfind(prefix, 0) != 0) continue;
        const std::string id = uri.substr(prefix.size());
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) break;
        return engine_errors([&] {
            const auto job = platform.job(who, std::stoll(id));
            if (prefix == kDatasetScheme && !(job.kind == "dataset build" && job.state == "finished"))
                throw Error(ErrorCode::InputNotFound, "resource not found: " + uri);
            return job_json(platform, who, job.id).dump(2);
        });
    }
    throw Error(ErrorCode::InputNotFound, "resource not found: " + uri);
}

}  // namespace

ToolBox server_toolbox(platform::Platform& platform, const platform::Principal& caller,
                       const std::string& ip) {
    const json review = {
        {"type", "array"},
        {"description",
         "Review decisions: {\"item\": \"3\" or a fragment name, \"decision\": \"excluded\"|\"kept\", "
         "\"reason\": \"...\"}."},
        {"items", {{"type", "object"}, {"required", {"item"}}}}};
    const std::vector<JobTool> jobs = {
        {"prepare", "prepare", pipeline::prepare_command_spec(), false, json::object()},
        {"dataset_build",
         "dataset build",
         without_options(dataset::dataset_build_command_spec(), {"review", "yes"}),
         true,
         {{"annotations",
           {{"type", {"array", "object", "string"}},
            {"description", "The Label Studio export (JSON or JSON_MIN as JSON, CSV as text)."}}},
          {"label_config", {{"type", "string"}, {"description", "The project's label config XML."}}},
          {"review", review}}},
        {"intro_detect", "intro detect", intro::intro_detect_command_spec(), true, json::object()},
        {"transcribe", "transcribe", pipeline::transcribe_command_spec(), false, json::object()},
    };
    ToolBox box;
    const platform::Principal who = caller;
    box.tools.push_back(
        {.name = "probe",
         .title = "vidseg probe (uploaded video)",
         .description =
             "What the server knows of an uploaded video: name, size, duration, streams (probed when it "
             "arrived).",
         .input_schema = {{"type", "object"},
                          {"properties", {{"video_id", id_schema("Id of an uploaded video.")}}},
                          {"required", {"video_id"}},
                          {"additionalProperties", false}},
         .run = [&platform, who](const json& arguments, Progress&) {
             return engine_errors(
                 [&] { return platform::to_json(platform.video(who, id_argument(arguments, "video_id"))); });
         }});
    for (const auto& job : jobs) box.tools.push_back(job_tool(job, platform, who, ip));
    const json job_input = {{"type", "object"},
                            {"properties", {{"job_id", id_schema("Id of a job.")}}},
                            {"required", {"job_id"}},
                            {"additionalProperties", false}};
    box.tools.push_back(
        {.name = "job_status",
         .title = "Job status",
         .description = "State, stage, progress (0..100), error, log and result files of a job.",
         .input_schema = job_input,
         .run = [&platform, who](const json& arguments, Progress&) {
             return engine_errors([&] { return job_json(platform, who, id_argument(arguments, "job_id")); });
         }});
    box.tools.push_back(dataset_agreement_tool());
    box.tools.push_back({.name = "job_cancel",
                         .title = "Cancel a job",
                         .description = "Asks a queued or running job to stop; answers the job.",
                         .input_schema = job_input,
                         .run = [&platform, who, ip](const json& arguments, Progress&) {
                             return engine_errors([&] {
                                 return platform::to_json(
                                     platform.cancel_job(who, id_argument(arguments, "job_id"), ip));
                             });
                         }});
    box.list_resources = [&platform, who] { return list_resources(platform, who); };
    box.read_resource = [&platform, who](const std::string& uri) {
        return read_resource(platform, who, uri);
    };
    box.instructions =
        "vidseg serve: tools run as jobs on videos uploaded to this server (ids from GET /api/videos). A "
        "tool answers "
        "the queued job; follow it with job_status and stop it with job_cancel, or ask for progress "
        "(progressToken) to wait for the ended job.";
    return box;
}

}  // namespace vidseg::mcp

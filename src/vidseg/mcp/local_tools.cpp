#include "vidseg/mcp/local_tools.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vidseg/core/error.hpp"
#include "vidseg/dataset/dataset_build_options.hpp"
#include "vidseg/eval/agreement_options.hpp"
#include "vidseg/intro/intro_detect_options.hpp"
#include "vidseg/intro/intro_detect_report.hpp"
#include "vidseg/intro/intro_detector.hpp"
#include "vidseg/mcp/tool_schema.hpp"
#include "vidseg/media/probe_options.hpp"
#include "vidseg/pipeline/prepare_options.hpp"
#include "vidseg/pipeline/transcribe_options.hpp"
#include "vidseg/publish/publish_options.hpp"

namespace vidseg::mcp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kDatasetScheme = "vidseg://datasets/";

// A tool whose input schema is the command's table; run gets the arguments parsed by that table.
Tool command_tool(const std::string& name, const CommandSpec& spec, const std::string& note,
                  std::function<json(const ParsedOptions&, Progress&)> run) {
    return {.name = name,
            .title = "vidseg " + spec.name,
            .description = spec.summary + (spec.description.empty() ? "" : "\n\n" + spec.description) + note,
            .input_schema = input_schema(spec),
            .run = [spec, run](const json& arguments, Progress& progress) {
                return run(parse_tool_arguments(spec, arguments), progress);
            }};
}

Tool probe_tool() {
    return command_tool(
        "probe", media::probe_command_spec(), "", [](const ParsedOptions& options, Progress&) {
            return media::to_json(media::probe(options.positionals().front(), media::probe_options(options)));
        });
}

Tool prepare_tool() {
    return command_tool("prepare", pipeline::prepare_command_spec(), "",
                        [](const ParsedOptions& options, Progress& progress) {
                            auto config = pipeline::prepare_config(options);
                            config.progress = &progress;
                            return pipeline::to_json(pipeline::prepare(config));
                        });
}

Tool dataset_build_tool() {
    // No interactive review here: decisions are given with `exclude`, as with --yes.
    const auto spec = without_options(dataset::dataset_build_command_spec(), {"review", "yes"});
    return command_tool(
        "dataset_build", spec,
        "\n\nThrough MCP there is no interactive review: fragments are left out with `exclude`.",
        [](const ParsedOptions& options, Progress& progress) {
            auto config = dataset::dataset_build_config(options);
            config.progress = &progress;
            const char* user = std::getenv("USER");
            config.reviewer = user && *user ? user : "mcp";
            const auto report = dataset::build_dataset(config);
            dataset::require_written(report);
            return dataset::to_json(report);
        });
}

Tool transcribe_tool() {
    return command_tool("transcribe", pipeline::transcribe_command_spec(), "",
                        [](const ParsedOptions& options, Progress& progress) {
                            auto config = pipeline::transcribe_config(options);
                            config.progress = &progress;
                            return pipeline::to_json(pipeline::transcribe(config));
                        });
}

Tool dataset_agreement_tool() {
    return command_tool("dataset_agreement", eval::dataset_agreement_command_spec(), "",
                        [](const ParsedOptions& options, Progress&) {
                            const auto run = eval::run_dataset_agreement(options);
                            auto doc = eval::to_json(run);
                            doc["warnings"] = run.warnings;
                            doc["notes"] = run.corpus.notes;
                            return doc;
                        });
}

Tool intro_detect_tool() {
    // A season's detection; matching one episode against an intro library stays the CLI's.
    const auto spec = without_options(intro::intro_detect_command_spec(), {"library"});
    return command_tool("intro_detect", spec, "", [](const ParsedOptions& options, Progress& progress) {
        const auto episodes = intro::intro_episodes(options);
        if (episodes.size() < 2)
            throw Error(ErrorCode::InvalidArgument, "needs at least two episodes of a series (got " +
                                                        std::to_string(episodes.size()) +
                                                        "): give episodes or dir");
        const auto config = intro::intro_detect_options(options);
        const auto run = intro::detect_season(episodes, config, intro::intro_cache_dir(options), &progress);
        intro::require_usable(run.season);
        intro::write_intro_outputs(run.season.detections, options);
        return json{{"episodes", intro::episodes_json(run.season, config.cues)},
                    {"usable", intro::usable_episodes(run.season)},
                    {"series", intro::series_json(run.season)},
                    {"audio_only", run.audio_only},
                    {"warnings", run.warnings}};
    });
}

Tool dataset_publish_tool() {
    // Credentials as for the CLI (flags, environment, .env); the token never appears in a result or error.
    return command_tool("dataset_publish", publish::dataset_publish_command_spec(), "",
                        [](const ParsedOptions& options, Progress&) {
                            return publish::to_json(publish::publish_dataset(publish::dataset_publish_config(options)));
                        });
}

bool is_dataset(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "README.md", ec)) return false;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec))
        if (entry.path().filename() == "metadata.jsonl") return true;
    return false;
}

std::vector<Resource> list_datasets(const fs::path& root) {
    std::vector<Resource> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec)) {
        if (!entry.is_directory() || !is_dataset(entry.path())) continue;
        const std::string name = entry.path().filename().string();
        out.push_back({.uri = kDatasetScheme + name,
                       .name = name,
                       .description = "dataset built by vidseg dataset build in " + entry.path().string()});
    }
    std::sort(out.begin(), out.end(), [](const Resource& a, const Resource& b) { return a.uri < b.uri; });
    return out;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// {"name", "path", "card": README.md, "files": [{"path", "size"}], "items": rows of the metadata.jsonl files}
std::string read_dataset(const fs::path& root, const std::string& uri) {
    const std::string name =
        uri.rfind(kDatasetScheme, 0) == 0 ? uri.substr(std::string(kDatasetScheme).size()) : "";
    const fs::path dir = root / name;
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == ".." ||
        !is_dataset(dir))
        throw Error(ErrorCode::InputNotFound, "resource not found: " + uri);
    json files = json::array();
    std::size_t items = 0;
    std::vector<fs::path> paths;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
        files.push_back({{"path", fs::relative(path, dir).string()}, {"size", fs::file_size(path)}});
        if (path.filename() == "metadata.jsonl") {
            std::ifstream in(path);
            for (std::string line; std::getline(in, line);) items += !line.empty();
        }
    }
    return json{{"name", name},
                {"path", fs::absolute(dir).string()},
                {"card", read_text(dir / "README.md")},
                {"files", files},
                {"metadata_rows", items}}
        .dump(2);
}

}  // namespace

ToolBox local_toolbox(const LocalToolsConfig& config) {
    ToolBox box;
    box.tools = {probe_tool(),        prepare_tool(),        dataset_build_tool(), dataset_agreement_tool(),
                 intro_detect_tool(), dataset_publish_tool(), transcribe_tool()};
    box.instructions =
        "vidseg turns lesson videos into labelled segments, Label Studio tasks and Hugging Face datasets. "
        "Paths are "
        "files of the machine vidseg runs on. Each tool takes the options of the vidseg command of the same "
        "name "
        "(option names without '--').";
    if (!config.datasets_dir.empty()) {
        const fs::path root = config.datasets_dir;
        box.list_resources = [root] { return list_datasets(root); };
        box.read_resource = [root](const std::string& uri) { return read_dataset(root, uri); };
    }
    return box;
}

}  // namespace vidseg::mcp

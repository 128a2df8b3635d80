#include "vidseg/publish/publish_options.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vidseg/core/error.hpp"
#include "vidseg/publish/env_file.hpp"
#include "vidseg/storage/store_options.hpp"

namespace fs = std::filesystem;

namespace vidseg::publish {

std::vector<OptionSpec> publish_credential_options() {
    return {
        {.name = "env-file", .type = OptionType::Path,
         .help = "The .env file with HF_USERNAME, HF_TOKEN, DATASET_NAME, LOCAL_DATASET_PATH (default: ./.env when it "
                 "exists). Variables set in the environment win over it.",
         .metavar = "FILE"},
        {.name = "token-file", .type = OptionType::Path,
         .help = "A file holding the Hub token (instead of HF_TOKEN; a token on the command line would be visible to "
                 "other users).",
         .metavar = "FILE"},
        {.name = "private", .type = OptionType::Flag, .help = "Hub: create the repository private (an existing one keeps its visibility)."},
        {.name = "dry-run", .type = OptionType::Flag, .help = "Print what would be sent, copied and deleted; change nothing."},
        {.name = "message", .type = OptionType::String, .help = "Hub commit message.", .metavar = "TEXT"},
        {.name = "hub-python", .type = OptionType::Path,
         .help = "Python of the venv with huggingface_hub (else VIDSEG_HUB_PYTHON, build/pyenv-hub).", .metavar = "FILE"},
        {.name = "hub-worker", .type = OptionType::Path, .help = "hub_worker.py (else VIDSEG_HUB_WORKER, next to vidseg).",
         .metavar = "FILE"},
    };
}

namespace {

// A variable of the environment, else of the env file.
std::string lookup(const EnvValues& file_values, const std::string& name) {
    if (const char* v = std::getenv(name.c_str()); v && *v) return v;
    const auto it = file_values.find(name);
    return it == file_values.end() ? "" : it->second;
}

std::string read_token_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::InputNotFound, "token file not found", file.string());
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw Error(ErrorCode::InvalidArgument, "the token file is empty", file.string());
    return token;
}

}  // namespace

PublishConfig publish_config_from(const ParsedOptions& options, const PublishInputs& inputs) {
    EnvValues file_values;
    if (options.given("env-file")) file_values = read_env_file(options.str("env-file"));
    else if (std::error_code ec; fs::is_regular_file(".env", ec)) file_values = read_env_file(".env");

    PublishConfig config;
    std::string dir = inputs.dir.value_or("");
    if (dir.empty()) dir = lookup(file_values, "LOCAL_DATASET_PATH");
    config.dir = dir;

    std::string to = inputs.to.value_or("");
    if (to.empty()) {
        const std::string user = lookup(file_values, "HF_USERNAME"), name = lookup(file_values, "DATASET_NAME");
        if (!user.empty() && !name.empty()) to = "hf://" + user + "/" + name;
        else
            throw Error(ErrorCode::InvalidArgument,
                        "no publish target: pass --to hf://USER/NAME | s3://bucket/prefix | DIR, or set HF_USERNAME and "
                        "DATASET_NAME (environment or .env)");
    }
    config.target = parse_publish_target(to);
    config.dry_run = options.flag("dry-run");
    config.private_repo = options.flag("private");
    config.message = options.str("message");
    config.hub.python = options.str("hub-python");
    config.hub.worker_script = options.str("hub-worker");
    if (options.given("token-file")) config.hub.token = read_token_file(options.str("token-file"));
    else config.hub.token = lookup(file_values, "HF_TOKEN");
    if (config.target.kind == PublishTarget::Kind::Hub && config.hub.token.empty() && !config.dry_run)
        throw Error(ErrorCode::InvalidArgument,
                    "no Hub token: set HF_TOKEN (environment or .env) or pass --token-file", config.target.location);
    return config;
}

CommandSpec dataset_publish_command_spec() {
    auto options = publish_credential_options();
    options.insert(options.begin(),
                   {.name = "to", .short_name = 't', .type = OptionType::String,
                    .help = "Target: hf://USER/NAME (a Hub dataset repository), s3://bucket/prefix or a folder "
                            "(default: hf://HF_USERNAME/DATASET_NAME).",
                    .metavar = "TARGET"});
    options.push_back({.name = "prefix", .type = OptionType::String,
                       .help = "Folder at the target to publish under (default: its root).", .metavar = "PATH"});
    for (auto& o : storage::s3_options()) options.push_back(o);
    return CommandSpec{
        .name = "dataset publish",
        .summary = "Publish a dataset folder to the Hugging Face Hub, S3 or a folder (only what changed).",
        .description =
            "Sends DIR (default LOCAL_DATASET_PATH) with its dataset card (README.md; a minimal card is generated when\n"
            "the folder has none) to TARGET, keeping its layout, so that datasets.load_dataset reads the copy:\n"
            "  hf://USER/NAME        a Hub dataset repository, through huggingface_hub (a Python worker in the venv\n"
            "                        of tests/python/requirements-hub.txt); created when missing (--private)\n"
            "  s3://bucket/prefix    any S3 server (--s3-endpoint; keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)\n"
            "  DIR                   a local folder\n"
            "The target keeps a manifest, .vidseg-publish.json (SHA-256 and size of every published file, and when and\n"
            "from where each dataset was published): a re-publish sends only the files whose content changed, copies at\n"
            "the target the ones whose bytes it already holds under another name, deletes the ones the folder no longer\n"
            "has, and recognises a folder whose content was published before, whatever it is called.\n"
            "Credentials and names: flags, then the environment, then the .env file (HF_USERNAME, HF_TOKEN,\n"
            "DATASET_NAME, LOCAL_DATASET_PATH). The token is never printed or logged.\n"
            "Hidden files and build_manifest.json are not published.",
        .positionals = {{"DIR", "The dataset folder (vidseg dataset build / foto output).", 0, 1}},
        .options = options,
        .examples = "  vidseg dataset publish huggingface_dataset --to hf://anna/ppi-lessons --private\n"
                    "  vidseg dataset publish                          # everything from ./.env\n"
                    "  vidseg dataset publish ds --to s3://datasets/ppi --s3-endpoint http://127.0.0.1:9000\n"
                    "  vidseg dataset publish ds --to /srv/published/ppi --dry-run",
    };
}

PublishConfig dataset_publish_config(const ParsedOptions& options) {
    PublishInputs inputs;
    if (!options.positionals().empty()) inputs.dir = options.positionals()[0];
    if (options.given("to")) inputs.to = options.str("to");
    auto config = publish_config_from(options, inputs);
    if (config.dir.empty())
        throw Error(ErrorCode::InvalidArgument, "no dataset folder: pass DIR or set LOCAL_DATASET_PATH (environment or .env)");
    config.store = storage::store_config(options);
    config.prefix = options.str("prefix");
    while (!config.prefix.empty() && config.prefix.back() == '/') config.prefix.pop_back();
    return config;
}

}  // namespace vidseg::publish

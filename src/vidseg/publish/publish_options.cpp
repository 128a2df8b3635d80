#include "vidseg/publish/publish_options.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vidseg/core/error.hpp"
#include "vidseg/publish/env_file.hpp"

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

}  // namespace vidseg::publish

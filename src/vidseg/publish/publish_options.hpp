// The options of `vidseg dataset publish` that `vidseg agent watch` shares (its --publish target
// takes the same credentials), and where their values come from: the command line first, then the
// environment, then the `.env` file (as python-dotenv's load_dotenv() does in the users' script:
// variables already set win) — HF_USERNAME, HF_TOKEN, DATASET_NAME, LOCAL_DATASET_PATH.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vidseg/core/options.hpp"
#include "vidseg/publish/publisher.hpp"

namespace vidseg::publish {

// --env-file, --token-file, --private, --dry-run, --message, --hub-python, --hub-worker.
std::vector<OptionSpec> publish_credential_options();

struct PublishInputs {
    std::optional<std::string> dir;  // DIR as given
    std::optional<std::string> to;   // --to / --publish as given
};

// The config of a publication (S3 settings are the caller's: config.store). DIR defaults to
// LOCAL_DATASET_PATH, the target to hf://HF_USERNAME/DATASET_NAME; the token comes from --token-file,
// HF_TOKEN of the environment, HF_TOKEN of the env file. Throws Error(InvalidArgument) naming what is
// missing (never the token's value), Error(InputNotFound) for a missing --env-file / --token-file.
PublishConfig publish_config_from(const ParsedOptions& options, const PublishInputs& inputs);

// `vidseg dataset publish`: its option table (credentials above, --to, --prefix, the S3 settings) and
// the config of one publication from parsed options (the CLI and the MCP tool alike).
CommandSpec dataset_publish_command_spec();
PublishConfig dataset_publish_config(const ParsedOptions& options);

}  // namespace vidseg::publish

// The tools of `vidseg mcp` (stdio): the engine on files of this machine, each tool the library call
// of its CLI command with that command's option table (probe, prepare, dataset build, dataset
// agreement, intro detect), and the datasets of a folder as resources.
#pragma once

#include <string>

#include "vidseg/mcp/toolbox.hpp"

namespace vidseg::mcp {

struct LocalToolsConfig {
    // Datasets built there (each sub-folder with a dataset card, README.md, and metadata.jsonl) are the
    // resources vidseg://datasets/NAME; empty = no dataset resources.
    std::string datasets_dir;
};

ToolBox local_toolbox(const LocalToolsConfig& config);

}  // namespace vidseg::mcp

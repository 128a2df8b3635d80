// What an MCP server offers, independent of the transport: tools (name, description, input schema
// made from an option table, the function that runs them) and resources (listed and read by URI).
// local_tools.hpp offers the engine on local files (`vidseg mcp`), server_tools.hpp the jobs of
// `vidseg serve` (/mcp).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/core/progress.hpp"

namespace vidseg::mcp {

struct Tool {
    std::string name;  // [A-Za-z0-9_-], e.g. "dataset_build"
    std::string title;
    std::string description;
    nlohmann::json input_schema;
    // Runs the tool: its structured result (a JSON object) or Error (a typed tool error). Long tools
    // report to progress and stop at cancellation points (core/cancel.hpp).
    std::function<nlohmann::json(const nlohmann::json& arguments, Progress& progress)> run;
    // Optional: how the tool runs when the caller follows its progress (the call carries a
    // progressToken): a server job tool then waits for its job, reports the job's progress and answers
    // the ended job. `cancelled` is the client's notifications/cancelled for this call: the tool also
    // stops what it started (cancels the job); any other stop (cancel_requested(): the client left, the
    // session or the server ended) only ends the wait.
    std::function<nlohmann::json(const nlohmann::json& arguments, Progress& progress,
                                 const std::atomic<bool>& cancelled)>
        run_followed;
};

struct Resource {
    std::string uri;  // vidseg://datasets/NAME, vidseg://jobs/ID
    std::string name;
    std::string description;
    std::string mime_type = "application/json";
};

struct ToolBox {
    std::vector<Tool> tools;
    std::function<std::vector<Resource>()> list_resources;
    // The resource's text; Error(InputNotFound) for an unknown URI.
    std::function<std::string(const std::string& uri)> read_resource;
    std::string instructions;  // told to the client at initialize
};

}  // namespace vidseg::mcp

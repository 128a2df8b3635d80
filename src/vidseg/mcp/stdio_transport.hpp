// The stdio transport of MCP: one JSON-RPC message per line on input, one per line on output (no
// embedded newlines: nlohmann's compact dump escapes them). Tool calls run in the background so that
// notifications/cancelled and other requests are read meanwhile.
#pragma once

#include <cstdio>
#include <istream>

#include "vidseg/mcp/toolbox.hpp"

namespace vidseg::mcp {

// Serves until input ends or the process is asked to stop (SIGINT/SIGTERM: cancel_requested()); the
// running tool calls are then cancelled and awaited. output is flushed after every message.
void serve_stdio(const ToolBox& toolbox, std::istream& input, std::FILE* output);

}  // namespace vidseg::mcp

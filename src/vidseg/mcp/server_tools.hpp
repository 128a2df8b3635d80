// The tools of /mcp in `vidseg serve`: the engine on uploaded videos, each tool a job of the platform
// (platform/job_kinds.hpp) submitted for the authenticated user — its options are the CLI command's
// option table without the paths the server decides — plus job_status and job_cancel; the user's jobs
// and built datasets as resources. Access rules are the platform's: a user sees only its own.
#pragma once

#include <string>

#include "vidseg/mcp/toolbox.hpp"
#include "vidseg/platform/platform.hpp"

namespace vidseg::mcp {

// The tools act for `caller` (copied) from address ip (the audit log's).
ToolBox server_toolbox(platform::Platform& platform, const platform::Principal& caller,
                       const std::string& ip);

}  // namespace vidseg::mcp

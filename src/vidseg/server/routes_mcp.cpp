// /mcp: the streamable HTTP transport of MCP (mcp/mcp_session.hpp) behind the API's authentication
// (Bearer token, or a session cookie with its CSRF header). Every POST carries one JSON-RPC message
// and is answered on its own: a request with its JSON-RPC answer (application/json), a notification
// with 202. No server-initiated stream (GET answers 405) and no protocol session state: the tools
// submit jobs and answer at once, so nothing needs to outlive a request.
#include <algorithm>

#include "vidseg/mcp/mcp_session.hpp"
#include "vidseg/mcp/server_tools.hpp"
#include "vidseg/server/event_server.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

void add_mcp_routes(Router& router) {
    auto& platform = router.platform();
    router.add("POST", "/mcp", "POST /mcp", Access::User, [&platform](Exchange& x) {
        const std::string version = x.request.get_header_value("MCP-Protocol-Version");
        const auto& versions = mcp::supported_protocol_versions();
        if (!version.empty() && std::find(versions.begin(), versions.end(), version) == versions.end()) {
            send_error(x.response, 400, "bad_request", "unsupported MCP-Protocol-Version '" + version + "'");
            return;
        }
        hold_thread_for_long_request();  // a tool call may run long (job creation, catalog scans)
        const auto message = x.json_body();
        nlohmann::json answer;
        mcp::McpSession session(
            mcp::server_toolbox(platform, x.who(), x.ip),
            [&answer](const nlohmann::json& m) {
                if (m.contains("id")) answer = m;  // progress notifications are not kept
            },
            false);
        session.handle(message);
        if (answer.is_null()) {
            x.response.status = 202;
            return;
        }
        x.send_json(200, answer);
    });
    for (const char* method : {"GET", "DELETE"})
        router.add(method, "/mcp", std::string(method) + " /mcp", Access::User, [](Exchange& x) {
            x.response.set_header("Allow", "POST");
            send_error(x.response, 405, "method_not_allowed", "/mcp takes one JSON-RPC message per POST");
        });
}

}  // namespace vidseg::server

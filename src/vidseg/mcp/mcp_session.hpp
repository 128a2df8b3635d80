// One MCP session (JSON-RPC 2.0 messages, the initialize handshake, tools, resources, progress and
// cancellation) over a ToolBox, independent of the transport: stdio_transport.hpp feeds it lines of
// stdin, the /mcp route of `vidseg serve` one POSTed message at a time.
//
// Protocol versions: those of the initialize handshake, 2024-11-05 to 2025-11-25 (the client's own when
// it is one of them, else the newest). A tool's failure is a result with isError and the engine's
// error code (error[CODE] as the CLI prints it, and structuredContent.error.code); a call of an unknown
// tool or with a non-object of arguments is a JSON-RPC error (-32602).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "vidseg/mcp/toolbox.hpp"

namespace vidseg::mcp {

// The protocol versions a client may ask for; the first is the newest (the answer to any other).
const std::vector<std::string>& supported_protocol_versions();

class McpSession {
  public:
    using Send = std::function<void(const nlohmann::json& message)>;

    // send receives every message for the client (answers, progress notifications); it must be safe
    // to call from several threads when tools run in the background.
    // background_tools: each tools/call runs on its own thread (stdio: the session keeps reading, and
    // notifications/cancelled stops a call); otherwise on the caller's thread.
    McpSession(ToolBox toolbox, Send send, bool background_tools);
    ~McpSession();  // cancels and joins the running tool calls
    McpSession(const McpSession&) = delete;
    McpSession& operator=(const McpSession&) = delete;

    // One message from the client (a request, a notification, or a response, which is ignored).
    // cancelled: without background tools, the caller's token for this message's tools/call, set when
    // the client cancels it (the call is then not answered); background tools use their own.
    void handle(const nlohmann::json& message, const std::atomic<bool>* cancelled = nullptr);
    // A line that is not JSON: the JSON-RPC parse error (-32700).
    void reject_unparsable(const std::string& why);
    // Asks the running tool calls to stop and waits for them.
    void cancel_all();

  private:
    nlohmann::json answer(const std::string& method, const nlohmann::json& params, const nlohmann::json& id);
    void call_tool(const nlohmann::json& id, const nlohmann::json& params,
                   const std::atomic<bool>* cancelled);
    nlohmann::json run_tool(const Tool& tool, const nlohmann::json& arguments,
                            const nlohmann::json& progress_token, const std::atomic<bool>& cancelled);
    void cancel(const nlohmann::json& request_id);

    ToolBox toolbox_;
    Send send_;
    bool background_tools_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<std::atomic<bool>>>
        running_;  // request id (JSON text) -> cancel token
    std::vector<std::thread> threads_;
};

}  // namespace vidseg::mcp

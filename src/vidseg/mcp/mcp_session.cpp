#include "vidseg/mcp/mcp_session.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "vidseg/core/cancel.hpp"
#include "vidseg/core/error.hpp"
#include "vidseg/core/version.hpp"

namespace vidseg::mcp {

namespace {

using nlohmann::json;

constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601,
              kInvalidParams = -32602, kInternalError = -32603, kResourceNotFound = -32002;

// A request that cannot be answered with a result.
struct RpcError : std::runtime_error {
    RpcError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
    int code;
};

json rpc_error(const json& id, int code, const std::string& message) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

// Progress of a tool as notifications/progress for the request's progressToken: one step per phase
// (begin) plus the phase's fraction done, so the value only grows as the protocol asks; at most five
// a second, and a phase's start always.
class ProgressNotifier final : public Progress {
  public:
    ProgressNotifier(json token, McpSession::Send send) : token_(std::move(token)), send_(std::move(send)) {}

    void begin(const std::string& label, double total) override {
        std::lock_guard lock(mutex_);
        phase_start_ = phases_++;
        label_ = label;
        total_ = total;
        notify(phase_start_, true);
    }
    void update(double done) override {
        std::lock_guard lock(mutex_);
        if (total_ > 0) notify(phase_start_ + std::clamp(done / total_, 0.0, 0.999), false);
    }
    void end() override {}

  private:
    void notify(double value, bool force) {
        const auto now = std::chrono::steady_clock::now();
        if (token_.is_null() || value <= last_value_ ||
            (!force && now - last_sent_ < std::chrono::milliseconds(200)))
            return;
        last_value_ = value;
        last_sent_ = now;
        send_({{"jsonrpc", "2.0"},
               {"method", "notifications/progress"},
               {"params", {{"progressToken", token_}, {"progress", value}, {"message", label_}}}});
    }

    json token_;
    McpSession::Send send_;
    std::mutex mutex_;
    std::string label_;
    double total_ = 0, phase_start_ = 0, last_value_ = -1;
    int phases_ = 0;
    std::chrono::steady_clock::time_point last_sent_{};
};

json tool_error(const std::string& code, const std::string& message, const std::string& subject) {
    return {{"content", json::array({{{"type", "text"}, {"text", "error[" + code + "]: " + message}}})},
            {"structuredContent", {{"error", {{"code", code}, {"message", message}, {"subject", subject}}}}},
            {"isError", true}};
}

}  // namespace

const std::vector<std::string>& supported_protocol_versions() {
    static const std::vector<std::string> versions = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
    return versions;
}

McpSession::McpSession(ToolBox toolbox, Send send, bool background_tools)
    : toolbox_(std::move(toolbox)), send_(std::move(send)), background_tools_(background_tools) {}

McpSession::~McpSession() {
    cancel_all();
}

void McpSession::cancel_all() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, token] : running_) *token = true;
        threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
}

void McpSession::reject_unparsable(const std::string& why) {
    send_(rpc_error(nullptr, kParseError, "parse error: " + why));
}

void McpSession::handle(const json& message, const std::atomic<bool>* cancelled) {
    // find, not value(): a "jsonrpc" of another type must be refused, not throw a type_error.
    const auto jsonrpc = message.is_object() ? message.find("jsonrpc") : message.end();
    if (!message.is_object() || jsonrpc == message.end() || *jsonrpc != "2.0") {
        send_(rpc_error(nullptr, kInvalidRequest, "not a JSON-RPC 2.0 message"));
        return;
    }
    const auto method = message.find("method");
    if (method == message.end()) return;  // a response to a request of ours: none are sent
    const json params = message.value("params", json::object());
    if (!message.contains("id")) {  // a notification
        if (*method == "notifications/cancelled" && params.is_object() && params.contains("requestId"))
            cancel(params["requestId"]);
        return;
    }
    const json id = message["id"];
    if (!method->is_string() || !(id.is_string() || id.is_number_integer())) {
        send_(rpc_error(id.is_string() || id.is_number() ? id : json(), kInvalidRequest,
                        "a request needs a method name and a string or integer id"));
        return;
    }
    if (*method == "tools/call") {
        call_tool(id, params, cancelled);
        return;
    }
    try {
        send_({{"jsonrpc", "2.0"}, {"id", id}, {"result", answer(method->get<std::string>(), params, id)}});
    } catch (const RpcError& e) {
        send_(rpc_error(id, e.code, e.what()));
    } catch (const Error& e) {
        send_(rpc_error(id, e.code() == ErrorCode::InputNotFound ? kResourceNotFound : kInvalidParams,
                        e.what()));
    } catch (const std::exception& e) {
        send_(rpc_error(id, kInternalError, std::string("internal error: ") + e.what()));
    }
}

json McpSession::answer(const std::string& method, const json& params, const json&) {
    if (!params.is_object()) throw RpcError(kInvalidParams, "params must be an object");
    if (method == "initialize") {
        const auto& versions = supported_protocol_versions();
        const auto given = params.find("protocolVersion");
        const std::string asked =
            given != params.end() && given->is_string() ? given->get<std::string>() : "";
        const bool known = std::find(versions.begin(), versions.end(), asked) != versions.end();
        json result = {{"protocolVersion", known ? asked : versions.front()},
                       {"capabilities",
                        {{"tools", {{"listChanged", false}}},
                         {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
                       {"serverInfo", {{"name", "vidseg"}, {"title", "vidseg"}, {"version", version()}}}};
        if (!toolbox_.instructions.empty()) result["instructions"] = toolbox_.instructions;
        return result;
    }
    if (method == "ping") return json::object();
    if (method == "tools/list") {
        json tools = json::array();
        for (const auto& t : toolbox_.tools)
            tools.push_back({{"name", t.name},
                             {"title", t.title},
                             {"description", t.description},
                             {"inputSchema", t.input_schema}});
        return {{"tools", tools}};
    }
    if (method == "resources/list") {
        json resources = json::array();
        if (toolbox_.list_resources)
            for (const auto& r : toolbox_.list_resources())
                resources.push_back({{"uri", r.uri},
                                     {"name", r.name},
                                     {"description", r.description},
                                     {"mimeType", r.mime_type}});
        return {{"resources", resources}};
    }
    if (method == "resources/templates/list") return {{"resourceTemplates", json::array()}};
    if (method == "resources/read") {
        const auto uri = params.find("uri");
        if (uri == params.end() || !uri->is_string())
            throw RpcError(kInvalidParams, "resources/read needs a uri");
        if (!toolbox_.read_resource)
            throw RpcError(kResourceNotFound, "resource not found: " + uri->get<std::string>());
        return {{"contents", json::array({{{"uri", *uri},
                                           {"mimeType", "application/json"},
                                           {"text", toolbox_.read_resource(uri->get<std::string>())}}})}};
    }
    throw RpcError(kMethodNotFound, "method not found: " + method);
}

void McpSession::call_tool(const json& id, const json& params, const std::atomic<bool>* cancelled_by_caller) {
    const auto name = params.is_object() ? params.find("name") : params.end();
    const Tool* tool = nullptr;
    if (name != params.end() && name->is_string())
        for (const auto& t : toolbox_.tools)
            if (t.name == *name) tool = &t;
    if (!tool) {
        send_(rpc_error(id, kInvalidParams,
                        "unknown tool '" +
                            (name != params.end() && name->is_string() ? name->get<std::string>() : "") +
                            "'"));
        return;
    }
    const json arguments = params.value("arguments", json::object());
    if (!arguments.is_object()) {
        send_(rpc_error(id, kInvalidParams, "arguments must be an object"));
        return;
    }
    json token;
    if (const auto meta = params.find("_meta"); meta != params.end() && meta->is_object())
        token = meta->value("progressToken", json());
    if (!background_tools_) {
        static const std::atomic<bool> never(false);
        const auto& cancelled = cancelled_by_caller ? *cancelled_by_caller : never;
        auto result = run_tool(*tool, arguments, token, cancelled);
        if (!cancelled) send_({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
        return;
    }
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    std::lock_guard lock(mutex_);
    running_[id.dump()] = cancelled;
    threads_.emplace_back([this, tool, arguments, token, id, cancelled] {
        json result;
        {
            const CancelScope scope(*cancelled);
            result = run_tool(*tool, arguments, token, *cancelled);
        }
        {
            std::lock_guard done(mutex_);
            running_.erase(id.dump());
        }
        // A cancelled request gets no answer (the client has forgotten it).
        if (!*cancelled) send_({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
    });
}

json McpSession::run_tool(const Tool& tool, const json& arguments, const json& progress_token,
                          const std::atomic<bool>& cancelled) {
    ProgressNotifier progress(progress_token, send_);
    try {
        json structured = !progress_token.is_null() && tool.run_followed
                              ? tool.run_followed(arguments, progress, cancelled)
                              : tool.run(arguments, progress);
        if (!structured.is_object()) structured = {{"result", structured}};
        return {{"content", json::array({{{"type", "text"}, {"text", structured.dump(2)}}})},
                {"structuredContent", structured},
                {"isError", false}};
    } catch (const Error& e) {
        return tool_error(error_code_name(e.code()), e.what(), e.subject());
    } catch (const std::exception& e) {
        return tool_error("internal", std::string("internal error: ") + e.what(), "");
    }
}

void McpSession::cancel(const json& request_id) {
    std::lock_guard lock(mutex_);
    if (const auto it = running_.find(request_id.dump()); it != running_.end()) *it->second = true;
}

}  // namespace vidseg::mcp

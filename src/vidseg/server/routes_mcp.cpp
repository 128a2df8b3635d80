// /mcp: the streamable HTTP transport of MCP (mcp/mcp_session.hpp) behind the API's authentication
// (Bearer token, or a session cookie with its CSRF header). Every POST carries one JSON-RPC message.
// An answered initialize opens a protocol session (Mcp-Session-Id, mcp/http_sessions.hpp) that every
// later message must name: none -> 400, unknown, ended or another user's -> 404; DELETE ends it.
// A request is answered on its own POST: as application/json, or, for a tools/call that asks for
// progress (a progressToken), as Server-Sent Events: the call's notifications/progress, then its
// answer. A notification gets 202. No server-initiated stream: GET answers 405.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <thread>

#include "vidseg/core/cancel.hpp"
#include "vidseg/mcp/http_sessions.hpp"
#include "vidseg/mcp/mcp_session.hpp"
#include "vidseg/mcp/server_tools.hpp"
#include "vidseg/server/event_server.hpp"
#include "vidseg/server/router.hpp"

namespace vidseg::server {

namespace {

using nlohmann::json;

constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr auto kKeepAlive = std::chrono::seconds(10);

// The messages of one streamed call, from the thread running it to the thread writing the answer.
struct Outbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> events;
    bool done = false;

    void push(const json& message) {
        {
            std::lock_guard lock(mutex);
            events.push_back("event: message\ndata: " +
                             message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n");
        }
        changed.notify_all();
    }
    void finish() {
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        changed.notify_all();
    }
};

bool wants_progress(const json& message) {
    if (!message.is_object() || !message.contains("id") || message.value("method", json()) != "tools/call")
        return false;  // value() with a json default: any type of "method" compares, none throws
    const auto params = message.find("params");
    if (params == message.end() || !params->is_object()) return false;
    const auto meta = params->find("_meta");
    return meta != params->end() && meta->is_object() && meta->contains("progressToken") &&
           ((*meta)["progressToken"].is_string() || (*meta)["progressToken"].is_number_integer());
}

// A tools/call answered as Server-Sent Events: the call runs on its own thread (so that a client that
// left is noticed by a failed keep-alive while a job runs) under the session's RunningCall tokens.
void stream_call(Exchange& x, platform::Platform& platform, std::shared_ptr<mcp::HttpSessions> sessions,
                 const std::string& session_id, json message) {
    const std::string request = message["id"].dump();
    auto call = sessions->start_call(session_id, request);
    if (!call) {
        send_error(x.response, 404, "not_found", "MCP session ended");
        return;
    }
    x.response.set_header("X-Accel-Buffering", "no");  // reverse proxies: pass events at once
    x.response.set_header("Cache-Control", "no-store");
    x.response.set_chunked_content_provider(
        "text/event-stream", [&platform, sessions, session_id, request, call, message = std::move(message),
                              who = x.who(), ip = x.ip](std::size_t, httplib::DataSink& sink) {
            auto outbox = std::make_shared<Outbox>();
            std::thread worker([&platform, call, outbox, message, who, ip] {
                const CancelScope scope(call->stop);
                try {
                    mcp::McpSession session(
                        mcp::server_toolbox(platform, who, ip), [outbox](const json& m) { outbox->push(m); },
                        false);
                    session.handle(message, &call->cancelled);
                } catch (const std::exception&) {
                    // nothing to answer with: the stream ends without an answer
                }
                outbox->finish();
            });
            bool client_there = true;
            std::unique_lock lock(outbox->mutex);
            for (;;) {
                const bool woke = outbox->changed.wait_for(
                    lock, kKeepAlive, [&] { return !outbox->events.empty() || outbox->done; });
                std::deque<std::string> events;
                events.swap(outbox->events);
                const bool done = outbox->done;
                lock.unlock();
                if (!woke) events.push_back(": keep-alive\n\n");
                for (const auto& e : events)
                    if (client_there && !sink.write(e.data(), e.size())) client_there = false;
                if (!client_there || cancel_requested()) call->stop = true;  // stop waiting, not the job
                if (done) break;
                lock.lock();
            }
            worker.join();
            sessions->end_call(session_id, request, call.get());
            if (client_there) sink.done();
            return client_there;
        });
}

}  // namespace

void add_mcp_routes(Router& router) {
    auto& platform = router.platform();
    auto sessions = std::make_shared<mcp::HttpSessions>();
    router.add("POST", "/mcp", "POST /mcp", Access::User, [&platform, sessions](Exchange& x) {
        const std::string version = x.request.get_header_value("MCP-Protocol-Version");
        const auto& versions = mcp::supported_protocol_versions();
        if (!version.empty() && std::find(versions.begin(), versions.end(), version) == versions.end()) {
            send_error(x.response, 400, "bad_request", "unsupported MCP-Protocol-Version '" + version + "'");
            return;
        }
        hold_thread_for_long_request();  // a tool call may run long (job creation, catalog scans)
        const auto message = x.json_body();
        const auto user = x.who().user.id;
        const json method = message.is_object() ? message.value("method", json()) : json();
        const bool initialize = method == "initialize" && message.contains("id");
        const std::string session_id = x.request.get_header_value(kSessionHeader);
        if (!initialize) {
            if (session_id.empty()) {
                send_error(x.response, 400, "bad_request",
                           "an MCP message other than initialize needs the Mcp-Session-Id header");
                return;
            }
            if (!sessions->touch(session_id, user)) {
                send_error(x.response, 404, "not_found", "no such MCP session (initialize a new one)");
                return;
            }
        }
        if (method == "notifications/cancelled" && !message.contains("id")) {
            const auto params = message.value("params", json::object());
            if (params.is_object() && params.contains("requestId"))
                sessions->cancel_call(session_id, user, params["requestId"].dump());
            x.response.status = 202;
            return;
        }
        if (wants_progress(message)) {
            stream_call(x, platform, sessions, session_id, message);
            return;
        }
        nlohmann::json answer;
        mcp::McpSession session(
            mcp::server_toolbox(platform, x.who(), x.ip),
            [&answer](const nlohmann::json& m) {
                if (m.contains("id")) answer = m;  // progress is streamed only to calls that ask for it
            },
            false);
        session.handle(message);
        if (answer.is_null()) {
            x.response.status = 202;
            return;
        }
        if (initialize && answer.contains("result"))
            x.response.set_header(kSessionHeader, sessions->open(user));
        x.send_json(200, answer);
    });
    router.add("DELETE", "/mcp", "DELETE /mcp", Access::User, [sessions](Exchange& x) {
        const std::string session_id = x.request.get_header_value(kSessionHeader);
        if (session_id.empty()) {
            send_error(x.response, 400, "bad_request", "DELETE /mcp needs the Mcp-Session-Id header");
            return;
        }
        if (!sessions->close(session_id, x.who().user.id)) {
            send_error(x.response, 404, "not_found", "no such MCP session");
            return;
        }
        x.response.status = 204;
    });
    router.add("GET", "/mcp", "GET /mcp", Access::User, [](Exchange& x) {
        x.response.set_header("Allow", "POST, DELETE");
        send_error(x.response, 405, "method_not_allowed",
                   "/mcp has no server-initiated stream: POST one JSON-RPC message at a time");
    });
}

}  // namespace vidseg::server

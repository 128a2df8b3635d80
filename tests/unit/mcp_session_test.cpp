// The MCP layer without a transport: schemas made from an option table, arguments parsed by it, and
// the JSON-RPC answers of a session (handshake, tool results and typed tool errors, protocol errors).
#include <gtest/gtest.h>

#include <vector>

#include "vidseg/core/error.hpp"
#include "vidseg/mcp/mcp_session.hpp"
#include "vidseg/mcp/tool_schema.hpp"

using namespace vidseg;
using nlohmann::json;

namespace {

CommandSpec demo_spec() {
    return {.name = "demo",
            .summary = "demo command",
            .positionals = {{.name = "EXPORT", .help = "exports", .min_count = 1, .max_count = -1}},
            .options = {{.name = "segment",
                         .type = OptionType::Double,
                         .default_value = "5",
                         .help = "len",
                         .min = 0.5,
                         .max = 60},
                        {.name = "count", .type = OptionType::Int, .default_value = "3", .help = "n"},
                        {.name = "mode",
                         .type = OptionType::Choice,
                         .default_value = "exact",
                         .help = "mode",
                         .choices = {"exact", "copy"}},
                        {.name = "out", .type = OptionType::Path, .help = "dir"},
                        {.name = "fast", .type = OptionType::Flag, .help = "quick"},
                        {.name = "tag", .type = OptionType::String, .help = "tags", .repeatable = true}}};
}

}  // namespace

TEST(McpToolSchema, MadeFromTheOptionTable) {
    const json schema = mcp::input_schema(demo_spec());
    EXPECT_EQ(schema["required"], json::array({"exports"}));
    EXPECT_EQ(schema["additionalProperties"], false);
    EXPECT_EQ(schema["properties"]["exports"], json({{"type", "array"},
                                                     {"items", {{"type", "string"}, {"minLength", 1}}},
                                                     {"description", "exports"},
                                                     {"minItems", 1}}));
    EXPECT_EQ(schema["properties"]["segment"], json({{"type", "number"},
                                                     {"minimum", 0.5},
                                                     {"maximum", 60.0},
                                                     {"description", "len"},
                                                     {"default", 5.0}}));
    EXPECT_EQ(schema["properties"]["count"],
              json({{"type", "integer"}, {"description", "n"}, {"default", 3}}));
    EXPECT_EQ(schema["properties"]["mode"], json({{"type", "string"},
                                                  {"enum", {"exact", "copy"}},
                                                  {"description", "mode"},
                                                  {"default", "exact"}}));
    EXPECT_EQ(schema["properties"]["out"],
              json({{"type", "string"}, {"minLength", 1}, {"description", "dir"}}));
    EXPECT_EQ(schema["properties"]["fast"], json({{"type", "boolean"}, {"description", "quick"}}));
    EXPECT_EQ(schema["properties"]["tag"],
              json({{"type", "array"}, {"items", {{"type", "string"}}}, {"description", "tags"}}));
    EXPECT_FALSE(mcp::input_schema(mcp::without_options(demo_spec(), {"out"}))["properties"].contains("out"));
}

TEST(McpToolSchema, ArgumentsParsedByTheTable) {
    const auto parsed = mcp::parse_tool_arguments(
        demo_spec(),
        {{"exports", {"a.json", "b.json"}}, {"segment", 2.5}, {"fast", true}, {"tag", {"x", "y"}}});
    EXPECT_EQ(parsed.positionals(), (std::vector<std::string>{"a.json", "b.json"}));
    EXPECT_DOUBLE_EQ(parsed.number("segment"), 2.5);
    EXPECT_TRUE(parsed.flag("fast"));
    EXPECT_EQ(parsed.all("tag"), (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(parsed.str("mode"), "exact");
    const auto message = [](const json& arguments) {
        try {
            mcp::parse_tool_arguments(demo_spec(), arguments);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({{"segment", 2}}), "missing argument 'exports'");
    EXPECT_EQ(message({{"exports", {"a"}}, {"segment", 100}}), "option --segment: must be <= 60, got 100");
    EXPECT_EQ(message({{"exports", {"a"}}, {"mode", "slow"}}),
              "option --mode: 'slow' is not one of: exact, copy");
    EXPECT_EQ(message({{"exports", {"a"}}, {"nope", 1}}), "unknown option 'nope'");
    EXPECT_EQ(message({{"exports", {1}}}), "argument 'exports' expects a non-empty string");
}

TEST(McpSession, HandshakeToolsAndTypedErrors) {
    std::vector<json> sent;
    mcp::ToolBox box;
    box.tools.push_back({.name = "echo",
                         .title = "Echo",
                         .description = "echoes",
                         .input_schema = {{"type", "object"}},
                         .run = [](const json& arguments, Progress& progress) {
                             progress.begin("echoing", 2);
                             progress.update(1);
                             if (arguments.contains("fail"))
                                 throw Error(ErrorCode::InputNotFound, "no such file", "x.mp4");
                             return json{{"echo", arguments}};
                         }});
    mcp::McpSession session(
        box, [&sent](const json& m) { sent.push_back(m); }, false);
    session.handle({{"jsonrpc", "2.0"},
                    {"id", 1},
                    {"method", "initialize"},
                    {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}}});
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["result"]["protocolVersion"], "2025-06-18");
    EXPECT_EQ(sent[0]["result"]["serverInfo"]["name"], "vidseg");
    session.handle({{"jsonrpc", "2.0"},
                    {"id", 2},
                    {"method", "initialize"},
                    {"params", {{"protocolVersion", "1999-01-01"}}}});
    EXPECT_EQ(sent[1]["result"]["protocolVersion"], mcp::supported_protocol_versions().front());
    session.handle({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    EXPECT_EQ(sent.size(), 2u);  // notifications get no answer

    session.handle(
        {{"jsonrpc", "2.0"},
         {"id", 3},
         {"method", "tools/call"},
         {"params", {{"name", "echo"}, {"arguments", {{"a", 1}}}, {"_meta", {{"progressToken", "t"}}}}}});
    // The phase's start is told at once; the update right after it waits (at most five a second).
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[2]["method"], "notifications/progress");
    EXPECT_EQ(sent[2]["params"], json({{"progressToken", "t"}, {"progress", 0.0}, {"message", "echoing"}}));
    EXPECT_EQ(sent[3]["id"], 3);
    EXPECT_EQ(sent[3]["result"]["structuredContent"], json({{"echo", {{"a", 1}}}}));
    EXPECT_EQ(sent[3]["result"]["isError"], false);

    session.handle({{"jsonrpc", "2.0"},
                    {"id", 4},
                    {"method", "tools/call"},
                    {"params", {{"name", "echo"}, {"arguments", {{"fail", true}}}}}});
    const json& failed = sent.back()["result"];
    EXPECT_EQ(failed["isError"], true);
    EXPECT_EQ(failed["structuredContent"]["error"],
              json({{"code", "input_not_found"}, {"message", "x.mp4: no such file"}, {"subject", "x.mp4"}}));
    EXPECT_EQ(failed["content"][0]["text"], "error[input_not_found]: x.mp4: no such file");

    session.handle({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"}, {"params", {{"name", "nope"}}}});
    EXPECT_EQ(sent.back()["error"], json({{"code", -32602}, {"message", "unknown tool 'nope'"}}));
    session.handle({{"jsonrpc", "2.0"}, {"id", 6}, {"method", "server/discover"}});
    EXPECT_EQ(sent.back()["error"]["code"], -32601);
    session.handle(
        {{"jsonrpc", "2.0"}, {"id", 7}, {"method", "resources/read"}, {"params", {{"uri", "x://y"}}}});
    EXPECT_EQ(sent.back()["error"], json({{"code", -32002}, {"message", "resource not found: x://y"}}));
    session.handle(json::array());
    EXPECT_EQ(sent.back()["error"]["code"], -32600);
}

// A call with a progressToken runs the tool's run_followed (a server job tool waits for its job there),
// one without runs run; the caller's cancellation token reaches the tool, and a cancelled call is not
// answered. Malformed members are JSON-RPC errors, never a json type_error.
TEST(McpSession, FollowedCallsAndTheCallersCancellation) {
    std::vector<json> sent;
    mcp::ToolBox box;
    box.tools.push_back({.name = "job",
                         .title = "Job",
                         .description = "a job",
                         .input_schema = {{"type", "object"}},
                         .run =
                             [](const json&, Progress&) {
                                 return json{{"state", "queued"}};
                             },
                         .run_followed =
                             [](const json&, Progress& progress, const std::atomic<bool>& cancelled) {
                                 progress.begin("job 1: running", 100);
                                 progress.update(50);
                                 return json{{"state", cancelled ? "cancelled" : "finished"}};
                             }});
    mcp::McpSession session(
        box, [&sent](const json& m) { sent.push_back(m); }, false);
    const json call = {
        {"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", "job"}}}};
    session.handle(call);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0]["result"]["structuredContent"], json({{"state", "queued"}}));
    json followed = call;
    followed["params"]["_meta"] = {{"progressToken", "t"}};
    session.handle(followed);
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[1]["method"], "notifications/progress");
    EXPECT_EQ(sent[1]["params"]["progressToken"], "t");
    EXPECT_EQ(sent[1]["params"]["message"], "job 1: running");
    EXPECT_EQ(sent[2]["result"]["structuredContent"], json({{"state", "finished"}}));
    const std::atomic<bool> cancelled(true);
    session.handle(followed, &cancelled);
    ASSERT_EQ(sent.size(), 4u);  // its progress, and no answer
    EXPECT_EQ(sent[3]["method"], "notifications/progress");

    session.handle({{"jsonrpc", 2}, {"id", 5}, {"method", "ping"}});
    EXPECT_EQ(sent.back()["error"]["code"], -32600);
    session.handle(
        {{"jsonrpc", "2.0"}, {"id", 6}, {"method", "initialize"}, {"params", {{"protocolVersion", 7}}}});
    EXPECT_EQ(sent.back()["result"]["protocolVersion"], mcp::supported_protocol_versions().front());
}

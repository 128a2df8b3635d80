// The sessions of /mcp (mcp/http_sessions.hpp): bound to the user who opened them, ended by close and by
// the cap (least recently used first) or by idleness, and the running calls they stop or cancel.
#include <gtest/gtest.h>

#include <thread>

#include "vidseg/mcp/http_sessions.hpp"

namespace {

using vidseg::mcp::HttpSessions;

TEST(McpHttpSessions, IdsAreRandomVisibleAsciiAndBoundToTheirUser) {
    HttpSessions sessions;
    const auto a = sessions.open(7), b = sessions.open(7);
    EXPECT_NE(a, b);
    EXPECT_GE(a.size(), 32u);
    for (const char c : a) EXPECT_TRUE(c >= 0x21 && c <= 0x7E) << a;
    EXPECT_TRUE(sessions.touch(a, 7));
    EXPECT_FALSE(sessions.touch(a, 8));  // another user's session does not exist for them
    EXPECT_FALSE(sessions.touch("unknown", 7));
    EXPECT_FALSE(sessions.close(a, 8));
    EXPECT_TRUE(sessions.close(a, 7));
    EXPECT_FALSE(sessions.touch(a, 7));
    EXPECT_FALSE(sessions.close(a, 7));
    EXPECT_EQ(sessions.size(), 1u);
}

TEST(McpHttpSessions, TheCapEndsTheLeastRecentlyUsed) {
    HttpSessions sessions(2);
    const auto first = sessions.open(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto second = sessions.open(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_TRUE(sessions.touch(first, 1));  // now the second is the least recently used
    const auto running = sessions.start_call(second, "1");
    ASSERT_NE(running, nullptr);
    const auto third = sessions.open(1);
    EXPECT_EQ(sessions.size(), 2u);
    EXPECT_TRUE(sessions.touch(first, 1));
    EXPECT_TRUE(sessions.touch(third, 1));
    EXPECT_FALSE(sessions.touch(second, 1));
    EXPECT_TRUE(running->stop);  // its call stops waiting
    EXPECT_FALSE(running->cancelled);
}

TEST(McpHttpSessions, IdleSessionsEnd) {
    HttpSessions sessions(10, std::chrono::seconds(0));
    const auto id = sessions.open(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_FALSE(sessions.touch(id, 1));
    EXPECT_EQ(sessions.start_call(id, "1"), nullptr);
}

TEST(McpHttpSessions, CallsAreCancelledStoppedAndForgotten) {
    HttpSessions sessions;
    const auto id = sessions.open(1);
    const auto call = sessions.start_call(id, "\"a\"");
    ASSERT_NE(call, nullptr);
    EXPECT_FALSE(sessions.cancel_call(id, 2, "\"a\""));  // another user
    EXPECT_FALSE(sessions.cancel_call(id, 1, "\"b\""));  // no such call
    EXPECT_FALSE(call->stop);
    EXPECT_TRUE(sessions.cancel_call(id, 1, "\"a\""));
    EXPECT_TRUE(call->cancelled);
    EXPECT_TRUE(call->stop);
    // A reused request id stops the older call; the older one's end does not forget the newer.
    const auto again = sessions.start_call(id, "\"c\"");
    const auto newer = sessions.start_call(id, "\"c\"");
    EXPECT_TRUE(again->stop);
    EXPECT_FALSE(newer->stop);
    sessions.end_call(id, "\"c\"", again.get());
    EXPECT_TRUE(sessions.cancel_call(id, 1, "\"c\""));
    sessions.end_call(id, "\"c\"", newer.get());
    EXPECT_FALSE(sessions.cancel_call(id, 1, "\"c\""));
    // Closing the session stops its calls without cancelling them.
    const auto last = sessions.start_call(id, "9");
    EXPECT_TRUE(sessions.close(id, 1));
    EXPECT_TRUE(last->stop);
    EXPECT_FALSE(last->cancelled);
}

}  // namespace

// The HTTP server's task queue (src/vidseg/server/connection_pool.hpp): a thread per queued
// connection up to the limit (so 200 kept-alive clients do not wait for each other), the rest wait
// for a free thread, idle threads end down to the floor, and shutdown runs what is queued.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "vidseg/server/connection_pool.hpp"

using namespace std::chrono_literals;
using vidseg::server::ConnectionPool;

namespace {

// Jobs that block until released, as connections that stay open.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    int running = 0, finished = 0;
    bool open = false;

    std::function<void()> job() {
        return [this] {
            std::unique_lock lock(mutex);
            ++running;
            changed.notify_all();
            changed.wait(lock, [this] { return open; });
            --running;
            ++finished;
            changed.notify_all();
        };
    }
    bool wait_running(int n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return running == n; });
    }
    void release() {
        std::lock_guard lock(mutex);
        open = true;
        changed.notify_all();
    }
    bool wait_finished(int n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return finished == n; });
    }
};

}  // namespace

TEST(ConnectionPool, StartsAThreadPerConnectionUpToTheLimit) {
    ConnectionPool pool(2, 40, 60s);
    EXPECT_EQ(pool.threads(), 2u);
    Gate gate;
    for (int i = 0; i < 40; ++i) pool.enqueue(gate.job());
    ASSERT_TRUE(gate.wait_running(40));  // all 40 at once: none waits for another to end
    EXPECT_EQ(pool.threads(), 40u);
    gate.release();
    ASSERT_TRUE(gate.wait_finished(40));
}

TEST(ConnectionPool, ConnectionsBeyondTheLimitWaitForAFreeThread) {
    ConnectionPool pool(1, 3, 60s);
    Gate gate;
    for (int i = 0; i < 5; ++i) pool.enqueue(gate.job());
    ASSERT_TRUE(gate.wait_running(3));
    std::this_thread::sleep_for(100ms);
    {
        std::lock_guard lock(gate.mutex);
        EXPECT_EQ(gate.running, 3);  // the other two are queued
    }
    EXPECT_EQ(pool.threads(), 3u);
    gate.release();
    ASSERT_TRUE(gate.wait_finished(5));
}

TEST(ConnectionPool, IdleThreadsEndDownToTheFloor) {
    ConnectionPool pool(2, 16, 100ms);
    Gate gate;
    for (int i = 0; i < 10; ++i) pool.enqueue(gate.job());
    ASSERT_TRUE(gate.wait_running(10));
    gate.release();
    ASSERT_TRUE(gate.wait_finished(10));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (pool.threads() > 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(pool.threads(), 2u);
    // Still serving afterwards (the ended threads are joined when the next connection comes).
    std::atomic<int> ran{0};
    for (int i = 0; i < 5; ++i) pool.enqueue([&ran] { ++ran; });
    pool.shutdown();
    EXPECT_EQ(ran.load(), 5);
}

TEST(ConnectionPool, ShutdownRunsWhatIsQueuedAndJoins) {
    std::atomic<int> ran{0};
    {
        ConnectionPool pool(1, 1, 60s);
        for (int i = 0; i < 20; ++i)
            pool.enqueue([&ran] {
                std::this_thread::sleep_for(1ms);
                ++ran;
            });
        pool.shutdown();
        EXPECT_EQ(ran.load(), 20);
        EXPECT_EQ(pool.threads(), 0u);
    }  // the destructor after shutdown() does nothing more
    EXPECT_EQ(ran.load(), 20);
}

// WorkerPool (core/worker_pool.hpp): every worker runs each job once, jobs do not overlap, the
// caller runs on while a job is in flight, and a worker's exception reaches wait().
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "vidseg/core/worker_pool.hpp"

using vidseg::WorkerPool;

TEST(CoreWorkerPool, EveryWorkerRunsEveryJobOnceAndClaimsItemsTogether) {
    WorkerPool pool(3);
    ASSERT_EQ(pool.size(), 3u);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::atomic<int>> calls(3);
        std::vector<int> items(1000, 0);
        std::atomic<std::size_t> next{0};
        pool.start([&](std::size_t worker) {
            ++calls[worker];
            for (std::size_t i = next++; i < items.size(); i = next++) items[i] += 1;
        });
        pool.wait();
        for (auto& c : calls) EXPECT_EQ(c.load(), 1);
        for (int v : items) ASSERT_EQ(v, 1) << "round " << round;
    }
}

TEST(CoreWorkerPool, StartReturnsAtOnceAndTheNextStartWaitsForTheJob) {
    WorkerPool pool(2);
    std::atomic<bool> release{false};
    std::atomic<int> finished{0};
    pool.start([&](std::size_t) {
        while (!release) std::this_thread::yield();
        ++finished;
    });
    EXPECT_TRUE(pool.busy());  // start() did not wait for the job
    EXPECT_EQ(finished.load(), 0);
    release = true;
    pool.start([&](std::size_t) { ++finished; });  // waits for the first job, then runs
    pool.wait();
    EXPECT_EQ(finished.load(), 4);
    EXPECT_FALSE(pool.busy());
}

TEST(CoreWorkerPool, AWorkersExceptionReachesWaitAndThePoolStaysUsable) {
    WorkerPool pool(2);
    pool.start([](std::size_t worker) {
        if (worker == 1) throw std::runtime_error("worker failed");
    });
    EXPECT_THROW(pool.wait(), std::runtime_error);
    std::atomic<int> ran{0};
    pool.start([&](std::size_t) { ++ran; });
    EXPECT_NO_THROW(pool.wait());
    EXPECT_EQ(ran.load(), 2);
}

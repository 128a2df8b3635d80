// The task queue of `vidseg serve`'s HTTP server: a thread per connection, started on demand.
//
// cpp-httplib hands each accepted connection to its task queue, and the thread that takes it keeps
// it for its whole life (every kept-alive request, and the waits between them). With its fixed pool
// (32 threads), the 33rd client waited for a whole connection to end before its first byte was read:
// at 200 kept-alive clients most of the latency was that queue (bench/RESULTS.md, issue 11 Load).
// This pool starts a thread when a connection arrives and none is idle, up to max_threads (beyond,
// connections wait as before); a thread idle for idle_exit ends, down to min_threads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace vidseg::server {

class ConnectionPool final : public httplib::TaskQueue {
  public:
    ConnectionPool(std::size_t min_threads, std::size_t max_threads, std::chrono::milliseconds idle_exit);
    ~ConnectionPool() override;
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    void enqueue(std::function<void()> fn) override;
    // Runs what is queued, then joins every thread (cpp-httplib calls it once its accept loop ends).
    void shutdown() override;

    std::size_t threads() const;  // threads alive now (busy or idle)

  private:
    void work();
    void start_thread();  // mutex_ held
    void join_ended();    // mutex_ held

    const std::size_t min_threads_, max_threads_;
    const std::chrono::milliseconds idle_exit_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    std::list<std::thread> threads_;      // alive, or ended and not joined yet
    std::vector<std::thread::id> ended_;  // threads that left work(), to join
    std::size_t alive_ = 0, idle_ = 0;
    bool stopping_ = false;
};

}  // namespace vidseg::server

#include "vidseg/server/connection_pool.hpp"

#include <algorithm>

namespace vidseg::server {

ConnectionPool::ConnectionPool(std::size_t min_threads, std::size_t max_threads,
                               std::chrono::milliseconds idle_exit)
    : min_threads_(std::max<std::size_t>(1, std::min(min_threads, max_threads))),
      max_threads_(std::max<std::size_t>(1, max_threads)),
      idle_exit_(idle_exit) {
    std::lock_guard lock(mutex_);
    while (alive_ < min_threads_) start_thread();
}

ConnectionPool::~ConnectionPool() {
    shutdown();
}

void ConnectionPool::enqueue(std::function<void()> fn) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(fn));
        join_ended();
        // Every queued connection beyond the idle threads gets a thread of its own, while allowed.
        if (jobs_.size() > idle_ && alive_ < max_threads_) start_thread();
    }
    wake_.notify_one();
}

void ConnectionPool::shutdown() {
    std::list<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    {
        std::lock_guard lock(mutex_);
        threads.swap(threads_);
        ended_.clear();
    }
    for (auto& t : threads)
        if (t.joinable()) t.join();
}

std::size_t ConnectionPool::threads() const {
    std::lock_guard lock(mutex_);
    return alive_;
}

void ConnectionPool::start_thread() {
    ++alive_;
    ++idle_;  // idle from the start: the next connection queued is its
    threads_.emplace_back([this] { work(); });
}

void ConnectionPool::join_ended() {
    for (const auto id : ended_) {
        const auto it = std::find_if(threads_.begin(), threads_.end(),
                                     [id](const std::thread& t) { return t.get_id() == id; });
        // It left work() and released the mutex we hold now: join() only waits for its exit.
        if (it != threads_.end()) {
            it->join();
            threads_.erase(it);
        }
    }
    ended_.clear();
}

void ConnectionPool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {  // counted in idle_ here
        const bool woken = wake_.wait_for(lock, idle_exit_, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) {
            if (stopping_ || (!woken && alive_ > min_threads_)) break;
            continue;
        }
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        --idle_;
        lock.unlock();
        job();
        lock.lock();
        ++idle_;
    }
    --idle_;
    --alive_;
    if (!stopping_) ended_.push_back(std::this_thread::get_id());
}

}  // namespace vidseg::server

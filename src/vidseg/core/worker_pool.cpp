#include "vidseg/core/worker_pool.hpp"

#include <algorithm>
#include <utility>

#include "vidseg/core/cancel.hpp"

namespace vidseg {

WorkerPool::WorkerPool(std::size_t threads) {
    threads = std::max<std::size_t>(1, threads);
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

WorkerPool::~WorkerPool() {
    {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return running_ == 0; });
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

void WorkerPool::start(std::function<void(std::size_t)> job) {
    wait();
    {
        std::lock_guard lock(mutex_);
        // The workers see the caller's cancellation token (a server job's CancelScope) as their own.
        if (const auto* token = current_cancel_token())
            job_ = [token, job = std::move(job)](std::size_t index) {
                CancelScope scope(*token);
                job(index);
            };
        else
            job_ = std::move(job);
        running_ = threads_.size();
        ++generation_;
    }
    wake_.notify_all();
}

void WorkerPool::wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return running_ == 0; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

bool WorkerPool::busy() const {
    std::lock_guard lock(mutex_);
    return running_ > 0;
}

void WorkerPool::run(std::size_t index) {
    std::size_t seen = 0;
    for (;;) {
        std::function<void(std::size_t)> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            job = job_;
        }
        std::exception_ptr error;
        try {
            job(index);
        } catch (...) {
            error = std::current_exception();
        }
        std::lock_guard lock(mutex_);
        if (error && !error_) error_ = error;
        if (--running_ == 0) done_.notify_all();
    }
}

}  // namespace vidseg

// A fixed set of threads that run one job at a time in the background: start() hands every worker
// the same function (each learns its index and typically claims work items from an atomic
// counter), returns at once, and wait() blocks until all have returned. The caller keeps working in
// between — e.g. decoding the next stretch of audio while the workers analyse the previous one —
// and no thread is created per job.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vidseg {

class WorkerPool {
public:
    explicit WorkerPool(std::size_t threads);
    ~WorkerPool();  // waits for the current job, then stops and joins the threads
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    std::size_t size() const noexcept { return threads_.size(); }

    // Runs job(worker index) on every worker. Waits for the previous job first.
    void start(std::function<void(std::size_t)> job);
    // Blocks until every worker has finished the current job (if any); rethrows the first exception
    // a worker threw.
    void wait();
    bool busy() const;

private:
    void run(std::size_t index);

    mutable std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::function<void(std::size_t)> job_;
    std::size_t generation_ = 0, running_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
    std::vector<std::thread> threads_;
};

}  // namespace vidseg

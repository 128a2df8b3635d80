// `vidseg serve`'s connection handling: one epoll set for every client, a few worker threads.
//
// cpp-httplib keeps a thread per connection for the connection's whole life and polls it every 10 ms
// between requests. At 200 kept-alive clients on 2 cores that is 200 runnable threads whose order the
// kernel's scheduler decides: p99 of GET /api/videos was 7x its p50 (bench/RESULTS.md, issue 11 Load).
// Here the idle connections wait in one epoll set (no thread, no wake-up); a worker takes a connection
// once a whole request has arrived — in the order the requests arrived — and serves it with
// cpp-httplib's own request processing (parsing, routing, answers; Server::process_request) on a stream
// over the bytes already read, the answer written with one send. A request that needs the thread for
// long (a body still to come: uploads; a streamed answer: SSE, zip; a slow handler) holds its worker
// (hold_thread_for_long_request()), and another thread takes its place in the loop, up to max_threads.
#pragma once

#include "vidseg/server/http_library.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace vidseg::server {

struct EventServerSettings {
    std::size_t workers = 4;        // threads serving complete requests from the epoll set
    std::size_t max_threads = 256;  // workers + threads held by long requests
    int read_timeout_seconds = 10;  // a request that stops arriving for this long is cut off
    int write_timeout_seconds = 10;
    int keep_alive_seconds = 5;  // an idle kept-alive connection is closed after this
    std::size_t keep_alive_requests = 100;
};

class EventServer final : public httplib::Server {
  public:
    explicit EventServer(EventServerSettings settings);
    ~EventServer() override;
    EventServer(const EventServer&) = delete;
    EventServer& operator=(const EventServer&) = delete;

    // Serves the clients of listen_socket (bound and listening: bind_to_port() keeps cpp-httplib's own
    // idea of a running server, which its streamed answers check) until stop_serving(). Closes nothing
    // it did not accept. Throws Error(OutputError) when epoll cannot be set up.
    void serve(int listen_socket);
    void stop_serving();  // from any thread; serve() returns once the requests in progress ended

    std::size_t threads() const;  // worker + held threads alive now

    struct Connection;
    // Private to event_server.cpp (its request stream calls them).
    void hold_current_thread();
    void release_current_thread();
    const EventServerSettings& settings() const { return settings_; }

  private:
    void work();
    void accept_clients();
    void serve_connection(const std::shared_ptr<Connection>& connection);
    void close_connection(const std::shared_ptr<Connection>& connection);  // not in the epoll set
    void close_idle_connections();
    bool rearm(const std::shared_ptr<Connection>& connection);
    void start_thread();  // mutex_ held
    void join_ended();    // mutex_ held

    const EventServerSettings settings_;
    int listen_socket_ = -1, epoll_ = -1, wake_ = -1, timer_ = -1;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections_;  // by id
    std::uint64_t next_id_ = 16;                                                  // below: the set's own fds
    std::list<std::thread> threads_;
    std::vector<std::thread::id> ended_;
    std::size_t looping_ = 0, alive_ = 0;  // threads in the worker loop / all
};

// Called by a route before it may keep the thread long (reads a body not yet received, streams its
// answer, runs slow work): under EventServer another thread takes this one's place for the other
// clients, and the answer is written as it is produced. Without EventServer (tests), does nothing.
void hold_thread_for_long_request();

}  // namespace vidseg::server

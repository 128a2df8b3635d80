#include "vidseg/server/event_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <string_view>

#include "vidseg/core/error.hpp"

namespace vidseg::server {

using Clock = std::chrono::steady_clock;

struct EventServer::Connection {
    int fd = -1;
    std::uint64_t id = 0;
    std::string remote_ip, local_ip;
    int remote_port = 0, local_port = 0;
    std::string in;  // bytes read; [in_pos, in.size()) not consumed yet
    std::size_t in_pos = 0;
    std::size_t requests = 0;
    // Under the server's mutex: a thread has it (it is out of the epoll set), and when it went back.
    bool busy = false;
    Clock::time_point last_active = Clock::now();

    std::size_t unread() const { return in.size() - in_pos; }
};

namespace {

// epoll data of the set's own descriptors; connections get ids from 16 up.
constexpr std::uint64_t kListenId = 1, kWakeId = 2, kTimerId = 3;
// A request whose body is at most this long is read whole before a worker takes it; a longer one
// (uploads) is handed over once its head arrived, and its worker reads the rest (held).
constexpr std::size_t kBufferedBody = 64 * 1024;
constexpr std::size_t kMaxBufferedHead = 64 * 1024;  // no end of the head by then: let cpp-httplib refuse it
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxBufferedAnswer = 256 * 1024;  // larger answers are written as they come

bool equals_lower(std::string_view text, std::string_view lower) {
    return text.size() == lower.size() &&
           std::equal(text.begin(), text.end(), lower.begin(),
                      [](char a, char b) { return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b; });
}

// Whether `data` starts with a request a worker can serve without waiting for the client: its whole
// head, and its whole body when it has a short one (or a head that will not end, for cpp-httplib to refuse).
bool request_ready(std::string_view data) {
    auto end = data.find("\r\n\r\n");
    std::size_t head_size = end == std::string_view::npos ? 0 : end + 4;
    if (!head_size) {
        end = data.find("\n\n");
        if (end == std::string_view::npos) return data.size() > kMaxBufferedHead;
        head_size = end + 2;
    }
    std::size_t body = 0;
    std::string_view head = data.substr(0, head_size);
    for (auto line_start = head.find('\n'); line_start != std::string_view::npos;) {
        ++line_start;
        const auto line_end = head.find('\n', line_start);
        if (line_end == std::string_view::npos) break;
        const std::string_view line = head.substr(line_start, line_end - line_start);
        line_start = line_end;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = line.substr(0, colon);
        // A chunked body or a client waiting for "100 Continue": the worker takes it now (and reads on).
        if (equals_lower(name, "transfer-encoding") || equals_lower(name, "expect")) return true;
        if (equals_lower(name, "content-length")) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.remove_suffix(1);
            if (value.empty() || value.size() > 18 ||
                value.find_first_not_of("0123456789") != std::string_view::npos)
                return true;  // cpp-httplib answers 400
            body = std::stoull(std::string(value));
        }
    }
    return body > kBufferedBody || data.size() >= head_size + body;
}

// Waits up to `seconds` for `events` on fd; false on timeout or error.
bool wait_for(int fd, short events, int seconds) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int n = ::poll(&p, 1, seconds * 1000);
        if (n < 0 && errno == EINTR) continue;
        return n > 0 && (p.revents & events);
    }
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if ((peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
              : ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)) != 0)
        return;
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
        ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
        port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
        ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
        port = ntohs(a.sin6_port);
    }
    ip = text;
}

// One request's view of its connection for cpp-httplib: reads come from the bytes the event loop
// read (then, held, from the socket); the answer is gathered and sent with one send() by flush(),
// unless it is long or streamed (then written as it comes).
class ConnectionStream final : public httplib::Stream {
  public:
    ConnectionStream(EventServer& server, EventServer::Connection& connection)
        : server_(server), c_(connection) {}

    bool is_readable() const override {
        if (c_.unread() > 0) return true;
        hold();
        return wait_for(c_.fd, POLLIN, server_.settings().read_timeout_seconds);
    }
    bool is_writable() const override {
        if (!wait_for(c_.fd, POLLOUT, server_.settings().write_timeout_seconds)) return false;
        pollfd p{c_.fd, POLLRDHUP, 0};  // the client left: a streamed answer ends
        return ::poll(&p, 1, 0) == 0 || !(p.revents & (POLLRDHUP | POLLHUP | POLLERR));
    }
    ssize_t read(char* ptr, size_t size) override {
        if (c_.unread() == 0 && !fill()) return -1;
        const std::size_t n = std::min(size, c_.unread());
        std::memcpy(ptr, c_.in.data() + c_.in_pos, n);
        c_.in_pos += n;
        return static_cast<ssize_t>(n);
    }
    ssize_t write(const char* ptr, size_t size) override {
        if (failed_) return -1;
        if (!streaming_ && out_.size() + size <= kMaxBufferedAnswer) {
            out_.append(ptr, size);
            return static_cast<ssize_t>(size);
        }
        if (!flush() || !send_all(ptr, size)) return -1;
        return static_cast<ssize_t>(size);
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = c_.remote_ip;
        port = c_.remote_port;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = c_.local_ip;
        port = c_.local_port;
    }
    socket_t socket() const override { return c_.fd; }

    // This thread stays with the request; the answer goes out as it is written.
    void hold() const {
        streaming_ = true;
        if (held_) return;
        held_ = true;
        server_.hold_current_thread();
    }
    bool flush() {
        if (out_.empty() || failed_) return !failed_;
        const bool ok = send_all(out_.data(), out_.size());
        out_.clear();
        return ok;
    }
    bool held() const { return held_; }
    bool failed() const { return failed_; }

  private:
    // More of the request from the socket (the worker waits for it: held).
    bool fill() {
        hold();
        if (!flush()) return false;  // "100 Continue" first: the client waits for it
        c_.in.clear();
        c_.in_pos = 0;
        if (!wait_for(c_.fd, POLLIN, server_.settings().read_timeout_seconds)) return false;
        c_.in.resize(kReadChunk);
        ssize_t n;
        do n = ::recv(c_.fd, c_.in.data(), c_.in.size(), 0);
        while (n < 0 && errno == EINTR);
        c_.in.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return n > 0;
    }
    bool send_all(const char* data, std::size_t size) {
        while (size > 0) {
            const ssize_t n = ::send(c_.fd, data, size, MSG_NOSIGNAL);
            if (n > 0) {
                data += n;
                size -= static_cast<std::size_t>(n);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                hold();  // a slow reader: do not keep the other clients waiting behind it
                if (!wait_for(c_.fd, POLLOUT, server_.settings().write_timeout_seconds))
                    return failed_ = true, false;
            } else {
                failed_ = true;
                return false;
            }
        }
        return true;
    }

    EventServer& server_;
    EventServer::Connection& c_;
    std::string out_;
    mutable bool streaming_ = false, held_ = false;
    bool failed_ = false;
};

thread_local ConnectionStream* current_stream = nullptr;

}  // namespace

void hold_thread_for_long_request() {
    if (current_stream) current_stream->hold();
}

EventServer::EventServer(EventServerSettings settings) : settings_(std::move(settings)) {
    set_keep_alive_timeout(settings_.keep_alive_seconds);
    set_keep_alive_max_count(std::max<std::size_t>(1, settings_.keep_alive_requests));
    set_read_timeout(settings_.read_timeout_seconds, 0);
    set_write_timeout(settings_.write_timeout_seconds, 0);
}

EventServer::~EventServer() {
    stop_serving();
}

std::size_t EventServer::threads() const {
    std::lock_guard lock(mutex_);
    return alive_;
}

void EventServer::serve(int listen_socket) {
    listen_socket_ = listen_socket;
    const int flags = ::fcntl(listen_socket, F_GETFL);
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    timer_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    // Idle and stalled connections are looked at once a second (one wake-up for all of them).
    const itimerspec every_second{{1, 0}, {1, 0}};
    epoll_event listen_event{EPOLLIN | EPOLLONESHOT, {.u64 = kListenId}};
    epoll_event wake_event{EPOLLIN, {.u64 = kWakeId}};  // level-triggered: wakes every worker
    epoll_event timer_event{EPOLLIN | EPOLLONESHOT, {.u64 = kTimerId}};
    if (flags < 0 || ::fcntl(listen_socket, F_SETFL, flags | O_NONBLOCK) != 0 || epoll_ < 0 || wake_ < 0 ||
        timer_ < 0 || ::timerfd_settime(timer_, 0, &every_second, nullptr) != 0 ||
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, listen_socket, &listen_event) != 0 ||
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &wake_event) != 0 ||
        ::epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &timer_event) != 0)
        throw Error(ErrorCode::OutputError,
                    std::string("cannot set up the server's event loop: ") + std::strerror(errno));
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.workers); ++i) start_thread();
    }
    // Wait for stop_serving(): the workers leave their loop once the wake event is set.
    for (;;) {
        pollfd p{wake_, POLLIN, 0};
        ::poll(&p, 1, -1);
        if (stopping_) break;
    }
    std::list<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        // Requests in progress (uploads, streams) end when their connection does.
        for (const auto& [id, connection] : connections_)
            if (connection->busy) ::shutdown(connection->fd, SHUT_RDWR);
    }
    for (;;) {  // threads started while stopping are joined too
        {
            std::lock_guard lock(mutex_);
            threads.splice(threads.end(), threads_);
            ended_.clear();
        }
        if (threads.empty()) break;
        for (auto& t : threads) t.join();
        threads.clear();
    }
    for (const auto& [id, connection] : connections_) ::close(connection->fd);
    connections_.clear();
    for (int* fd : {&epoll_, &wake_, &timer_}) {
        ::close(*fd);
        *fd = -1;
    }
    ::close(listen_socket_);
    listen_socket_ = -1;
}

void EventServer::stop_serving() {
    if (stopping_.exchange(true) || wake_ < 0) return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_, &one, sizeof one);
}

void EventServer::start_thread() {
    join_ended();
    ++alive_;
    ++looping_;
    threads_.emplace_back([this] { work(); });
}

void EventServer::join_ended() {
    for (const auto id : ended_) {
        const auto it = std::find_if(threads_.begin(), threads_.end(),
                                     [id](const std::thread& t) { return t.get_id() == id; });
        if (it !=
            threads_.end()) {  // it left work() and released the mutex we hold: join() waits for its exit
            it->join();
            threads_.erase(it);
        }
    }
    ended_.clear();
}

void EventServer::hold_current_thread() {
    std::lock_guard lock(mutex_);
    --looping_;
    if (looping_ < settings_.workers && alive_ < settings_.max_threads && !stopping_) start_thread();
}

void EventServer::release_current_thread() {
    std::lock_guard lock(mutex_);
    ++looping_;  // one too many now: the next loop turn of some thread ends it
}

void EventServer::work() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || looping_ > std::max<std::size_t>(1, settings_.workers)) {
                --looping_;
                --alive_;
                if (!stopping_) ended_.push_back(std::this_thread::get_id());
                return;
            }
        }
        epoll_event event{};
        const int n = ::epoll_wait(epoll_, &event, 1, -1);
        if (n <= 0) continue;  // EINTR
        const std::uint64_t id = event.data.u64;
        if (id == kWakeId) continue;
        if (id == kListenId) {
            accept_clients();
            epoll_event again{EPOLLIN | EPOLLONESHOT, {.u64 = kListenId}};
            ::epoll_ctl(epoll_, EPOLL_CTL_MOD, listen_socket_, &again);
            continue;
        }
        if (id == kTimerId) {
            std::uint64_t expirations = 0;
            [[maybe_unused]] const auto r = ::read(timer_, &expirations, sizeof expirations);
            close_idle_connections();
            epoll_event again{EPOLLIN | EPOLLONESHOT, {.u64 = kTimerId}};
            ::epoll_ctl(epoll_, EPOLL_CTL_MOD, timer_, &again);
            continue;
        }
        std::shared_ptr<Connection> connection;
        {
            std::lock_guard lock(mutex_);
            const auto it = connections_.find(id);
            if (it == connections_.end() || it->second->busy) continue;  // closed as idle meanwhile
            connection = it->second;
            connection->busy = true;
        }
        serve_connection(connection);
    }
}

void EventServer::accept_clients() {
    for (;;) {
        const int fd = ::accept4(listen_socket_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return;
        }
        const int one = 1;  // streamed answers' chunks go out at once
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto connection = std::make_shared<Connection>();
        connection->fd = fd;
        address_of(fd, true, connection->remote_ip, connection->remote_port);
        address_of(fd, false, connection->local_ip, connection->local_port);
        std::lock_guard lock(mutex_);
        connection->id = next_id_++;
        epoll_event event{EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, {.u64 = connection->id}};
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
            ::close(fd);
            continue;
        }
        connections_.emplace(connection->id, std::move(connection));
    }
}

void EventServer::serve_connection(const std::shared_ptr<Connection>& connection) {
    Connection& c = *connection;
    // What arrived (the event loop reads without waiting; a request in parts comes back later).
    bool open = true;
    thread_local std::vector<char> chunk(kReadChunk);  // appended as read: no per-request buffer to clear
    while (c.unread() < kMaxBufferedHead + kBufferedBody) {
        const ssize_t n = ::recv(c.fd, chunk.data(), chunk.size(), 0);
        if (n > 0) c.in.append(chunk.data(), static_cast<std::size_t>(n));
        if (n > 0 && static_cast<std::size_t>(n) == chunk.size()) continue;
        if (n > 0) break;
        if (n < 0 && errno == EINTR) continue;
        open = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        break;
    }
    while (request_ready(std::string_view(c.in).substr(c.in_pos))) {
        ConnectionStream stream(*this, c);
        ++c.requests;
        const bool last = c.requests >= settings_.keep_alive_requests || stopping_;
        bool closed = false;
        current_stream = &stream;
        bool ok = false;
        try {
            ok = process_request(stream, last, closed, nullptr);
        } catch (const std::exception&) {  // the routes answer their own errors; this is a broken stream
        }
        current_stream = nullptr;
        ok = stream.flush() && ok;
        if (stream.held()) release_current_thread();
        if (!ok || closed || last || stream.failed()) {
            close_connection(connection);
            return;
        }
    }
    if (!open) {
        close_connection(connection);
        return;
    }
    if (c.in_pos == c.in.size()) {
        c.in.clear();
        c.in_pos = 0;
        if (c.in.capacity() > 4 * kReadChunk) c.in.shrink_to_fit();  // an idle client holds little memory
    } else if (c.in_pos > 0) {
        c.in.erase(0, c.in_pos);
        c.in_pos = 0;
    }
    if (!rearm(connection)) close_connection(connection);
}

bool EventServer::rearm(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(mutex_);
    connection->busy = false;
    connection->last_active = Clock::now();
    epoll_event event{EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, {.u64 = connection->id}};
    if (::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection->fd, &event) == 0) return true;
    connection->busy = true;
    return false;
}

void EventServer::close_connection(const std::shared_ptr<Connection>& connection) {
    {
        std::lock_guard lock(mutex_);
        connections_.erase(connection->id);
    }
    ::close(connection->fd);  // also leaves the epoll set
}

void EventServer::close_idle_connections() {
    const auto now = Clock::now();
    const auto keep_alive = std::chrono::seconds(settings_.keep_alive_seconds);
    const auto read_timeout = std::chrono::seconds(settings_.read_timeout_seconds);
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
        const Connection& c = *it->second;
        // A request begun and not finished gets the read timeout, a silent kept-alive client the keep-alive
        // one.
        if (!c.busy && now - c.last_active > (c.unread() > 0 ? read_timeout : keep_alive)) {
            ::close(c.fd);
            it = connections_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace vidseg::server

// A tiny scripted HTTP/1.1 server on 127.0.0.1 for the outbound client tests: raw POSIX sockets, a
// thread per connection, keep-alive, and replies that can trickle, hang or stream without end.
// It records every request exactly as it arrived (header names as sent) and counts connections.
// Header-only because CMake compiles only *_test.cc here.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace testhttp {

struct Recorded {
  std::string method, target, version;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, in order
  std::string body;

  // First value of `name`, compared case-insensitively; "" when absent.
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (Lower(k) == Lower(name)) return v;
    return "";
  }
  bool Has(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (Lower(k) == Lower(name)) return true;
    return false;
  }
  static std::string Lower(std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }
};

struct Reply {
  std::string head;               // status line and headers, ending in "\r\n\r\n"
  std::string body;               // sent after head
  int trickle_ms = 0;             // > 0: send head+body one byte per trickle_ms
  bool hang = false;              // read the request, never answer
  bool close = false;             // close the connection after this reply
  unsigned long long stream = 0;  // after head+body, stream this many more bytes ('x')
};

// A complete reply with Content-Length.
inline Reply Respond(int status, std::string body = "",
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
  Reply r;
  r.head = "HTTP/1.1 " + std::to_string(status) + " Status\r\n";
  for (const auto& [k, v] : headers) r.head += k + ": " + v + "\r\n";
  r.head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r.body = std::move(body);
  return r;
}

class Server {
 public:
  using Handler = std::function<Reply(const Recorded&)>;

  explicit Server(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 128);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~Server() {
    stop_ = true;
    acceptor_.join();
    close(listen_fd_);
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(connections_);
    }
    for (std::thread& t : threads) t.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& target) const { return "http://" + authority() + target; }
  int connections() const { return accepted_.load(); }
  std::vector<Recorded> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  // Waits until `fd` is readable or the server stops; false on stop.
  bool WaitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }
  bool SleepUnlessStopped(int ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!stop_ && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(ms, 10)));
    return !stop_;
  }
  bool SendAll(int fd, const char* data, size_t n) {
    while (n > 0) {
      if (stop_) return false;
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data += sent;
      n -= static_cast<size_t>(sent);
    }
    return true;
  }

  void AcceptLoop() {
    while (WaitReadable(listen_fd_)) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      std::lock_guard<std::mutex> lock(mu_);
      connections_.emplace_back([this, fd] {
        Serve(fd);
        close(fd);
      });
    }
  }

  // Reads one request into `out`; false on EOF, error or stop.
  bool ReadRequest(int fd, std::string& buffer, Recorded& out) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, buffer)) return false;
    }
    std::string head = buffer.substr(0, head_end);
    buffer.erase(0, head_end + 4);
    size_t line_end = head.find("\r\n");
    std::string line = head.substr(0, line_end);
    size_t s1 = line.find(' '), s2 = line.rfind(' ');
    out.method = line.substr(0, s1);
    out.target = line.substr(s1 + 1, s2 - s1 - 1);
    out.version = line.substr(s2 + 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string h = head.substr(pos, end - pos);
      size_t colon = h.find(':');
      std::string value = colon == std::string::npos ? "" : h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      out.headers.emplace_back(h.substr(0, colon), value);
      pos = end + 2;
    }
    size_t length = std::stoul(out.Has("content-length") ? out.Header("content-length") : "0");
    while (buffer.size() < length)
      if (!ReadMore(fd, buffer)) return false;
    out.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return true;
  }
  bool ReadMore(int fd, std::string& buffer) {
    if (!WaitReadable(fd)) return false;
    char chunk[65536];
    ssize_t got = recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(got));
    return true;
  }

  void Serve(int fd) {
    std::string buffer;
    for (;;) {
      Recorded request;
      if (!ReadRequest(fd, buffer, request)) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(request);
      }
      Reply reply = handler_(request);
      if (reply.hang) {
        while (SleepUnlessStopped(10)) {
        }
        return;
      }
      std::string bytes = reply.head + reply.body;
      if (reply.trickle_ms > 0) {
        for (char c : bytes)
          if (!SendAll(fd, &c, 1) || !SleepUnlessStopped(reply.trickle_ms)) return;
      } else if (!SendAll(fd, bytes.data(), bytes.size())) {
        return;
      }
      if (reply.stream > 0) {
        std::string chunk(64 * 1024, 'x');
        for (unsigned long long left = reply.stream; left > 0;) {
          size_t n = static_cast<size_t>(std::min<unsigned long long>(left, chunk.size()));
          if (!SendAll(fd, chunk.data(), n)) return;
          left -= n;
        }
      }
      if (reply.close) return;
    }
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> connections_;
  std::vector<Recorded> requests_;
};

// A port on 127.0.0.1 with nothing listening: connections to it are refused.
inline int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace testhttp

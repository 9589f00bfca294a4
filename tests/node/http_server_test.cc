// HttpServer over real sockets on 127.0.0.1: libcurl for ordinary clients, raw sockets for the
// misbehaving ones (oversized, slow, malformed).
#include "node/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "node/log.h"
#include "store/clock.h"
#include "tests/test_util.h"
#include "tests/tls_test_util.h"

namespace node {
namespace {

using federation::HttpRequest;
using federation::HttpResponse;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const bool kCurlReady = curl_global_init(CURL_GLOBAL_DEFAULT) == 0;

ServerOptions OnPort(uint16_t port) {
  ServerOptions o;
  o.port = port;
  return o;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Value of header `name` (any case) in a raw response head or curl's header text; "" if absent.
std::string HeaderValue(const std::string& head, const std::string& name) {
  std::string want = federation::AsciiLower(name);
  size_t pos = 0;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos && federation::AsciiLower(line.substr(0, colon)) == want) {
      size_t v = line.find_first_not_of(" \t", colon + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
    pos = end + 2;
  }
  return "";
}

// ---- libcurl client -------------------------------------------------------------------------

struct FetchOptions {
  std::string method = "GET";
  std::optional<std::string> body;
  std::vector<std::string> headers;
  std::string ca_file;               // trust only this CA
  std::vector<std::string> resolve;  // CURLOPT_RESOLVE entries, "host:port:address"
};

struct FetchResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string headers;
  std::string body;
  double seconds = 0;
};

size_t AppendTo(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

FetchResult Fetch(const std::string& url, const FetchOptions& o = {}) {
  FetchResult r;
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendTo);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, AppendTo);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
  if (o.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (o.method != "GET" && o.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o.method.c_str());
  }
  if (o.body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, o.body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(o.body->size()));
  }
  std::unique_ptr<curl_slist, SlistFree> headers, resolve;
  for (const auto& h : o.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  for (const auto& e : o.resolve) resolve.reset(curl_slist_append(resolve.release(), e.c_str()));
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, resolve.get());
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  auto start = Clock::now();
  r.code = curl_easy_perform(c);
  r.seconds = SecondsSince(start);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

// ---- raw socket client ----------------------------------------------------------------------

struct RawResponse {
  int status = 0;  // 0: no complete response head arrived
  std::string head;
  std::string body;
};

class RawConn {
 public:
  // `from`: the local IPv4 address to connect from (any of 127/8 reaches the loopback listener).
  explicit RawConn(uint16_t port, const char* from = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (from) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      if (inet_pton(AF_INET, from, &local.sin_addr) != 1 ||
          bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        connect_errno_ = errno ? errno : EINVAL;
        return;
      }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) connect_errno_ = errno;
  }
  ~RawConn() { Close(); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return connect_errno_ == 0; }
  int connect_errno() const { return connect_errno_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // A send() that blocks longer than this returns what it managed; Send then stops.
  void SetSendTimeout(milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  // Sends `data`; returns the bytes the kernel took before an error or a send timeout.
  size_t Send(std::string_view data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    return sent;
  }

  // Sends without blocking; false when the connection is gone.
  bool SendNow(std::string_view data) {
    return send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0 ||
           errno == EAGAIN;
  }

  // True when the server has closed (EOF or reset) - checked without waiting.
  bool ClosedNow() {
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    return false;
  }

  // Reads one response (no body for HEAD, 1xx, 204, 304).
  RawResponse ReadResponse(bool head_request = false, milliseconds timeout = milliseconds(5000)) {
    RawResponse r;
    auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill(deadline)) return r;
    r.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    if (r.head.size() >= 12) r.status = std::atoi(r.head.substr(9, 3).c_str());
    bool bodiless = head_request || r.status < 200 || r.status == 204 || r.status == 304;
    size_t length = bodiless ? 0 : std::strtoull(HeaderValue(r.head, "content-length").c_str(),
                                                 nullptr, 10);
    while (buf_.size() < length)
      if (!Fill(deadline)) break;
    r.body = buf_.substr(0, length);
    buf_.erase(0, r.body.size());
    return r;
  }

  // Reads and discards until the server closes; false if it has not within `timeout`.
  bool WaitClosed(milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
      int left = static_cast<int>(
          std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      char tmp[4096];
      ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
  }

  const std::string& pending() const { return buf_; }

 private:
  bool Fill(Clock::time_point deadline) {
    int left = static_cast<int>(
        std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) return false;
    char tmp[16384];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  int connect_errno_ = 0;
  std::string buf_;
};

// ---- server fixture -------------------------------------------------------------------------

// Records every request the handler sees.
class Recorder {
 public:
  void Add(const HttpRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(r);
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  HttpRequest Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.empty() ? HttpRequest{} : requests_.back();
  }

 private:
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

HttpResponse Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server on a free port with `handler` (default: record and answer "ok").
  void StartServer(ServerOptions options = {}, Handler handler = nullptr) {
    options.port = 0;
    if (!handler) handler = [this](const HttpRequest& r) {
      recorder_.Add(r);
      return Text(200, "ok");
    };
    server_ = std::make_unique<HttpServer>(options, std::move(handler));
    cs::Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server_->port(), 0);
    port_ = server_->port();
  }
  std::string Url(const std::string& target) {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }

  Recorder recorder_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

// ---- round trips ----------------------------------------------------------------------------

TEST_F(HttpServerTest, GetRoundTripCarriesRequestFieldsAndAddsServerHeaders) {
  ServerOptions options;
  options.public_authority = "school.example";  // public_scheme stays "https"
  StartServer(options, [this](const HttpRequest& r) {
    recorder_.Add(r);
    HttpResponse res = Text(200, "hello " + r.method);
    res.headers.Add("X-Reply", "yes");
    return res;
  });
  FetchOptions fo;
  fo.headers = {"X-Custom-Header: Some Value", "Accept: application/activity+json"};
  FetchResult res = Fetch(Url("/users/ann?page=2&q=%20x"), fo);
  ASSERT_EQ(res.code, CURLE_OK) << curl_easy_strerror(res.code);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hello GET");
  EXPECT_EQ(HeaderValue(res.headers, "x-reply"), "yes");
  EXPECT_EQ(HeaderValue(res.headers, "server"), "cloudschool");
  EXPECT_EQ(HeaderValue(res.headers, "content-length"), "9");
  EXPECT_EQ(HeaderValue(res.headers, "content-type"), "text/plain");
  EXPECT_GT(cs::ParseHttpDate(HeaderValue(res.headers, "date")), 0);

  ASSERT_EQ(recorder_.Count(), 1u);
  HttpRequest req = recorder_.Last();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/users/ann?page=2&q=%20x");
  EXPECT_EQ(req.Path(), "/users/ann");
  EXPECT_EQ(req.scheme, "https");
  EXPECT_EQ(req.authority, "school.example");
  EXPECT_EQ(req.remote_address, "127.0.0.1");
  EXPECT_EQ(req.body, "");
  EXPECT_EQ(req.headers.Get("x-custom-header"), "Some Value");
  EXPECT_EQ(req.headers.Get("accept"), "application/activity+json");
  for (const auto& [name, value] : req.headers.items)
    EXPECT_EQ(name, federation::AsciiLower(name)) << "header name not lower-cased";
  bool found = false;
  for (const auto& [name, value] : req.headers.items) found |= name == "x-custom-header";
  EXPECT_TRUE(found);
}

TEST_F(HttpServerTest, PostRoundTripKeepsBinaryBodyExactAndUsesHostWithoutPublicAuthority) {
  ServerOptions options;
  options.public_scheme = "http";
  StartServer(options);
  std::string body;
  for (int i = 0; i < 70000; ++i) body += static_cast<char>((i * 7 + i / 256) % 256);
  FetchOptions fo;
  fo.body = body;
  fo.headers = {"Content-Type: application/activity+json"};
  FetchResult res = Fetch(Url("/inbox"), fo);
  ASSERT_EQ(res.code, CURLE_OK) << curl_easy_strerror(res.code);
  EXPECT_EQ(res.status, 200);
  HttpRequest req = recorder_.Last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/inbox");
  EXPECT_EQ(req.scheme, "http");
  EXPECT_EQ(req.authority, "127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(req.headers.Get("content-type"), "application/activity+json");
  ASSERT_EQ(req.body.size(), body.size());
  EXPECT_TRUE(req.body == body);
}

TEST_F(HttpServerTest, MethodIsUpperCasedAndChunkedBodyIsDecoded) {
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.connected());
  c.Send("post /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 200);
  HttpRequest req = recorder_.Last();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, "hello world");
}

TEST_F(HttpServerTest, HeadHasGetHeadersWithoutBodyAndKeepAliveServesPipelinedRequests) {
  StartServer({}, [](const HttpRequest& r) { return Text(200, "twelve bytes"); });
  RawConn c(port_);
  ASSERT_TRUE(c.connected());
  c.Send("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
  RawResponse head = c.ReadResponse(/*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(HeaderValue(head.head, "content-length"), "12");
  RawResponse get = c.ReadResponse();  // would fail to parse if HEAD had sent a body
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "twelve bytes");
  EXPECT_FALSE(c.ClosedNow());
}

TEST_F(HttpServerTest, ConnectionCloseAndHttp10AreHonoured) {
  StartServer();
  {
    RawConn c(port_);
    c.Send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(federation::AsciiLower(HeaderValue(r.head, "connection")), "close");
    EXPECT_TRUE(c.WaitClosed(milliseconds(2000)));
  }
  {
    RawConn c(port_);
    c.Send("GET / HTTP/1.0\r\n\r\n");
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.head.substr(0, 8), "HTTP/1.0");
    EXPECT_TRUE(c.WaitClosed(milliseconds(2000)));
  }
}

TEST_F(HttpServerTest, UnparseableRequestGets400AndClose) {
  StartServer();
  for (const char* bad : {
           "GET / HTTP/1.1\r\nHost h\r\n\r\n",  // no colon
           "GET / HTTP/1.1\r\n\r\n",          // HTTP/1.1 without Host
           "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
           "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
           "0\r\n\r\n",  // smuggling shape
           "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       }) {
    RawConn c(port_);
    c.Send(bad);
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(c.WaitClosed(milliseconds(2000))) << bad;
  }
  EXPECT_EQ(recorder_.Count(), 0u);
}

TEST_F(HttpServerTest, HandlerHeadersAreSanitizedAndHeadLengthCanComeFromHandler) {
  StartServer({}, [](const HttpRequest& r) {
    HttpResponse res;
    res.headers.Add("X-Evil", "a\r\nSet-Cookie: injected=1");
    res.headers.Add("Bad Name", "x");
    res.headers.Add("Content-Length", r.method == "HEAD" ? "1234" : "999");
    res.headers.Add("Server", "custom");
    if (r.method != "HEAD") res.body = "abc";
    return res;
  });
  RawConn c(port_);
  c.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\nHEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
  RawResponse get = c.ReadResponse();
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "abc");
  EXPECT_EQ(HeaderValue(get.head, "content-length"), "3");
  EXPECT_EQ(HeaderValue(get.head, "server"), "custom");
  EXPECT_EQ(HeaderValue(get.head, "set-cookie"), "");
  EXPECT_EQ(HeaderValue(get.head, "x-evil"), "");
  EXPECT_EQ(get.head.find("Bad Name"), std::string::npos);
  RawResponse head = c.ReadResponse(/*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(HeaderValue(head.head, "content-length"), "1234");
}

TEST_F(HttpServerTest, ManyConcurrentKeepAliveClientsOnTwoIoThreads) {
  ServerOptions options;
  options.io_threads = 2;
  options.handler_threads = 3;
  StartServer(options, [](const HttpRequest& r) { return Text(200, r.target + ":" + r.body); });
  constexpr int kClients = 8, kRequests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      RawConn c(port_);
      for (int j = 0; j < kRequests; ++j) {
        std::string body = std::string(100 + j * 37, static_cast<char>('a' + i));
        std::string target = "/c" + std::to_string(i) + "/" + std::to_string(j);
        c.Send("POST " + target + " HTTP/1.1\r\nHost: h\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body);
        RawResponse r = c.ReadResponse();
        if (r.status == 200 && r.body == target + ":" + body) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST_F(HttpServerTest, ThrowingHandlerGives500AndServerKeepsServing) {
  StartServer({}, [](const HttpRequest& r) -> HttpResponse {
    if (r.Path() == "/boom") throw std::runtime_error("kaboom");
    return Text(200, "fine");
  });
  FetchResult boom = Fetch(Url("/boom"));
  EXPECT_EQ(boom.status, 500);
  FetchResult fine = Fetch(Url("/fine"));
  EXPECT_EQ(fine.status, 200);
  EXPECT_EQ(fine.body, "fine");
}

TEST_F(HttpServerTest, Expect100ContinueGetsContinueThenResponse) {
  StartServer();
  RawConn c(port_);
  c.Send("POST /inbox HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  RawResponse cont = c.ReadResponse();
  EXPECT_EQ(cont.status, 100);
  c.Send("hello");
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(recorder_.Last().body, "hello");
}

// ---- limits ---------------------------------------------------------------------------------

TEST_F(HttpServerTest, HugeContentLengthGets413PromptlyWithoutReadingTheBody) {
  StartServer();
  for (bool expect : {false, true}) {
    RawConn c(port_);
    auto start = Clock::now();
    c.Send(std::string("POST /inbox HTTP/1.1\r\nHost: h\r\nContent-Length: 52428800\r\n") +
           (expect ? "Expect: 100-continue\r\n" : "") + "\r\n");
    RawResponse r = c.ReadResponse();  // only the header was sent: a 413 must come anyway
    double seconds = SecondsSince(start);
    EXPECT_EQ(r.status, 413) << "no 100 Continue for a body we would refuse";
    EXPECT_LT(seconds, 1.0);
    EXPECT_TRUE(c.WaitClosed(milliseconds(3000)));
    std::cout << "[measure] 413 for Content-Length 50 MiB" << (expect ? " + Expect" : "")
              << " after " << seconds * 1000 << " ms\n";
  }
  EXPECT_EQ(recorder_.Count(), 0u);
}

TEST_F(HttpServerTest, ChunkedBodyOverLimitGets413AndServerStopsReading) {
  StartServer();
  RawConn c(port_);
  c.SetSendTimeout(milliseconds(500));
  size_t sent = c.Send("POST /inbox HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";  // 64 KiB
  const size_t kTotal = 20u << 20;
  size_t body_sent = 0;
  while (body_sent < kTotal) {
    size_t n = c.Send(chunk);
    sent += n;
    if (n < chunk.size()) break;  // the server stopped reading (timeout) or closed
    body_sent += 0x10000;
  }
  RawResponse r = c.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_LT(body_sent, kTotal) << "the server read all 20 MiB";
  EXPECT_EQ(recorder_.Count(), 0u);
  std::cout << "[measure] chunked 20 MiB: client could push " << sent / 1024
            << " KiB (limit 1024 KiB + socket buffers + linger) before the server stopped\n";
}

TEST_F(HttpServerTest, BodyJustUnderLimitPasses) {
  StartServer();
  std::string body(900 * 1024, 'b');
  FetchOptions fo;
  fo.body = body;
  FetchResult res = Fetch(Url("/inbox"), fo);
  ASSERT_EQ(res.code, CURLE_OK) << curl_easy_strerror(res.code);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(recorder_.Last().body.size(), 900u * 1024);
}

TEST_F(HttpServerTest, HugeHeaderLineGets431WithoutBufferingAndNextClientIsServed) {
  StartServer();
  {
    RawConn c(port_);
    c.SetSendTimeout(milliseconds(500));
    size_t sent = c.Send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
    const std::string piece(0x10000, 'a');
    const size_t kTotal = 16u << 20;
    size_t line = 0;
    while (line < kTotal) {
      size_t n = c.Send(piece);
      sent += n;
      if (n < piece.size()) break;
      line += n;
    }
    RawResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 431);
    EXPECT_LT(line, kTotal) << "the server read the whole 16 MiB header line";
    std::cout << "[measure] 16 MiB header line: client could push " << sent / 1024
              << " KiB before the server stopped reading\n";
  }
  FetchResult next = Fetch(Url("/"));
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(recorder_.Count(), 1u);
}

TEST_F(HttpServerTest, SlowlorisConnectionsAreCutAtDeadlineWhileOthersAreServed) {
  ServerOptions options;
  options.request_deadline_seconds = 2;
  StartServer(options);
  constexpr int kSlow = 20;
  std::vector<std::unique_ptr<RawConn>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(slow.back()->connected());
  }
  auto start = Clock::now();
  std::optional<FetchResult> normal;
  std::thread normal_client([&] {
    std::this_thread::sleep_for(milliseconds(700));
    normal = Fetch(Url("/normal"));
  });
  const std::string trickle = "GET /slow HTTP/1.1\r\nHost: h\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaa";
  std::vector<double> cut_at(kSlow, -1);
  size_t next_byte = 0;
  int open = kSlow;
  while (open > 0 && SecondsSince(start) < 8) {
    if (SecondsSince(start) >= static_cast<double>(next_byte)) {  // one byte per second
      for (int i = 0; i < kSlow; ++i)
        if (cut_at[i] < 0) slow[i]->SendNow(trickle.substr(next_byte % trickle.size(), 1));
      ++next_byte;
    }
    for (int i = 0; i < kSlow; ++i) {
      if (cut_at[i] < 0 && slow[i]->ClosedNow()) {
        cut_at[i] = SecondsSince(start);
        --open;
      }
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  normal_client.join();
  ASSERT_TRUE(normal.has_value());
  EXPECT_EQ(normal->status, 200);
  EXPECT_LT(normal->seconds, 0.5);
  EXPECT_EQ(open, 0);
  double first = 1e9, last = 0;
  for (double t : cut_at) {
    EXPECT_GE(t, 1.8);
    EXPECT_LE(t, 3.0);
    if (t >= 0) first = std::min(first, t), last = std::max(last, t);
  }
  EXPECT_EQ(recorder_.Count(), 1u);  // only the normal client reached the handler
  std::cout << "[measure] slowloris: " << kSlow << " slow connections cut between " << first
            << " s and " << last << " s (deadline 2 s); normal request meanwhile took "
            << normal->seconds * 1000 << " ms\n";
}

TEST_F(HttpServerTest, MaxConnectionsRefusesExtraWith503) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  auto a = std::make_unique<RawConn>(port_);
  RawConn b(port_);
  // Both must be accepted before the third: a request on each proves it.
  for (RawConn* c : {a.get(), &b}) {
    c->Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_EQ(c->ReadResponse().status, 200);
  }
  RawConn extra(port_);
  RawResponse r = extra.ReadResponse();
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(extra.WaitClosed(milliseconds(2000)));
  a.reset();  // frees a slot
  auto deadline = Clock::now() + milliseconds(3000);
  long status = 0;
  while (status != 200 && Clock::now() < deadline) {
    status = Fetch(Url("/")).status;
    if (status != 200) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(HttpServerTest, MaxConnectionsPerIpRefusesThatAddressOnlyAndLogsRefusalsAsACount) {
  ServerOptions options;
  options.max_connections_per_ip = 8;
  StartServer(options);
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(held.back()->connected());
  }
  // A request on each proves all 8 were accepted before the next; then they sit idle.
  for (auto& c : held) {
    c->Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_EQ(c->ReadResponse().status, 200);
  }

  testing::internal::CaptureStderr();
  auto burst_start = Clock::now();
  constexpr int kRefused = 20;
  int refused = 0;
  for (int i = 0; i < kRefused; ++i) {
    RawConn extra(port_);
    RawResponse r = extra.ReadResponse();
    if (r.status == 503 && extra.WaitClosed(milliseconds(2000))) ++refused;
  }
  double burst_seconds = SecondsSince(burst_start);
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(refused, kRefused);
  // One line at the first refusal, then at most one a second, each a count.
  size_t lines = 0;
  for (size_t at = log.find("refused "); at != std::string::npos; at = log.find("refused ", at + 1))
    ++lines;
  EXPECT_GE(lines, 1u) << log;
  EXPECT_LE(static_cast<double>(lines), 2 + burst_seconds) << log;
  EXPECT_NE(log.find("max_connections_per_ip"), std::string::npos) << log;

  // Another address is served meanwhile (and is seen as that address).
  RawConn other(port_, "127.0.0.2");
  ASSERT_TRUE(other.connected()) << std::strerror(other.connect_errno());
  other.Send("GET /other HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(other.ReadResponse().status, 200);
  EXPECT_EQ(recorder_.Last().remote_address, "127.0.0.2");

  // Closing the 8 frees 127.0.0.1's slots.
  held.clear();
  auto deadline = Clock::now() + milliseconds(10000);
  int status = 0;
  while (status != 200 && Clock::now() < deadline) {
    RawConn again(port_);
    again.Send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
    status = again.ReadResponse().status;
    if (status != 200) std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(recorder_.Last().remote_address, "127.0.0.1");
}

// ---- threads and lifecycle ------------------------------------------------------------------

TEST_F(HttpServerTest, BlockedHandlerDoesNotDelayOtherRequests) {
  std::atomic<bool> slow_entered{false};
  StartServer({}, [&](const HttpRequest& r) {
    if (r.Path() == "/slow") {
      slow_entered = true;
      std::this_thread::sleep_for(milliseconds(2000));
    }
    return Text(200, r.Path());
  });
  std::optional<FetchResult> slow;
  std::thread t([&] { slow = Fetch(Url("/slow")); });
  while (!slow_entered) std::this_thread::sleep_for(milliseconds(5));
  FetchResult fast = Fetch(Url("/fast"));
  EXPECT_EQ(fast.status, 200);
  EXPECT_EQ(fast.body, "/fast");
  EXPECT_LT(fast.seconds, 0.5);
  t.join();
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->status, 200);
  EXPECT_GE(slow->seconds, 1.9);
  std::cout << "[measure] fast request during a 2 s handler: " << fast.seconds * 1000 << " ms\n";
}

TEST_F(HttpServerTest, StopLetsInFlightRequestFinishClosesIdleAndRefusesNew) {
  std::atomic<bool> slow_entered{false};
  StartServer({}, [&](const HttpRequest& r) {
    if (r.Path() == "/slow") {
      slow_entered = true;
      std::this_thread::sleep_for(milliseconds(500));
    }
    return Text(200, "done " + r.Path());
  });
  RawConn idle(port_);  // a keep-alive connection between requests
  idle.Send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(idle.ReadResponse().status, 200);

  std::optional<FetchResult> slow;
  std::thread t([&] { slow = Fetch(Url("/slow")); });
  while (!slow_entered) std::this_thread::sleep_for(milliseconds(5));
  auto start = Clock::now();
  server_->Stop(5);
  double stop_seconds = SecondsSince(start);
  t.join();
  ASSERT_TRUE(slow.has_value());
  EXPECT_EQ(slow->code, CURLE_OK) << curl_easy_strerror(slow->code);
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(slow->body, "done /slow");
  EXPECT_EQ(federation::AsciiLower(HeaderValue(slow->headers, "connection")), "close");
  EXPECT_LT(stop_seconds, 2.0);  // waited for the 500 ms handler, not for the idle connection
  EXPECT_TRUE(idle.WaitClosed(milliseconds(1000)));
  EXPECT_EQ(server_->port(), 0);
  RawConn after(port_);
  EXPECT_FALSE(after.connected());
  EXPECT_EQ(after.connect_errno(), ECONNREFUSED);
  std::cout << "[measure] Stop() with a 500 ms request in flight took " << stop_seconds * 1000
            << " ms\n";
}

TEST_F(HttpServerTest, CanStartAgainAfterStop) {
  StartServer();
  server_->Stop();
  cs::Status st = server_->Start();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Fetch("http://127.0.0.1:" + std::to_string(server_->port()) + "/").status, 200);
}

TEST(HttpServerStartTest, PortZeroPicksAPortAndBusyPortIsAClearIOError) {
  HttpServer first(OnPort(0), [](const HttpRequest&) { return Text(200, ""); });
  ASSERT_TRUE(first.Start().ok());
  uint16_t port = first.port();
  EXPECT_NE(port, 0);
  HttpServer second(OnPort(port), [](const HttpRequest&) { return Text(200, ""); });
  cs::Status st = second.Start();
  EXPECT_EQ(st.code(), cs::Status::Code::kIOError);
  EXPECT_NE(st.message().find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("in use"), std::string::npos) << st.message();
  EXPECT_EQ(second.port(), 0);
  EXPECT_EQ(first.Start().code(), cs::Status::Code::kConflict);
}

TEST(HttpServerStartTest, BadOptionsAreRefused) {
  auto handler = [](const HttpRequest&) { return Text(200, ""); };
  ServerOptions half_tls = OnPort(0);
  half_tls.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_EQ(HttpServer(half_tls, handler).Start().code(), cs::Status::Code::kInvalidInput);
  half_tls.tls_key_file = "/nonexistent/key.pem";
  cs::Status st = HttpServer(half_tls, handler).Start();
  EXPECT_EQ(st.code(), cs::Status::Code::kIOError);
  EXPECT_NE(st.message().find("/nonexistent/cert.pem"), std::string::npos) << st.message();
  ServerOptions bad_address = OnPort(0);
  bad_address.listen_address = "not-an-ip";
  EXPECT_EQ(HttpServer(bad_address, handler).Start().code(), cs::Status::Code::kInvalidInput);
}

// ---- TLS ------------------------------------------------------------------------------------

TEST_F(HttpServerTest, HttpsWithTestCa) {
  testutil::TempDir dir;
  auto ca = testutil::MakeCa(dir.str());
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  auto cert = testutil::MakeServerCert(*ca, dir.str(), {"localhost", "127.0.0.1", "::1"});
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  ServerOptions options;
  options.tls_cert_file = cert->cert_file;
  options.tls_key_file = cert->key_file;
  StartServer(options, [this](const HttpRequest& r) {
    recorder_.Add(r);
    return Text(200, "secret " + r.body);
  });
  std::string port = std::to_string(port_);

  FetchOptions fo;
  fo.ca_file = ca->cert_file;
  fo.body = "payload";
  FetchResult by_ip = Fetch("https://127.0.0.1:" + port + "/secure", fo);
  ASSERT_EQ(by_ip.code, CURLE_OK) << curl_easy_strerror(by_ip.code);
  EXPECT_EQ(by_ip.status, 200);
  EXPECT_EQ(by_ip.body, "secret payload");
  EXPECT_EQ(recorder_.Last().scheme, "https");
  EXPECT_EQ(recorder_.Last().remote_address, "127.0.0.1");

  fo.resolve = {"localhost:" + port + ":127.0.0.1"};
  FetchResult by_name = Fetch("https://localhost:" + port + "/secure", fo);
  EXPECT_EQ(by_name.code, CURLE_OK) << curl_easy_strerror(by_name.code);
  EXPECT_EQ(by_name.body, "secret payload");

  // Verification is real: a client that does not trust the test CA fails.
  FetchResult untrusted = Fetch("https://127.0.0.1:" + port + "/secure");
  EXPECT_EQ(untrusted.code, CURLE_PEER_FAILED_VERIFICATION);

  // Plain HTTP on the TLS port is dropped without harming the server.
  {
    RawConn plain(port_);
    plain.Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_TRUE(plain.WaitClosed(milliseconds(3000)));
  }
  FetchResult again = Fetch("https://127.0.0.1:" + port + "/secure", fo);
  EXPECT_EQ(again.status, 200);
}

// ---- log ------------------------------------------------------------------------------------

TEST(LogTest, FormatsRfc3339LevelAndEscapesControlCharacters) {
  auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796327890123));
  EXPECT_EQ(FormatLogLine(LogLevel::kWarn, "bad\r\nline", when),
            "2026-12-03T19:58:10.123Z WARN bad\\x0d\\x0aline\n");
  EXPECT_EQ(ParseLogLevel("DEBUG", LogLevel::kInfo), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("warn", LogLevel::kInfo), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("error", LogLevel::kInfo), LogLevel::kError);
  EXPECT_EQ(ParseLogLevel("loud", LogLevel::kInfo), LogLevel::kInfo);
}

}  // namespace
}  // namespace node

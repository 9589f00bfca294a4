// The only translation unit that includes Boost.Beast (it costs ~20 s and 600 MB to compile).
//
// Structure, per Beast's advanced_server: an accept loop on its own strand; one Session per
// connection on its own strand; each Session runs
//   WaitForRequest -> BeginRequest (read header) -> [100 Continue] -> read body -> Dispatch
//   -> (handler pool) -> WriteResponse -> WaitForRequest | Close
// A tcp_stream deadline covers each phase: request_deadline from the first byte of a request (from
// accept for the first request, so it covers the TLS handshake too), idle_keepalive between requests,
// kWriteTimeout while writing.
#include "node/http_server.h"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "node/log.h"
#include "store/clock.h"

namespace node {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ErrorCode = beast::error_code;

// Bytes asked of the socket when waiting for the start of a request.
constexpr size_t kReadChunk = 16 * 1024;
// After refusing a request (413, 431, 400) the peer may still be sending what we refused. Closing a
// socket with unread input makes the kernel send RST, which can destroy our response before the
// peer has read it; so, like nginx's lingering_close, we half-close and read-and-discard for a
// moment first. Bounded in time and bytes so a peer cannot keep us reading.
constexpr size_t kLingerBytes = 512 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(1);
// The TLS close_notify exchange; a peer that does not answer in time gets a plain TCP close.
constexpr auto kTlsShutdownTime = std::chrono::seconds(2);
// Writing one response (a few MiB at most): a peer that reads nothing for this long is gone.
constexpr auto kWriteTimeout = std::chrono::seconds(30);
// Back-off after an accept error (EMFILE and the like), so the accept loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// At most one "refused N connections" log line this often: a flood must not flood the log.
constexpr auto kRefusalLogInterval = std::chrono::seconds(1);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

bool IEquals(std::string_view a, std::string_view b) {
  return federation::AsciiLower(a) == federation::AsciiLower(b);
}

bool HasControlChars(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

// RFC 9110 token: what a field name may be made of.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string FormatEndpoint(const net::ip::address& address, uint16_t port) {
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

std::string RemoteAddress(const tcp::socket& socket) {
  ErrorCode ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "";
  net::ip::address address = ep.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  return address.to_string();
}

using BeastResponse = http::response<http::string_body>;

BeastResponse ErrorResponse(unsigned status, std::string text) {
  BeastResponse res;
  res.version(11);
  res.result(status);
  res.set(http::field::server, "cloudschool");
  res.set(http::field::date, cs::FormatHttpDate(cs::SystemClock::Instance().NowSeconds()));
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(text);
  res.content_length(res.body().size());
  res.keep_alive(false);
  return res;
}

// Converts the handler's response. Sets *close when the handler asked for "Connection: close".
BeastResponse ToBeastResponse(federation::HttpResponse r, unsigned version, bool head,
                              bool* close) {
  if (r.status < 200 || r.status > 999) {
    Log(LogLevel::kError, "handler returned status " + std::to_string(r.status) + "; sending 500");
    r = federation::HttpResponse{500, {}, "internal server error\n"};
  }
  BeastResponse res;
  res.version(version);
  res.result(static_cast<unsigned>(r.status));
  std::string handler_length;
  for (const auto& [name, value] : r.headers.items) {
    if (!IsToken(name) || HasControlChars(value)) {
      Log(LogLevel::kWarn, "dropping malformed response header \"" + name + "\"");
      continue;
    }
    std::string lower = federation::AsciiLower(name);
    // Framing is ours to decide.
    if (lower == "content-length") handler_length = value;
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "keep-alive") continue;
    if (lower == "connection") {
      if (federation::AsciiLower(value).find("close") != std::string::npos) *close = true;
      continue;
    }
    res.insert(beast::string_view(name.data(), name.size()),
               beast::string_view(value.data(), value.size()));
  }
  if (!r.headers.Has("date"))
    res.set(http::field::date, cs::FormatHttpDate(cs::SystemClock::Instance().NowSeconds()));
  if (!r.headers.Has("server")) res.set(http::field::server, "cloudschool");
  bool bodiless = r.status == 204 || r.status == 304;
  if (!bodiless) {
    res.content_length(r.body.size());  // for HEAD: the length a GET would have sent
    // A handler that answers HEAD itself may leave the body out and state the length.
    if (head && r.body.empty() && IsDigits(handler_length))
      res.set(http::field::content_length, handler_length);
    if (!head) res.body() = std::move(r.body);
  }
  return res;
}

class SessionBase;

// Everything one Start() creates; destroyed by Stop(). Member order matters: sessions may be
// destroyed while `pool` and `ioc` are torn down, and their destructors use `mu` and `sessions`.
struct Runtime {
  Runtime(const ServerOptions& o, const Handler& h)
      : options(o),
        handler(h),
        acceptor(net::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        work(net::make_work_guard(ioc)),
        pool(static_cast<size_t>(o.handler_threads)) {}

  const ServerOptions options;
  const Handler handler;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};

  std::mutex mu;
  std::condition_variable cv;  // signalled when `busy` drops
  int busy = 0;                // guarded by mu: requests between first byte and response written
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;  // guarded by mu
  // Guarded by mu: live connections per client address (RemoteAddress); no entry means 0.
  std::unordered_map<std::string, size_t> per_ip;

  // Refusals not logged yet (at most one line per kRefusalLogInterval); acceptor's strand only.
  size_t refused_global = 0, refused_per_ip = 0;
  std::string last_refused;
  std::chrono::steady_clock::time_point last_refusal_log =
      std::chrono::steady_clock::now() - std::chrono::hours(1);

  std::optional<ssl::context> tls;
  net::io_context ioc;
  tcp::acceptor acceptor;        // on its own strand
  net::steady_timer accept_retry;  // on the acceptor's strand
  // Keeps ioc.run() from returning while every connection waits on the handler pool.
  net::executor_work_guard<net::io_context::executor_type> work;
  net::thread_pool pool;  // the handler threads
  std::vector<std::thread> io_threads;
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called from Stop(): an idle connection closes now, a busy one after its response.
  virtual void NotifyStop() = 0;
};

federation::HttpResponse CallHandler(Runtime& rt, const federation::HttpRequest& req) {
  try {
    return rt.handler(req);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "handler threw on " + req.method + " " + req.target + " from " +
                              req.remote_address + ": " + e.what());
  } catch (...) {
    Log(LogLevel::kError, "handler threw a non-exception on " + req.method + " " + req.target +
                              " from " + req.remote_address);
  }
  federation::HttpResponse res;
  res.status = 500;
  res.headers.Set("content-type", "text/plain; charset=utf-8");
  res.body = "internal server error\n";
  return res;
}

// One connection. Stream is beast::tcp_stream (plain) or beast::ssl_stream<beast::tcp_stream>.
// All members are touched only on the connection's strand.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <class... StreamArgs>
  Session(Runtime& rt, std::string remote, StreamArgs&&... stream_args)
      : rt_(rt), stream_(std::forward<StreamArgs>(stream_args)...), remote_(std::move(remote)) {
    std::lock_guard<std::mutex> lock(rt_.mu);
    ++rt_.connections;
    ++rt_.per_ip[remote_];
  }

  ~Session() override {
    std::lock_guard<std::mutex> lock(rt_.mu);
    if (busy_) {
      --rt_.busy;
      rt_.cv.notify_all();
    }
    rt_.sessions.erase(this);
    --rt_.connections;
    auto it = rt_.per_ip.find(remote_);
    if (it != rt_.per_ip.end() && --it->second == 0) rt_.per_ip.erase(it);
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->Lowest().expires_after(self->RequestDeadline());
      if constexpr (kTls) {
        self->stream_.async_handshake(ssl::stream_base::server, [self](ErrorCode ec) {
          if (ec) {
            Log(LogLevel::kDebug, "TLS handshake with " + self->remote_ + " failed: " + ec.message());
            return self->Close(CloseMode::kAbort);
          }
          self->WaitForRequest(true);
        });
      } else {
        self->WaitForRequest(true);
      }
    });
  }

  void NotifyStop() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->state_ == State::kIdle) self->Lowest().cancel();
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };
  enum class CloseMode { kAbort, kGraceful };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::seconds RequestDeadline() const {
    return std::chrono::seconds(rt_.options.request_deadline_seconds);
  }

  void SetBusy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    std::lock_guard<std::mutex> lock(rt_.mu);
    if (busy) {
      ++rt_.busy;
    } else {
      --rt_.busy;
      rt_.cv.notify_all();
    }
  }

  // Waits for the first byte of the next request (the idle phase).
  void WaitForRequest(bool first) {
    state_ = State::kIdle;
    if (rt_.stopping) return Close(CloseMode::kGraceful);
    if (buffer_.size() > 0) return BeginRequest(first);  // pipelined
    if (!first) Lowest().expires_after(std::chrono::seconds(rt_.options.idle_keepalive_seconds));
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = this->shared_from_this(), first](
                                                             ErrorCode ec, size_t n) {
      self->buffer_.commit(n);
      if (ec && n == 0) return self->Close(CloseMode::kAbort);  // idle close, timeout, Stop()
      self->BeginRequest(first);
    });
  }

  void BeginRequest(bool first) {
    if (!first) Lowest().expires_after(RequestDeadline());  // the first one counts from accept
    SetBusy(true);
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(rt_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(rt_.options.body_limit));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](ErrorCode ec, size_t) {
                              if (ec) return self->OnReadError(ec);
                              self->OnHeader();
                            });
  }

  void OnHeader() {
    const auto& req = parser_->get();
    // RFC 9112 section 3.2: exactly one Host in HTTP/1.1. Our URLs (and so signature checks)
    // are built from it when public_authority is not configured.
    if (req.version() >= 11 && req.count(http::field::host) != 1)
      return SendError(400, "exactly one Host header is required\n");
    if (!parser_->is_done() && req.version() >= 11 &&
        IEquals(Sv(req[http::field::expect]), "100-continue")) {
      // The header passed every check (a too-large Content-Length already failed with 413).
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](ErrorCode ec, size_t) {
                         if (ec) return self->Close(CloseMode::kAbort);
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](ErrorCode ec, size_t) {
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch();
                     });
  }

  void OnReadError(ErrorCode ec) {
    if (ec == http::error::body_limit) return SendError(413, "request body too large\n");
    if (ec == http::error::header_limit) return SendError(431, "request header too large\n");
    if (ec == beast::error::timeout) {
      Log(LogLevel::kDebug, "request from " + remote_ + " not complete within " +
                                std::to_string(rt_.options.request_deadline_seconds) +
                                " s; closing");
      return Close(CloseMode::kAbort);
    }
    if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      Log(LogLevel::kDebug, "bad request from " + remote_ + ": " + ec.message());
      return SendError(400, "bad request\n");
    }
    Close(CloseMode::kAbort);  // the peer went away mid-request
  }

  void Dispatch() {
    state_ = State::kHandling;
    http::request<http::string_body> msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();

    federation::HttpRequest req;
    req.method = Sv(msg.method_string());
    for (char& c : req.method)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    head_ = req.method == "HEAD";
    req.scheme = rt_.options.public_scheme;
    req.authority = rt_.options.public_authority.empty() ? std::string(Sv(msg[http::field::host]))
                                                         : rt_.options.public_authority;
    req.target = Sv(msg.target());
    for (const auto& field : msg)
      req.headers.items.emplace_back(federation::AsciiLower(Sv(field.name_string())),
                                     std::string(Sv(field.value())));
    req.body = std::move(msg.body());
    req.remote_address = remote_;

    Lowest().expires_never();
    net::post(rt_.pool, [self = this->shared_from_this(), req = std::move(req)] {
      federation::HttpResponse res = CallHandler(self->rt_, req);
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable {
        self->WriteResponse(std::move(res));
      });
    });
  }

  void WriteResponse(federation::HttpResponse r) {
    state_ = State::kWriting;
    bool close = !keep_alive_ || rt_.stopping;
    response_.emplace(ToBeastResponse(std::move(r), version_, head_, &close));
    response_->keep_alive(!close);
    Lowest().expires_after(kWriteTimeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), close](ErrorCode ec, size_t) {
                        self->response_.reset();
                        self->SetBusy(false);
                        if (ec) return self->Close(CloseMode::kAbort);
                        if (close) return self->Close(CloseMode::kGraceful);
                        self->WaitForRequest(false);
                      });
  }

  // Answers a request the server refused by itself, then closes.
  void SendError(unsigned status, std::string text) {
    state_ = State::kWriting;
    response_.emplace(ErrorResponse(status, std::move(text)));
    Lowest().expires_after(kWriteTimeout);
    http::async_write(stream_, *response_, [self = this->shared_from_this()](ErrorCode ec, size_t) {
      self->response_.reset();
      self->SetBusy(false);
      self->Close(ec ? CloseMode::kAbort : CloseMode::kGraceful);
    });
  }

  void Close(CloseMode mode) {
    state_ = State::kClosing;
    SetBusy(false);
    ErrorCode ignored;
    if (mode == CloseMode::kAbort) {
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
      Lowest().close();
      return;
    }
    if constexpr (kTls) {
      Lowest().expires_after(kTlsShutdownTime);
      stream_.async_shutdown([self = this->shared_from_this()](ErrorCode) {
        self->Lowest().close();
      });
    } else {
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(kLingerTime);
      lingered_ = 0;
      Drain();
    }
  }

  // Plain HTTP only: reads and discards until the peer closes or the linger bounds are reached.
  void Drain() {
    Lowest().async_read_some(net::buffer(drain_), [self = this->shared_from_this()](ErrorCode ec,
                                                                                    size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ >= kLingerBytes) return self->Lowest().close();
      self->Drain();
    });
  }

  Runtime& rt_;
  Stream stream_;
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<BeastResponse> response_;
  State state_ = State::kIdle;
  bool busy_ = false;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
  size_t lingered_ = 0;
  std::array<char, 8192> drain_{};
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;

void DoAccept(Runtime& rt);

// Over max_connections or max_connections_per_ip: a best-effort 503 on plain HTTP (a TLS peer
// cannot read one without a handshake we do not want to spend on it), then close.
void Reject(Runtime& rt, tcp::socket& socket, std::string_view body) {
  ErrorCode ignored;
  if (!rt.tls) {
    std::string response =
        "HTTP/1.1 503 Service Unavailable\r\nServer: cloudschool\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
    socket.non_blocking(true, ignored);
    socket.send(net::buffer(response), 0, ignored);
  }
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

// Logs the refusals counted since the last such line, if there are any and kRefusalLogInterval has
// passed (or `now_anyway`). On the acceptor's strand.
void LogRefusals(Runtime& rt, bool now_anyway = false) {
  size_t total = rt.refused_global + rt.refused_per_ip;
  if (total == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (!now_anyway && now - rt.last_refusal_log < kRefusalLogInterval) return;
  rt.last_refusal_log = now;
  std::string line =
      "refused " + std::to_string(total) + " connection(s) since the last such line:";
  if (rt.refused_per_ip > 0)
    line += " " + std::to_string(rt.refused_per_ip) + " from an address with " +
            std::to_string(rt.options.max_connections_per_ip) +
            " connections open (max_connections_per_ip)";
  if (rt.refused_global > 0)
    line += std::string(rt.refused_per_ip > 0 ? "," : "") + " " +
            std::to_string(rt.refused_global) + " with " +
            std::to_string(rt.options.max_connections) + " connections open (max_connections)";
  line += "; the last from " + rt.last_refused;
  Log(LogLevel::kWarn, line);
  rt.refused_global = rt.refused_per_ip = 0;
}

void OnAccept(Runtime& rt, ErrorCode ec, tcp::socket socket) {
  if (!rt.acceptor.is_open()) return;  // Stop() closed it
  if (ec) {
    Log(LogLevel::kWarn, "accept failed: " + ec.message());
    rt.accept_retry.expires_after(kAcceptRetryDelay);
    rt.accept_retry.async_wait([&rt](ErrorCode e) {
      if (!e && rt.acceptor.is_open()) DoAccept(rt);
    });
    return;
  }
  std::string remote = RemoteAddress(socket);
  // Only this strand adds connections, so the counts cannot grow between this check and the
  // Session constructor that counts the new one.
  bool over_per_ip = false, over_global = false;
  {
    std::lock_guard<std::mutex> lock(rt.mu);
    if (rt.options.max_connections_per_ip > 0) {
      auto it = rt.per_ip.find(remote);
      over_per_ip = it != rt.per_ip.end() && it->second >= rt.options.max_connections_per_ip;
    }
    over_global = !over_per_ip && rt.connections.load() >= rt.options.max_connections;
  }
  if (over_per_ip || over_global) {
    ++(over_per_ip ? rt.refused_per_ip : rt.refused_global);
    rt.last_refused = remote;
    Reject(rt, socket,
           over_per_ip ? "too many connections from your address\n" : "server at capacity\n");
  } else {
    std::shared_ptr<SessionBase> base;
    if (rt.tls) {
      auto session = std::make_shared<TlsSession>(rt, remote, std::move(socket), *rt.tls);
      base = session;
      session->Run();
    } else {
      auto session = std::make_shared<PlainSession>(rt, remote, std::move(socket));
      base = session;
      session->Run();
    }
    std::lock_guard<std::mutex> lock(rt.mu);
    rt.sessions.emplace(base.get(), base);
  }
  LogRefusals(rt);
  DoAccept(rt);
}

void DoAccept(Runtime& rt) {
  rt.acceptor.async_accept(net::make_strand(rt.ioc), [&rt](ErrorCode ec, tcp::socket socket) {
    OnAccept(rt, ec, std::move(socket));
  });
}

void RunIo(Runtime& rt) {
  for (;;) {
    try {
      rt.ioc.run();
      return;
    } catch (const std::exception& e) {
      Log(LogLevel::kError, std::string("exception on an I/O thread: ") + e.what());
    } catch (...) {
      Log(LogLevel::kError, "non-exception thrown on an I/O thread");
    }
  }
}

cs::Status ValidateOptions(const ServerOptions& o) {
  if (o.io_threads < 1 || o.handler_threads < 1)
    return cs::Status::InvalidInput("io_threads and handler_threads must be at least 1");
  if (o.request_deadline_seconds < 1 || o.idle_keepalive_seconds < 1)
    return cs::Status::InvalidInput(
        "request_deadline_seconds and idle_keepalive_seconds must be at least 1");
  if (o.header_limit < 64 || o.max_connections < 1)
    return cs::Status::InvalidInput("header_limit or max_connections too small");
  if (o.tls_cert_file.empty() != o.tls_key_file.empty())
    return cs::Status::InvalidInput("tls_cert_file and tls_key_file must be set together");
  return cs::Status::Ok();
}

cs::Status SetUpTls(const ServerOptions& o, std::optional<ssl::context>& tls) {
  tls.emplace(ssl::context::tls_server);
  ssl::context& ctx = *tls;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ErrorCode ec;
  ctx.use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec)
    return cs::Status::IOError("cannot load TLS certificate " + o.tls_cert_file + ": " +
                               ec.message());
  ctx.use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
  if (ec)
    return cs::Status::IOError("cannot load TLS key " + o.tls_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return cs::Status::InvalidInput("TLS key " + o.tls_key_file + " does not match certificate " +
                                    o.tls_cert_file);
  return cs::Status::Ok();
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Handler handler;
  std::mutex start_stop_mu;
  std::unique_ptr<Runtime> rt;  // guarded by start_stop_mu
  std::atomic<uint16_t> port{0};
};

HttpServer::HttpServer(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port.load(); }

cs::Status HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->start_stop_mu);
  if (impl_->rt) return cs::Status::Conflict("server already started");
  const ServerOptions& o = impl_->options;
  CS_RETURN_IF_ERROR(ValidateOptions(o));
  ErrorCode ec;
  net::ip::address address = net::ip::make_address(o.listen_address, ec);
  if (ec) return cs::Status::InvalidInput("bad listen_address \"" + o.listen_address + "\"");
  const std::string where = FormatEndpoint(address, o.port);

  auto rt = std::make_unique<Runtime>(o, impl_->handler);
  if (!o.tls_cert_file.empty()) CS_RETURN_IF_ERROR(SetUpTls(o, rt->tls));

  tcp::endpoint endpoint(address, o.port);
  rt->acceptor.open(endpoint.protocol(), ec);
  if (!ec) rt->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) rt->acceptor.bind(endpoint, ec);
  if (!ec) rt->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return cs::Status::IOError("cannot listen on " + where + ": " + ec.message());
  uint16_t bound = rt->acceptor.local_endpoint(ec).port();
  if (ec) return cs::Status::IOError("cannot listen on " + where + ": " + ec.message());

  DoAccept(*rt);  // no I/O thread runs yet, so this is safe off the acceptor's strand
  for (int i = 0; i < o.io_threads; ++i) rt->io_threads.emplace_back(RunIo, std::ref(*rt));
  impl_->port = bound;
  impl_->rt = std::move(rt);
  Log(LogLevel::kInfo, std::string("listening on ") + (o.tls_cert_file.empty() ? "http" : "https") +
                           "://" + FormatEndpoint(address, bound));
  return cs::Status::Ok();
}

void HttpServer::Stop(int grace_seconds) {
  std::lock_guard<std::mutex> lock(impl_->start_stop_mu);
  if (!impl_->rt) return;
  Runtime& rt = *impl_->rt;
  rt.stopping = true;

  // 1. Stop accepting: after this, connecting gets ECONNREFUSED.
  std::promise<void> closed;
  net::post(rt.acceptor.get_executor(), [&rt, &closed] {
    ErrorCode ignored;
    rt.acceptor.close(ignored);
    rt.accept_retry.cancel();
    LogRefusals(rt, true);
    closed.set_value();
  });
  closed.get_future().wait();

  // 2. Idle connections close now; busy ones close after their response.
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard<std::mutex> guard(rt.mu);
    for (auto& [ptr, weak] : rt.sessions)
      if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  for (auto& session : live) session->NotifyStop();
  live.clear();

  // 3. Let requests in flight finish.
  int abandoned = 0;
  {
    std::unique_lock<std::mutex> guard(rt.mu);
    rt.cv.wait_for(guard, std::chrono::seconds(std::max(grace_seconds, 0)),
                   [&rt] { return rt.busy == 0; });
    abandoned = rt.busy;
  }
  if (abandoned > 0)
    Log(LogLevel::kWarn, "stopping with " + std::to_string(abandoned) +
                             " request(s) still in flight after " + std::to_string(grace_seconds) +
                             " s");

  // 4. Close everything and join. Handlers still running finish; their responses are dropped.
  rt.work.reset();
  rt.ioc.stop();
  for (std::thread& t : rt.io_threads) t.join();
  rt.pool.stop();
  rt.pool.join();
  impl_->rt.reset();
  impl_->port = 0;
  Log(LogLevel::kInfo, "HTTP server stopped");
}

}  // namespace node

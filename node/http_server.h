// HttpServer: the node's HTTP/1.1 (optionally TLS) front door. It reads requests with limits and a
// deadline on Asio I/O threads, hands each complete request to a handler thread pool as a plain
// federation::HttpRequest, and writes the handler's federation::HttpResponse back.
//
// Threads: `io_threads` run all socket I/O and never call the handler; `handler_threads` call the
// handler (which may block briefly: an LMDB transaction, a short key fetch). The handler must be
// thread-safe; it may be called concurrently from every handler thread.
//
// What the server does on its own, before or after the handler:
//   - body larger than body_limit -> 413 (a too-large Content-Length is refused before any body is
//     read; a chunked body is cut off at the limit); header block over header_limit -> 431;
//     unparseable request -> 400; each of these closes the connection.
//   - a request that has not fully arrived request_deadline_seconds after its first byte (or after
//     accept, for the first request) is dropped: slowloris protection.
//   - keep-alive, "Connection: close", HEAD (same headers as GET, no body), "Expect: 100-continue".
//   - the response gets Content-Length, and Date and "Server: cloudschool" unless the handler set
//     them; a handler that throws gives a 500 and an ERROR log line.
//   - beyond max_connections in all, or max_connections_per_ip from one client address, a new
//     connection gets a 503 (plain HTTP) or is closed (TLS). A refused connection is not counted.
//     Refusals are logged at most once a second, as a count.
//
// Implementation (Boost.Beast) lives only in http_server.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "federation/http_message.h"
#include "store/status.h"

namespace node {

struct ServerOptions {
  std::string listen_address = "127.0.0.1";  // IPv4 or IPv6 literal
  uint16_t port = 8080;                       // 0 = pick a free one (tests); see port()
  // Both set -> HTTPS in-process (TLS 1.2+), certificate chain and key in PEM; neither -> plain
  // HTTP. Only one set is a configuration error (Start returns kInvalidInput).
  std::string tls_cert_file, tls_key_file;
  std::string public_scheme = "https";  // copied into HttpRequest::scheme
  // Copied into HttpRequest::authority (the node's configured host[:port]); when empty, the Host
  // header is used.
  std::string public_authority;
  size_t body_limit = 1 << 20;         // bytes of request body
  size_t header_limit = 16 * 1024;     // bytes of request line + header fields
  int request_deadline_seconds = 15;   // the whole request (headers + body) must arrive in this time
  int idle_keepalive_seconds = 30;     // an idle keep-alive connection is closed after this
  int io_threads = 1;
  int handler_threads = 4;
  size_t max_connections = 1024;
  // Live connections from one client address (the address only, not the port; an IPv4-mapped IPv6
  // address counts as the IPv4 one), so one client cannot take every slot. 0 = no cap. Behind a
  // reverse proxy every connection comes from the proxy's address: raise it or set 0 there.
  size_t max_connections_per_ip = 64;
};

using Handler = std::function<federation::HttpResponse(const federation::HttpRequest&)>;

// Owns its threads and sockets. Start and Stop are thread-safe and may be called from any thread
// except a handler thread (Stop from a handler would wait for itself). A stopped server may be
// started again.
class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. kIOError when the address cannot be bound ("cannot
  // listen on 127.0.0.1:8080: Address already in use") or the TLS files cannot be loaded;
  // kInvalidInput for a bad address or options; kConflict when already started.
  cs::Status Start();

  // The bound port (the chosen one when options.port was 0); 0 when not started.
  uint16_t port() const;

  // Graceful: stops accepting (new connections are refused), closes idle keep-alive connections,
  // lets requests in flight finish (up to `grace_seconds`; each closes after its response), then
  // closes everything and joins the threads. A handler still running after the grace period is
  // waited for (threads cannot be killed); its response is discarded. No-op when not started.
  void Stop(int grace_seconds = 10);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace node

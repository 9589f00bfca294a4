// HttpClient: the one way federation/ talks to other servers (fetches, deliveries, WebFinger).
// It sends exactly the request it is given (the caller signs first), refuses non-public
// destinations after DNS resolution (BR-20), caps response size and time (BR-27.4), follows
// redirects by hand with re-validation, and fans deliveries out through one curl multi handle so
// a dead host costs only its own timeout (BR-25).
//
// Thread-safe: every call uses its own easy handles; idle connections are kept between calls in a
// small pool of multi handles that one call at a time borrows (see http_client.cc for why).
// Make one client per process and share it: construction is cheap, but the first TLS connection
// builds the client's trust store (system CAs + ca_file, ~0.1 s) and every later one reuses it,
// as they reuse pooled keep-alive connections.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "federation/address_guard.h"
#include "federation/http_message.h"
#include "store/status.h"

namespace federation {

struct HttpClientState;  // defined in http_client.cc

struct HttpClientOptions {
  // Judges every peer address after DNS; the default refuses all non-public addresses.
  AddressGuard guard;
  // Extra CA certificates (PEM) trusted for outbound TLS in addition to the system store; tests
  // pass the CA they made. Empty: the system store only.
  std::string ca_file;
  // http:// only in dev mode (node init --http); otherwise http URLs -> kForbidden.
  bool allow_http = false;
  // A peer that takes 5 s to accept a connection is treated as down; 15 s covers a slow signed
  // fetch (the remote may itself fetch our key) while bounding how long a caller waits.
  long connect_timeout_ms = 5000, total_timeout_ms = 15000;
  // Abort a response trickling below 1 KiB/s for 5 s (BR-27.4: 2 GiB at 1 KiB/s).
  long low_speed_limit_bytes = 1024, low_speed_time_s = 5;
  // ActivityPub documents are small; 2 MiB leaves room for large collections pages. Enforced while
  // reading (Content-Length up front, the write callback as bytes arrive) -> kTooLarge.
  size_t max_response_bytes = 2 << 20;
  // Followed manually for GET/HEAD only; each hop re-validated (scheme, userinfo, address).
  int max_redirects = 3;
  // CURLOPT_RESOLVE entries "host:port:addr" (tests control name resolution). The guard still
  // judges the address.
  std::vector<std::string> resolve;
  std::string user_agent = "cloudschool/0.1";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends request.method to request.Url() with exactly the given headers and body: Host is the
  // request's "host" header or else request.authority verbatim; curl adds only Content-Length (and
  // User-Agent when the request has none), never Accept, Accept-Encoding, Expect or a form
  // Content-Type. Any HTTP status is a successful Result, with lower-cased response headers and
  // "x-final-url" set to the URL that answered. GET/HEAD follow up to max_redirects redirects;
  // on a cross-origin hop authorization, cookie, signature and signature-input are dropped.
  // Errors: kInvalidInput (bad URL, method or header), kForbidden (http:// outside dev mode,
  // address not allowed, too many redirects, redirect to a refused URL), kTooLarge (response
  // over max_response_bytes), kUnavailable (connect/TLS failures, timeouts; curl's message),
  // kInternal (unreadable ca_file).
  cs::Result<HttpResponse> Execute(const HttpRequest& request) const;

  // Sends many requests at once through one curl multi handle: at most `max_parallel` in flight,
  // at most `per_host` per origin (scheme, host, port). No redirects. Results in request order,
  // each as Execute would return it. When a request fails before any byte of it was sent
  // (refused, unresolvable, connect or TLS-handshake timeout, TLS failure, forbidden address),
  // the requests to that origin still queued fail at once with the same code ("not attempted,
  // ..."), so a dead host costs one timeout, not one per queued request.
  // `on_done`, when given, is called on the calling thread as soon as each request's result is
  // known (with its index), so a caller can act on quick answers while a slow host is pending.
  using DoneCallback = std::function<void(size_t index, const cs::Result<HttpResponse>& result)>;
  // `ready`, when given, lets the caller finish the requests (sign them) while the first ones
  // are already on the wire: request i is read and queued only once ready(i) says kSend (kDrop:
  // not sent, its result is kInternal "not sent"), in index order, so a request that is not ready
  // holds back those after it. ready is called on the calling thread; while it answers kWait the
  // call looks again every millisecond. The caller must publish request i (with release order)
  // before ready(i) can say kSend.
  enum class Readiness { kWait, kSend, kDrop };
  using ReadyCallback = std::function<Readiness(size_t index)>;
  std::vector<cs::Result<HttpResponse>> ExecuteMany(const std::vector<HttpRequest>& requests,
                                                    int max_parallel = 64, int per_host = 4,
                                                    const DoneCallback& on_done = {},
                                                    const ReadyCallback& ready = {}) const;

  const HttpClientOptions& options() const;

 private:
  std::unique_ptr<HttpClientState> state_;
};

}  // namespace federation

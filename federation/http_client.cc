#include "federation/http_client.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "federation/url.h"

// Connection reuse, measured and decided (HttpClientTest.DISABLED_BenchmarkExecuteMany):
//  * A CURLSH sharing the connection cache would let every call reuse every idle connection, but
//    libcurl documents CURL_LOCK_DATA_CONNECT as not safe between concurrent threads (a known
//    bug), and Execute is called from several handler threads at once. So the share holds only the
//    DNS cache and TLS sessions (safe with the lock callbacks below).
//  * Idle connections live in curl multi handles instead. The client keeps a small pool of them;
//    each call (Execute or ExecuteMany) borrows one for its whole duration, so one thread at a time
//    uses a multi handle and its connection cache, and returns it when done. A pool of easy
//    handles would only help Execute, not the multi-handle fan-out.
//  * Measured on loopback, plain HTTP, 20 batches of 256 POSTs to 16 hosts, 2 busy cores: the
//    pooled multi made 64 connections and ran 12,000-15,000 requests/s; a fresh multi per batch
//    made 1,280 connections and ran 1,900-4,000 requests/s. Over the Internet with TLS each saved
//    connection is also a handshake (one or two round trips), so the gap only grows.

namespace federation {
namespace {

struct CurlEasyFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlMultiFree {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct CurlShareFree {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};
struct CurlSlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct X509StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiFree>;
using CurlShare = std::unique_ptr<CURLSH, CurlShareFree>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreFree>;

// Response headers beyond this are refused (kTooLarge): real servers send a few KiB.
constexpr size_t kMaxHeaderBytes = 64 * 1024;
// Multi handles kept idle between calls, and idle connections each keeps: enough for a few
// concurrent callers and a fan-out to the instances a school talks to most.
constexpr size_t kMaxIdleMultis = 8;
constexpr long kMaxIdleConnectionsPerMulti = 64;
// How long one curl_multi_poll waits at most; curl wakes earlier for its own timers.
constexpr int kPollMs = 1000;

void EnsureCurlGlobalInit() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

// Appends a line to an owned curl list; false (list unchanged) when out of memory.
bool Appends(CurlSlist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  (void)list.release();  // same head, or the new head of a list that was empty
  list.reset(grown);
  return true;
}

// One transfer: an easy handle and what its callbacks collect. Callbacks get its address, so a
// Transfer lives in a unique_ptr and never moves while curl uses it.
struct Transfer {
  CurlEasy easy;
  CurlSlist headers;
  std::string method;
  std::string url;  // canonical URL handed to curl
  std::string key;  // origin, for the per-host cap in ExecuteMany
  HttpResponse response;
  const AddressGuard* guard = nullptr;
  size_t max_body = 0;
  size_t header_bytes = 0;
  bool too_large = false;
  std::string refused_address;
  char error[CURL_ERROR_SIZE] = {};
};

curl_socket_t OnOpenSocket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN || !t->guard->IsAllowed(&address->addr)) {
    cs::Result<IpAddress> ip = FromSockaddr(&address->addr);
    t->refused_address = ip.ok() ? ip->ToString() : "(non-IP address)";
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

size_t OnHeader(char* data, size_t size, size_t count, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  size_t len = size * count;
  t->header_bytes += len;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->too_large = true;
    return 0;
  }
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  auto& items = t->response.headers.items;
  if (line.substr(0, 5) == "HTTP/") {
    items.clear();  // a new response (after 1xx) starts
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!items.empty()) {  // obsolete line folding: continue the previous value
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      items.back().second.append(" ").append(line);
    }
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    items.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  }
  return len;
}

size_t OnBody(char* data, size_t size, size_t count, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  size_t len = size * count;
  if (len > t->max_body - t->response.body.size()) {
    t->too_large = true;
    return 0;  // curl aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsSafeHeaderValue(std::string_view v) {
  for (char c : v)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string TimeLimitText(long ms) { return std::to_string(ms) + " ms"; }

}  // namespace

struct HttpClientState {
  HttpClientOptions options;
  cs::Status init_status;
  CurlSlist resolve;
  CurlShare share;
  std::mutex share_locks[CURL_LOCK_DATA_LAST];
  std::vector<X509Ptr> extra_cas;
  std::string system_ca_file, system_ca_path;  // where this libcurl looks by default
  // One trust store per client (system CAs + extra_cas), built on first TLS use and handed to
  // every TLS connection. Left to itself, libcurl 7.88 parses the whole system bundle again for
  // each new connection once an SSL_CTX callback is set (about 170 ms each here, measured); the
  // shared store makes that once per client. X509_STORE is internally locked: safe to share.
  mutable std::once_flag store_once;
  mutable X509StorePtr store;
  std::mutex pool_mu;
  std::vector<CurlMulti> idle_multis;

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* userp) {
    static_cast<HttpClientState*>(userp)->share_locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* userp) {
    static_cast<HttpClientState*>(userp)->share_locks[data].unlock();
  }

  X509_STORE* TrustStore() const {
    std::call_once(store_once, [this] {
      X509StorePtr built(X509_STORE_new());
      if (!built) return;
      bool loaded = false;
      if (!system_ca_file.empty())
        loaded |= X509_STORE_load_file(built.get(), system_ca_file.c_str()) == 1;
      if (!system_ca_path.empty())
        loaded |= X509_STORE_load_path(built.get(), system_ca_path.c_str()) == 1;
      if (!loaded) X509_STORE_set_default_paths(built.get());
      for (const X509Ptr& cert : extra_cas) X509_STORE_add_cert(built.get(), cert.get());
      ERR_clear_error();
      store = std::move(built);
    });
    return store.get();
  }

  // Gives a new TLS connection the client's trust store (curl loads none itself, see Prepare).
  static CURLcode OnSslContext(CURL*, void* ssl_ctx, void* userp) {
    X509_STORE* trust = static_cast<const HttpClientState*>(userp)->TrustStore();
    if (trust == nullptr) return CURLE_OUT_OF_MEMORY;
    SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(ssl_ctx), trust);
    return CURLE_OK;
  }

  cs::Status LoadExtraCas(const std::string& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
      ERR_clear_error();
      return cs::Status::Internal("http client: cannot read ca_file " + path);
    }
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
      extra_cas.emplace_back(cert);
    ERR_clear_error();  // the loop ends with a "no start line" error
    if (extra_cas.empty()) return cs::Status::Internal("http client: no certificate in " + path);
    return cs::Status::Ok();
  }
};

namespace {

using State = HttpClientState;

// Borrows an idle multi handle from the client's pool (or makes one) for one call, and gives it
// back with its idle connections when the call ends.
class MultiLease {
 public:
  explicit MultiLease(State* state) : state_(state) {
    {
      std::lock_guard<std::mutex> lock(state_->pool_mu);
      if (!state_->idle_multis.empty()) {
        multi_ = std::move(state_->idle_multis.back());
        state_->idle_multis.pop_back();
      }
    }
    if (!multi_) {
      multi_.reset(curl_multi_init());
      if (multi_)
        curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, kMaxIdleConnectionsPerMulti);
    }
  }
  ~MultiLease() {
    if (!multi_) return;
    std::lock_guard<std::mutex> lock(state_->pool_mu);
    if (state_->idle_multis.size() < kMaxIdleMultis)
      state_->idle_multis.push_back(std::move(multi_));
  }
  MultiLease(const MultiLease&) = delete;
  MultiLease& operator=(const MultiLease&) = delete;
  CURLM* get() const { return multi_.get(); }

 private:
  State* state_;
  CurlMulti multi_;
};

// Builds a transfer for one hop. `host` is the Host header value to send.
cs::Result<std::unique_ptr<Transfer>> Prepare(const State& st, const Url& url,
                                              const std::string& method, const HttpHeaders& headers,
                                              const std::string& host, const std::string& body,
                                              long timeout_ms) {
  const HttpClientOptions& opt = st.options;
  if (url.scheme == "http" && !opt.allow_http)
    return cs::Status::Forbidden("http:// refused outside dev mode: " + url.WithoutFragment());
  if (cs::Result<IpAddress> literal = ParseIpAddress(url.host);
      literal.ok() && !opt.guard.IsAllowed(*literal))
    return cs::Status::Forbidden("address not allowed: " + literal->ToString());
  if (!IsToken(method)) return cs::Status::InvalidInput("bad HTTP method: " + method);
  if (!IsSafeHeaderValue(host) || !IsSafeHeaderValue(opt.user_agent))
    return cs::Status::InvalidInput("bad Host or User-Agent header");

  auto t = std::make_unique<Transfer>();
  t->method = method;
  t->url = url.WithoutFragment();
  t->key = url.Origin();
  t->guard = &opt.guard;
  t->max_body = opt.max_response_bytes;
  t->easy.reset(curl_easy_init());
  if (!t->easy) return cs::Status::Internal("curl_easy_init failed");

  // Exactly the caller's headers. Curl's own defaults are removed ("Name:") or suppressed.
  bool ok = Appends(t->headers, "Host: " + host);
  for (const auto& [name, value] : headers.items) {
    if (name == "host" || name == "content-length" || name == "transfer-encoding" ||
        name == "expect")
      continue;  // Host is above; curl computes the length; we never send Expect
    if (!IsToken(name) || !IsSafeHeaderValue(value))
      return cs::Status::InvalidInput("bad request header: " + name);
    // "Name;" is curl's spelling for a header with an empty value.
    ok = ok && Appends(t->headers, value.empty() ? name + ";" : name + ": " + value);
  }
  if (!headers.Has("accept")) ok = ok && Appends(t->headers, "Accept:");
  if (!headers.Has("content-type")) ok = ok && Appends(t->headers, "Content-Type:");
  if (!headers.Has("user-agent")) ok = ok && Appends(t->headers, "User-Agent: " + opt.user_agent);
  ok = ok && Appends(t->headers, "Expect:");
  if (!ok) return cs::Status::Internal("out of memory building headers");

  CURL* e = t->easy.get();
  curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  const char* protocols = opt.allow_http ? "http,https" : "https";
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");       // never an environment proxy: the guard
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);  // must see the peer; the signed target is sent
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers.get());
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, opt.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, opt.low_speed_limit_bytes);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, opt.low_speed_time_s);
  curl_easy_setopt(e, CURLOPT_SHARE, st.share.get());
  if (st.resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, st.resolve.get());
  if (url.scheme == "https" &&
      curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &State::OnSslContext) == CURLE_OK) {
    curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, const_cast<State*>(&st));
    // The callback installs the client's trust store; curl need not parse the bundle itself.
    curl_easy_setopt(e, CURLOPT_CAINFO, nullptr);
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
  } else if (!st.extra_cas.empty()) {
    return cs::Status::Internal("http client: this libcurl cannot take extra CAs (not OpenSSL)");
  }

  if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    // Refuse a declared Content-Length over the cap before any body arrives.
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(opt.max_response_bytes));
    bool sends_body = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (sends_body) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    if (method != (sends_body ? "POST" : "GET"))
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  return t;
}

// Whether a failed transfer never got to exchange HTTP with the peer: the authority is down,
// unreachable, refused by the guard, or its TLS is broken. Its queued siblings fail fast.
bool FailedBeforeHttp(const Transfer& t, CURLcode rc) {
  if (!t.refused_address.empty()) return true;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return true;
    case CURLE_OPERATION_TIMEDOUT: {
      // Timed out before a byte of the request went out: connect or TLS handshake. (The connect
      // time is no test: it reads 0 on a reused connection too.)
      long request_bytes = 0;
      curl_easy_getinfo(t.easy.get(), CURLINFO_REQUEST_SIZE, &request_bytes);
      return request_bytes == 0;
    }
    default:
      return false;
  }
}

// Turns curl's verdict into the Result callers see.
cs::Result<HttpResponse> Finish(Transfer& t, CURLcode rc) {
  std::string what = t.method + " " + t.url;
  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    t.response.headers.Set("x-final-url", t.url);
    return std::move(t.response);
  }
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return cs::Status::TooLarge(what + ": response over " + std::to_string(t.max_body) +
                                " bytes (or headers over " + std::to_string(kMaxHeaderBytes) + ")");
  if (!t.refused_address.empty())
    return cs::Status::Forbidden("address not allowed: " + t.refused_address);
  std::string message = t.error[0] != '\0' ? t.error : curl_easy_strerror(rc);
  message = what + ": " + message + " (curl " + std::to_string(static_cast<int>(rc)) + ")";
  if (rc == CURLE_URL_MALFORMAT) return cs::Status::InvalidInput(std::move(message));
  if (rc == CURLE_UNSUPPORTED_PROTOCOL) return cs::Status::Forbidden(std::move(message));
  if (rc == CURLE_OUT_OF_MEMORY || rc == CURLE_FAILED_INIT)
    return cs::Status::Internal(std::move(message));
  return cs::Status::Unavailable(std::move(message));
}

// Runs one transfer to completion on a borrowed multi handle (so its connection stays pooled).
CURLcode RunOne(State* st, Transfer& t) {
  MultiLease lease(st);
  CURLM* m = lease.get();
  if (m == nullptr || curl_multi_add_handle(m, t.easy.get()) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode rc = CURLE_FAILED_INIT;
  for (bool done = false; !done;) {
    int running = 0;
    if (curl_multi_perform(m, &running) != CURLM_OK) break;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == t.easy.get()) {
        rc = msg->data.result;
        done = true;
      }
    }
    if (!done && running == 0) break;  // cannot happen; never spin
    if (!done && curl_multi_poll(m, nullptr, 0, kPollMs, nullptr) != CURLM_OK) break;
  }
  curl_multi_remove_handle(m, t.easy.get());
  return rc;
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options) : state_(std::make_unique<HttpClientState>()) {
  EnsureCurlGlobalInit();
  HttpClientState& st = *state_;
  st.options = std::move(options);
  for (const std::string& entry : st.options.resolve)
    if (!Appends(st.resolve, entry)) st.init_status = cs::Status::Internal("out of memory");
  st.share.reset(curl_share_init());
  if (st.share) {
    curl_share_setopt(st.share.get(), CURLSHOPT_LOCKFUNC, &State::Lock);
    curl_share_setopt(st.share.get(), CURLSHOPT_UNLOCKFUNC, &State::Unlock);
    curl_share_setopt(st.share.get(), CURLSHOPT_USERDATA, &st);
    curl_share_setopt(st.share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(st.share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  } else {
    st.init_status = cs::Status::Internal("curl_share_init failed");
  }
  if (!st.options.ca_file.empty() && st.init_status.ok())
    st.init_status = st.LoadExtraCas(st.options.ca_file);
  if (CurlEasy probe{curl_easy_init()}) {
    char* path = nullptr;
    if (curl_easy_getinfo(probe.get(), CURLINFO_CAINFO, &path) == CURLE_OK && path)
      st.system_ca_file = path;
    path = nullptr;
    if (curl_easy_getinfo(probe.get(), CURLINFO_CAPATH, &path) == CURLE_OK && path)
      st.system_ca_path = path;
  }
}

HttpClient::~HttpClient() {
  if (!state_) return;
  // Multi handles (and their connections) go before the share they use.
  state_->idle_multis.clear();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const HttpClientOptions& HttpClient::options() const { return state_->options; }

cs::Result<HttpResponse> HttpClient::Execute(const HttpRequest& request) const {
  HttpClientState* st = state_.get();
  if (!st->init_status.ok()) return st->init_status;
  cs::Result<Url> url = ParseUrl(request.Url());
  if (!url.ok()) return url.status();
  const HttpClientOptions& opt = st->options;
  const bool may_redirect = request.method == "GET" || request.method == "HEAD";
  HttpHeaders headers = request.headers;
  std::string host = headers.Has("host") ? headers.Get("host") : request.authority;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(opt.total_timeout_ms);

  for (int hop = 0;; ++hop) {
    long remaining_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - std::chrono::steady_clock::now())
                                              .count());
    if (remaining_ms <= 0)
      return cs::Status::Unavailable(request.method + " " + request.Url() +
                                     ": redirects took over " +
                                     TimeLimitText(opt.total_timeout_ms));
    cs::Result<std::unique_ptr<Transfer>> t =
        Prepare(*st, *url, request.method, headers, host, request.body, remaining_ms);
    if (!t.ok()) return t.status();
    Transfer& transfer = **t;
    cs::Result<HttpResponse> response = Finish(transfer, RunOne(st, transfer));
    if (!response.ok() || !may_redirect || !IsRedirect(response->status)) return response;

    char* location = nullptr;
    curl_easy_getinfo(transfer.easy.get(), CURLINFO_REDIRECT_URL, &location);
    if (location == nullptr) return response;  // a 3xx without Location is just an answer
    if (hop >= opt.max_redirects)
      return cs::Status::Forbidden("too many redirects (over " + std::to_string(opt.max_redirects) +
                                   ") from " + request.Url());
    cs::Result<Url> next = ParseUrl(location);
    if (!next.ok()) return cs::Status::Forbidden("redirect refused: " + next.status().message());
    if (next->Origin() != url->Origin()) {
      // Credentials and signatures were meant for the first origin only.
      for (const char* name : {"authorization", "cookie", "signature", "signature-input"})
        headers.Remove(name);
    }
    host = next->Authority();
    url = std::move(next);
  }
}

std::vector<cs::Result<HttpResponse>> HttpClient::ExecuteMany(
    const std::vector<HttpRequest>& requests, int max_parallel, int per_host,
    const DoneCallback& on_done, const ReadyCallback& ready) const {
  HttpClientState* st = state_.get();
  const size_t n = requests.size();
  std::vector<std::optional<cs::Result<HttpResponse>>> results(n);
  auto done = [&](size_t i, cs::Result<HttpResponse> result) {
    results[i] = std::move(result);
    if (on_done) on_done(i, *results[i]);
  };
  std::vector<std::unique_ptr<Transfer>> transfers(n);
  std::deque<size_t> queue;
  auto admit = [&](size_t i) {
    if (!st->init_status.ok()) {
      done(i, st->init_status);
      return;
    }
    const HttpRequest& r = requests[i];
    cs::Result<Url> url = ParseUrl(r.Url());
    if (!url.ok()) {
      done(i, url.status());
      return;
    }
    std::string host = r.headers.Has("host") ? r.headers.Get("host") : r.authority;
    cs::Result<std::unique_ptr<Transfer>> t =
        Prepare(*st, *url, r.method, r.headers, host, r.body, st->options.total_timeout_ms);
    if (!t.ok()) {
      done(i, t.status());
      return;
    }
    transfers[i] = std::move(t).value();
    queue.push_back(i);
  };
  // Requests [0, admitted) have been queued (or answered); the rest wait for `ready`.
  size_t admitted = 0;
  auto admit_ready = [&] {
    for (; admitted < n; ++admitted) {
      Readiness r = ready ? ready(admitted) : Readiness::kSend;
      if (r == Readiness::kWait) break;
      if (r == Readiness::kDrop)
        done(admitted, cs::Status::Internal("not sent"));
      else
        admit(admitted);
    }
  };
  admit_ready();

  MultiLease lease(st);
  CURLM* m = lease.get();
  const size_t cap_total = static_cast<size_t>(std::max(1, max_parallel));
  const int cap_host = std::max(1, per_host);
  std::map<std::string, int> in_flight_by_host;
  std::map<std::string, cs::Status> dead_hosts;
  std::map<CURL*, size_t> index_of;
  size_t in_flight = 0;

  auto start_more = [&] {
    for (auto it = queue.begin(); it != queue.end() && in_flight < cap_total;) {
      size_t i = *it;
      Transfer& t = *transfers[i];
      if (auto dead = dead_hosts.find(t.key); dead != dead_hosts.end()) {
        done(i, cs::Status(dead->second.code(),
                           "not attempted, an earlier request failed: " + dead->second.message()));
        transfers[i].reset();
        it = queue.erase(it);
        continue;
      }
      int& host_count = in_flight_by_host[t.key];
      if (host_count >= cap_host) {
        ++it;
        continue;
      }
      if (m == nullptr || curl_multi_add_handle(m, t.easy.get()) != CURLM_OK) {
        done(i, cs::Status::Internal("curl multi unavailable"));
        transfers[i].reset();
      } else {
        ++host_count;
        ++in_flight;
        index_of[t.easy.get()] = i;
      }
      it = queue.erase(it);
    }
  };

  start_more();
  while (in_flight > 0 || admitted < n) {
    int running = 0;
    if (in_flight > 0 && curl_multi_perform(m, &running) != CURLM_OK) break;
    bool finished_any = false;
    int left = 0;
    while (CURLMsg* msg = in_flight > 0 ? curl_multi_info_read(m, &left) : nullptr) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto found = index_of.find(msg->easy_handle);
      if (found == index_of.end()) continue;
      size_t i = found->second;
      index_of.erase(found);
      Transfer& t = *transfers[i];
      CURLcode rc = msg->data.result;  // read before removing the handle
      curl_multi_remove_handle(m, t.easy.get());
      cs::Result<HttpResponse> result = Finish(t, rc);
      if (!result.ok() && FailedBeforeHttp(t, rc)) dead_hosts.emplace(t.key, result.status());
      --in_flight_by_host[t.key];
      --in_flight;
      transfers[i].reset();
      done(i, std::move(result));
      finished_any = true;
    }
    const size_t before = admitted;
    admit_ready();
    if (finished_any || admitted != before) start_more();
    // Waiting for the caller to finish requests: look again soon.
    const int wait_ms = admitted < n ? 1 : kPollMs;
    if ((in_flight > 0 || admitted < n) &&
        (m == nullptr || curl_multi_poll(m, nullptr, 0, wait_ms, nullptr) != CURLM_OK))
      break;
  }
  // Only reached with work left if the multi handle itself failed.
  for (auto& [easy, i] : index_of) {
    curl_multi_remove_handle(m, easy);
    done(i, cs::Status::Internal("curl multi failed"));
  }
  for (size_t i : queue) done(i, cs::Status::Internal("curl multi failed"));
  for (; admitted < n; ++admitted) done(admitted, cs::Status::Internal("curl multi failed"));

  std::vector<cs::Result<HttpResponse>> out;
  out.reserve(n);
  for (auto& r : results) out.push_back(r ? std::move(*r) : cs::Status::Internal("not run"));
  return out;
}

}  // namespace federation

#include "federation/http_client.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <set>
#include <thread>

#include "tests/federation/http_test_server.h"
#include "tests/test_util.h"

namespace federation {
namespace {

using Code = cs::Status::Code;
using testhttp::Recorded;
using testhttp::Reply;
using testhttp::Respond;
using testhttp::Server;
using Clock = std::chrono::steady_clock;

long MsSince(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// A dev-mode client that may reach loopback (where the test servers live).
HttpClientOptions DevOptions() {
  HttpClientOptions o;
  o.guard = AddressGuard({*ParseCidr("127.0.0.0/8")});
  o.allow_http = true;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  return o;
}

HttpRequest Get(const std::string& authority, const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.scheme = "http";
  r.authority = authority;
  r.target = target;
  return r;
}

std::set<std::string> LowerNames(const Recorded& r) {
  std::set<std::string> names;
  for (const auto& [k, v] : r.headers) names.insert(Recorded::Lower(k));
  return names;
}

TEST(HttpClientTest, PostSendsExactlyTheGivenHeadersAndBody) {
  Server server([](const Recorded&) {
    return Respond(202, "accepted",
                   {{"X-Custom", "Value"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}});
  });
  HttpClient client(DevOptions());
  HttpRequest req;
  req.method = "POST";
  req.scheme = "http";
  req.authority = server.authority();
  req.target = "/users/ann/inbox?x=1";
  req.headers.Add("Date", "Tue, 07 Jun 2022 20:51:35 GMT");
  req.headers.Add("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=");
  req.headers.Add("Signature",
                  "keyId=\"https://a.example/users/ann#main-key\",headers=\"(request-target) "
                  "host date digest\",signature=\"abc==\"");
  req.headers.Add("Content-Type", "application/activity+json");
  // Over 1 MiB: libcurl would add "Expect: 100-continue" on its own.
  req.body = "{\"type\":\"Create\",\"content\":\"" + std::string(1200 * 1024, 'a') + "\"}";

  cs::Result<HttpResponse> r = client.Execute(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->body, "accepted");
  EXPECT_EQ(r->headers.Get("x-custom"), "Value");
  EXPECT_EQ(r->headers.Combined("set-cookie"), "a=1, b=2");
  for (const auto& [name, value] : r->headers.items) EXPECT_EQ(name, AsciiLower(name));
  EXPECT_EQ(r->headers.Get("x-final-url"), server.url("/users/ann/inbox?x=1"));

  ASSERT_EQ(server.requests().size(), 1u);
  const Recorded seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/users/ann/inbox?x=1");
  EXPECT_EQ(seen.version, "HTTP/1.1");
  EXPECT_EQ(seen.Header("host"), server.authority());
  EXPECT_EQ(seen.Header("date"), "Tue, 07 Jun 2022 20:51:35 GMT");
  EXPECT_EQ(seen.Header("digest"), req.headers.Get("digest"));
  EXPECT_EQ(seen.Header("signature"), req.headers.Get("signature"));
  EXPECT_EQ(seen.Header("content-type"), "application/activity+json");
  EXPECT_EQ(seen.Header("content-length"), std::to_string(req.body.size()));
  EXPECT_EQ(seen.Header("user-agent"), "cloudschool/0.1");
  EXPECT_EQ(seen.body, req.body);
  // Nothing else: no Expect, Accept, Accept-Encoding, Transfer-Encoding, Connection.
  EXPECT_EQ(LowerNames(seen),
            (std::set<std::string>{"host", "date", "digest", "signature", "content-type",
                                   "content-length", "user-agent"}));
}

TEST(HttpClientTest, GetSendsHostExactlyAsGiven) {
  Server server([](const Recorded&) { return Respond(200, "{}"); });
  const std::string port = std::to_string(server.port());
  HttpClientOptions o = DevOptions();
  o.resolve = {"node-b.example:" + port + ":127.0.0.1"};
  HttpClient client(o);

  HttpRequest req = Get("node-b.example:" + port, "/users/x");
  req.headers.Add("Accept", "application/activity+json");
  req.headers.Add("User-Agent", "cloudschool/0.1 (+https://a.example/)");
  req.headers.Add("X-Empty", "");
  cs::Result<HttpResponse> r = client.Execute(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);

  // An explicit host header wins over the authority (the caller signed it).
  HttpRequest signed_req = Get("node-b.example:" + port, "/users/y");
  signed_req.headers.Add("Host", "node-b.example:" + port);
  ASSERT_TRUE(client.Execute(signed_req).ok());

  ASSERT_EQ(server.requests().size(), 2u);
  const Recorded seen = server.requests()[0];
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.Header("host"), "node-b.example:" + port);
  EXPECT_EQ(seen.Header("accept"), "application/activity+json");
  EXPECT_EQ(seen.Header("user-agent"), "cloudschool/0.1 (+https://a.example/)");
  EXPECT_TRUE(seen.Has("x-empty"));
  EXPECT_EQ(seen.Header("x-empty"), "");
  EXPECT_EQ(LowerNames(seen), (std::set<std::string>{"host", "accept", "user-agent", "x-empty"}));
  EXPECT_EQ(server.requests()[1].Header("host"), "node-b.example:" + port);
  EXPECT_EQ(LowerNames(server.requests()[1]), (std::set<std::string>{"host", "user-agent"}));
}

TEST(HttpClientTest, LoopbackRefusedWithoutAllowlistAndNoConnectionIsMade) {
  Server server([](const Recorded&) { return Respond(200, "secret"); });
  const std::string port = std::to_string(server.port());
  HttpClientOptions o;
  o.allow_http = true;
  o.resolve = {"evil.example:" + port + ":127.0.0.1", "internal.example:" + port + ":10.0.0.5"};
  HttpClient client(o);

  // BR-20.1: a literal loopback address.
  cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(r.status().message(), "address not allowed: 127.0.0.1");
  // A name that resolves to loopback: refused after resolution, in the socket callback.
  r = client.Execute(Get("evil.example:" + port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(r.status().message(), "address not allowed: 127.0.0.1");
  // BR-20.4: a name for a private address.
  r = client.Execute(Get("internal.example:" + port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_EQ(r.status().message(), "address not allowed: 10.0.0.5");
  // BR-20.3: an IPv4-mapped private literal.
  r = client.Execute(Get("[::ffff:10.0.0.5]:" + port, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  // ExecuteMany goes through the same guard.
  auto many = client.ExecuteMany({Get(server.authority(), "/"), Get("evil.example:" + port, "/")});
  ASSERT_EQ(many.size(), 2u);
  for (const auto& m : many) EXPECT_EQ(m.status().code(), Code::kForbidden);
  EXPECT_EQ(server.connections(), 0);

  // Control: the allowlisted client does reach it.
  HttpClient dev(DevOptions());
  ASSERT_TRUE(dev.Execute(Get(server.authority(), "/")).ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTest, RefusesBadRequestsBeforeConnecting) {
  Server server([](const Recorded&) { return Respond(200); });
  HttpClientOptions https_only = DevOptions();
  https_only.allow_http = false;
  HttpClient strict(https_only);
  cs::Result<HttpResponse> r = strict.Execute(Get(server.authority(), "/"));
  EXPECT_EQ(r.status().code(), Code::kForbidden);  // http:// outside dev mode

  HttpClient client(DevOptions());
  r = client.Execute(Get("user:pass@" + server.authority(), "/"));  // BR-20.5
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  HttpRequest bad_method = Get(server.authority(), "/");
  bad_method.method = "GET /evil";
  EXPECT_EQ(client.Execute(bad_method).status().code(), Code::kInvalidInput);
  HttpRequest injected = Get(server.authority(), "/");
  injected.headers.Add("X-A", "1\r\nX-Injected: 1");
  EXPECT_EQ(client.Execute(injected).status().code(), Code::kInvalidInput);
  HttpRequest bad_name = Get(server.authority(), "/");
  bad_name.headers.Add("X A", "1");
  EXPECT_EQ(client.Execute(bad_name).status().code(), Code::kInvalidInput);
  HttpRequest ftp = Get(server.authority(), "/");
  ftp.scheme = "ftp";
  EXPECT_EQ(client.Execute(ftp).status().code(), Code::kInvalidInput);
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClientTest, RedirectToRefusedAddressesIsNotFollowed) {
  std::string next;  // set below, before any request
  Server server([&next](const Recorded& r) { return Respond(302, "", {{"Location", next}}); });
  const std::string port = std::to_string(server.port());
  HttpClientOptions o = DevOptions();
  o.resolve = {"internal.example:80:10.0.0.5"};
  HttpClient client(o);

  const std::vector<std::pair<std::string, Code>> cases = {
      {"http://169.254.169.254/latest/meta-data/", Code::kForbidden},  // BR-20.2
      {"http://internal.example/admin", Code::kForbidden},             // resolves to 10.0.0.5
      {"http://[::ffff:10.0.0.5]/", Code::kForbidden},
      {"http://user:pass@127.0.0.1:" + port + "/", Code::kForbidden},  // userinfo on a hop
      {"ftp://127.0.0.1:" + port + "/", Code::kForbidden},
      {"file:///etc/passwd", Code::kForbidden},
  };
  for (const auto& [location, code] : cases) {
    SCOPED_TRACE(location);
    next = location;
    cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), "/k"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  }
  next = "http://169.254.169.254/latest/meta-data/";
  EXPECT_EQ(client.Execute(Get(server.authority(), "/k")).status().message(),
            "address not allowed: 169.254.169.254");
  next = "http://internal.example/admin";
  EXPECT_EQ(client.Execute(Get(server.authority(), "/k")).status().message(),
            "address not allowed: 10.0.0.5");
  // Only the first hops reached the (allowlisted) server.
  EXPECT_EQ(server.requests().size(), cases.size() + 2);
  for (const Recorded& seen : server.requests()) EXPECT_EQ(seen.target, "/k");

  // A POST is never redirected: the 302 is the answer.
  HttpRequest post = Get(server.authority(), "/inbox");
  post.method = "POST";
  post.body = "{}";
  cs::Result<HttpResponse> r = client.Execute(post);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
}

TEST(HttpClientTest, FollowsUpToThreeRedirectsAndNoMore) {
  // /ok/N redirects to /ok/N+1 until 3; /loop/N redirects forever.
  Server server([](const Recorded& r) {
    std::string prefix = r.target.substr(0, r.target.rfind('/') + 1);
    int n = std::stoi(r.target.substr(prefix.size()));
    if (prefix == "/ok/" && n == 3) return Respond(200, "final");
    return Respond(n % 2 ? 301 : 307, "", {{"Location", prefix + std::to_string(n + 1)}});
  });
  HttpClient client(DevOptions());
  cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), "/ok/0"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
  EXPECT_EQ(r->headers.Get("x-final-url"), server.url("/ok/3"));

  r = client.Execute(Get(server.authority(), "/loop/0"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kForbidden);
  EXPECT_NE(r.status().message().find("too many redirects"), std::string::npos);
  // 4 for /ok, then /loop/0../loop/3 (the fourth redirect is not followed).
  ASSERT_EQ(server.requests().size(), 8u);
  EXPECT_EQ(server.requests().back().target, "/loop/3");

  HttpClientOptions none = DevOptions();
  none.max_redirects = 0;
  r = HttpClient(none).Execute(Get(server.authority(), "/ok/2"));
  EXPECT_EQ(r.status().code(), Code::kForbidden);
}

TEST(HttpClientTest, CrossOriginRedirectDropsSignatureAndSetsHost) {
  Server target([](const Recorded&) { return Respond(200, "{\"id\":\"x\"}"); });
  Server origin([&target](const Recorded& r) {
    if (r.target == "/same") return Respond(302, "", {{"Location", "/other"}});
    if (r.target == "/other") return Respond(302, "", {{"Location", target.url("/doc")}});
    return Respond(404);
  });
  HttpClient client(DevOptions());
  HttpRequest req = Get(origin.authority(), "/same");
  req.headers.Add("Date", "Tue, 07 Jun 2022 20:51:35 GMT");
  req.headers.Add("Signature", "keyId=\"k\",signature=\"s\"");
  req.headers.Add("Accept", "application/activity+json");
  cs::Result<HttpResponse> r = client.Execute(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->headers.Get("x-final-url"), target.url("/doc"));

  ASSERT_EQ(origin.requests().size(), 2u);
  EXPECT_EQ(origin.requests()[1].target, "/other");
  EXPECT_EQ(origin.requests()[1].Header("signature"), "keyId=\"k\",signature=\"s\"");
  ASSERT_EQ(target.requests().size(), 1u);
  const Recorded seen = target.requests()[0];
  EXPECT_EQ(seen.Header("host"), target.authority());
  EXPECT_FALSE(seen.Has("signature"));
  EXPECT_EQ(seen.Header("accept"), "application/activity+json");
  EXPECT_EQ(seen.Header("date"), "Tue, 07 Jun 2022 20:51:35 GMT");
}

TEST(HttpClientTest, OversizedResponsesAreCutOff) {
  Server server([](const Recorded& r) {
    if (r.target == "/declared") {
      Reply reply = Respond(200);
      reply.head = "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n";
      reply.stream = 2ull << 30;
      return reply;
    }
    if (r.target == "/endless") {  // BR-27.4: no length, just bytes
      Reply reply;
      reply.head = "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\n\r\n";
      reply.stream = 2ull << 30;
      reply.close = true;
      return reply;
    }
    if (r.target == "/headers") {
      Reply reply = Respond(200);
      std::string many;
      for (int i = 0; i < 2000; ++i)
        many += "X-Pad-" + std::to_string(i) + ": " + std::string(60, 'p') + "\r\n";
      reply.head = "HTTP/1.1 200 OK\r\n" + many + "Content-Length: 0\r\n\r\n";
      return reply;
    }
    return Respond(200, std::string(64 * 1024, 'a'));  // exactly the cap
  });
  HttpClientOptions o = DevOptions();
  o.max_response_bytes = 64 * 1024;
  HttpClient client(o);

  auto start = Clock::now();
  for (const char* target : {"/declared", "/endless", "/headers"}) {
    SCOPED_TRACE(target);
    cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), target));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kTooLarge) << r.status().ToString();
  }
  EXPECT_LT(MsSince(start), 3000);  // cut off, not read to the end
  cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), "/exact"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 64u * 1024);

  HttpRequest head = Get(server.authority(), "/declared");
  head.method = "HEAD";  // a large Content-Length on HEAD is fine: no body comes
  HttpClientOptions ho = o;
  ho.total_timeout_ms = 1000;
  r = HttpClient(ho).Execute(head);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->headers.Get("content-length"), "2147483648");
}

TEST(HttpClientTest, TricklingResponseIsAbortedByLowSpeedLimit) {
  Server server([](const Recorded&) {
    Reply reply = Respond(200, std::string(4096, 'a'));
    reply.trickle_ms = 1000;  // 1 byte/s, BR-27.4
    return reply;
  });
  HttpClientOptions o = DevOptions();
  o.low_speed_limit_bytes = 1024;
  o.low_speed_time_s = 1;
  o.total_timeout_ms = 10000;
  auto start = Clock::now();
  cs::Result<HttpResponse> r = HttpClient(o).Execute(Get(server.authority(), "/actor"));
  long ms = MsSince(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_LT(ms, 4000);
}

TEST(HttpClientTest, TricklingResponseIsAbortedByTotalTimeout) {
  Server server([](const Recorded&) {
    Reply reply = Respond(200, std::string(4096, 'a'));
    reply.trickle_ms = 20;  // 50 bytes/s: fast enough for the (disabled) low-speed check
    return reply;
  });
  HttpClientOptions o = DevOptions();
  o.low_speed_limit_bytes = 0;
  o.total_timeout_ms = 700;
  auto start = Clock::now();
  cs::Result<HttpResponse> r = HttpClient(o).Execute(Get(server.authority(), "/actor"));
  long ms = MsSince(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("(curl 28)"), std::string::npos);
  EXPECT_GE(ms, 600);
  EXPECT_LT(ms, 3000);
}

TEST(HttpClientTest, ErrorStatusesAreResponses) {
  Server server([](const Recorded& r) {
    if (r.target == "/busy") return Respond(429, "slow down", {{"Retry-After", "30"}});
    if (r.target == "/broken") return Respond(500, "oops");
    if (r.target == "/gone") return Respond(410);
    return Respond(404, "no");
  });
  HttpClient client(DevOptions());
  cs::Result<HttpResponse> r = client.Execute(Get(server.authority(), "/busy"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->headers.Get("retry-after"), "30");
  EXPECT_EQ(r->body, "slow down");
  EXPECT_EQ(client.Execute(Get(server.authority(), "/broken"))->status, 500);
  EXPECT_EQ(client.Execute(Get(server.authority(), "/gone"))->status, 410);
  EXPECT_EQ(client.Execute(Get(server.authority(), "/missing"))->status, 404);
}

TEST(HttpClientTest, DeadPortIsUnavailable) {
  HttpClient client(DevOptions());
  cs::Result<HttpResponse> r =
      client.Execute(Get("127.0.0.1:" + std::to_string(testhttp::ClosedPort()), "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();
}

TEST(HttpClientTest, ExecuteManyIsolatesDeadAndHangingHosts) {
  Server good([](const Recorded& r) { return Respond(202, r.target); });
  Server hang([](const Recorded&) {
    Reply reply;
    reply.hang = true;
    return reply;
  });
  const int dead_port = testhttp::ClosedPort();
  HttpClientOptions o = DevOptions();
  o.total_timeout_ms = 1000;
  o.connect_timeout_ms = 1000;
  for (int h = 0; h < 12; ++h)
    o.resolve.push_back("h" + std::to_string(h) + ".test:" + std::to_string(good.port()) +
                        ":127.0.0.1");
  HttpClient client(o);

  std::vector<HttpRequest> requests;
  for (int i = 0; i < 50; ++i) {
    if (i == 10) {
      requests.push_back(Get("127.0.0.1:" + std::to_string(dead_port), "/dead"));
    } else if (i == 20) {
      requests.push_back(Get(hang.authority(), "/hang"));
    } else {
      HttpRequest r = Get("h" + std::to_string(i % 12) + ".test:" + std::to_string(good.port()),
                          "/inbox/" + std::to_string(i));
      r.method = "POST";
      r.body = "{\"n\":" + std::to_string(i) + "}";
      r.headers.Add("Content-Type", "application/activity+json");
      requests.push_back(std::move(r));
    }
  }
  auto start = Clock::now();
  std::vector<cs::Result<HttpResponse>> results = client.ExecuteMany(requests);
  long ms = MsSince(start);
  ASSERT_EQ(results.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    SCOPED_TRACE(i);
    if (i == 10 || i == 20) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].status().code(), Code::kUnavailable);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->status, 202);
    EXPECT_EQ(results[i]->body, "/inbox/" + std::to_string(i));  // results keep request order
  }
  EXPECT_NE(results[20].status().message().find("(curl 28)"), std::string::npos);
  EXPECT_EQ(good.requests().size(), 48u);
  // About the hang's own timeout, not a sum of timeouts.
  EXPECT_GE(ms, 900);
  EXPECT_LT(ms, 2500);
}

TEST(HttpClientTest, ExecuteManyFailsQueuedRequestsToADeadHostAtOnce) {
  const std::string dead = "127.0.0.1:" + std::to_string(testhttp::ClosedPort());
  HttpClient client(DevOptions());
  std::vector<HttpRequest> requests(10, Get(dead, "/inbox"));
  auto results = client.ExecuteMany(requests, 64, 2);
  int skipped = 0;
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kUnavailable);
    if (r.status().message().find("not attempted") != std::string::npos) ++skipped;
  }
  EXPECT_EQ(skipped, 8);  // the first two were in flight together; the rest never tried
}

TEST(HttpClientTest, ExecuteManyStillTriesTheSiblingsOfASlowAnswer) {
  Server slow([](const Recorded& r) {
    if (r.target == "/warm") return Respond(200, "ok");
    Reply reply;
    reply.hang = true;
    return reply;
  });
  HttpClientOptions o = DevOptions();
  o.total_timeout_ms = 300;
  HttpClient client(o);
  // Leaves a keep-alive connection in the pool, so the first slow request runs on a reused one.
  ASSERT_TRUE(client.ExecuteMany({Get(slow.authority(), "/warm")})[0].ok());
  auto results =
      client.ExecuteMany({Get(slow.authority(), "/a"), Get(slow.authority(), "/b")}, 64, 1);
  for (const auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kUnavailable);
    EXPECT_EQ(r.status().message().find("not attempted"), std::string::npos)
        << r.status().message();
  }
  EXPECT_EQ(slow.requests().size(), 3u);
  EXPECT_EQ(slow.connections(), 2);
}

// A caller that finishes (signs) its requests while the first ones are on the wire: request i is
// read only once ready(i) says so, a dropped one is not sent, and answers do not wait for the
// last request to be ready.
TEST(HttpClientTest, ExecuteManySendsRequestsAsTheyBecomeReady) {
  Server server([](const Recorded& r) { return Respond(202, r.Header("x-n")); });
  HttpClient client(DevOptions());
  const size_t n = 6;
  std::vector<HttpRequest> requests(n);
  std::vector<std::atomic<int>> state(n);  // 0 wait, 1 send, 2 drop
  std::atomic<int> answered{0};
  std::atomic<int> answered_before_last_ready{-1};
  std::thread producer([&] {
    for (size_t i = 0; i < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(i == n - 1 ? 200 : 20));
      if (i == n - 1) answered_before_last_ready = answered.load();
      if (i == 3) {
        state[i].store(2, std::memory_order_release);
        continue;
      }
      requests[i] = Get(server.authority(), "/inbox");
      requests[i].headers.Set("x-n", std::to_string(i));
      state[i].store(1, std::memory_order_release);
    }
  });
  auto results = client.ExecuteMany(
      requests, 64, 4, [&](size_t, const cs::Result<HttpResponse>&) { ++answered; },
      [&](size_t i) {
        switch (state[i].load(std::memory_order_acquire)) {
          case 1:
            return HttpClient::Readiness::kSend;
          case 2:
            return HttpClient::Readiness::kDrop;
          default:
            return HttpClient::Readiness::kWait;
        }
      });
  producer.join();
  ASSERT_EQ(results.size(), n);
  for (size_t i = 0; i < n; ++i) {
    SCOPED_TRACE(i);
    if (i == 3) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].status().message(), "not sent");
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->body, std::to_string(i));
  }
  EXPECT_EQ(server.requests().size(), n - 1);
  EXPECT_EQ(answered.load(), static_cast<int>(n));
  // Requests 0-4 (one of them dropped) were answered while the last was not yet ready.
  EXPECT_EQ(answered_before_last_ready.load(), static_cast<int>(n - 1));
}

TEST(HttpClientTest, ExecuteManyHonoursParallelAndPerHostCaps) {
  std::atomic<int> now{0}, peak{0};
  Server server([&](const Recorded&) {
    int n = ++now;
    for (int p = peak.load(); n > p && !peak.compare_exchange_weak(p, n);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    --now;
    return Respond(200, "ok");
  });
  HttpClientOptions o = DevOptions();
  for (const char* h : {"a.test", "b.test", "c.test"})
    o.resolve.push_back(std::string(h) + ":" + std::to_string(server.port()) + ":127.0.0.1");
  HttpClient client(o);
  const std::string port = ":" + std::to_string(server.port());

  std::vector<HttpRequest> one_host(12, Get("a.test" + port, "/x"));
  for (const auto& r : client.ExecuteMany(one_host, 64, 2)) ASSERT_TRUE(r.ok());
  EXPECT_EQ(peak.load(), 2);

  peak = 0;
  std::vector<HttpRequest> three_hosts;
  for (int i = 0; i < 12; ++i)
    three_hosts.push_back(Get(std::string(i % 3 == 0   ? "a"
                                          : i % 3 == 1 ? "b"
                                                       : "c") +
                                  ".test" + port,
                              "/y"));
  for (const auto& r : client.ExecuteMany(three_hosts, 5, 4)) ASSERT_TRUE(r.ok());
  EXPECT_EQ(peak.load(), 5);
  EXPECT_TRUE(client.ExecuteMany({}).empty());
}

TEST(HttpClientTest, KeepAliveConnectionsAreReusedAcrossCalls) {
  Server server([](const Recorded&) { return Respond(200, "ok"); });
  HttpClient client(DevOptions());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Execute(Get(server.authority(), "/a")).ok());
  EXPECT_EQ(server.connections(), 1);
  std::vector<HttpRequest> batch(8, Get(server.authority(), "/b"));
  for (int round = 0; round < 3; ++round)
    for (const auto& r : client.ExecuteMany(batch, 64, 4)) ASSERT_TRUE(r.ok());
  EXPECT_LE(server.connections(), 5);  // 4 for the batches (one may be the first one)
  EXPECT_EQ(server.requests().size(), 27u);
}

TEST(HttpClientTest, ConcurrentCallsFromManyThreads) {
  Server server([](const Recorded& r) { return Respond(200, r.target); });
  HttpClient client(DevOptions());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string target = "/t" + std::to_string(t) + "/" + std::to_string(i);
        if (i % 5 == 0) {
          auto many = client.ExecuteMany(
              {Get(server.authority(), target), Get(server.authority(), target)});
          for (const auto& r : many)
            if (!r.ok() || r->body != target) ++failures;
        } else {
          auto r = client.Execute(Get(server.authority(), target));
          if (!r.ok() || r->body != target) ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.requests().size(), 8u * 30);
}

TEST(HttpClientTest, UnreadableCaFileIsAnError) {
  HttpClientOptions o = DevOptions();
  o.ca_file = "/nonexistent/ca.pem";
  HttpClient client(o);
  EXPECT_EQ(client.Execute(Get("127.0.0.1:1", "/")).status().code(), Code::kInternal);
  EXPECT_EQ(client.ExecuteMany({Get("127.0.0.1:1", "/")})[0].status().code(), Code::kInternal);
}

// --- HTTPS, self-contained: a CA and a server certificate made here, a one-thread TLS server. ---

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

// A certificate for `cn` signed by `issuer` (self-signed when issuer is null).
Cert MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
              const std::vector<std::pair<int, const char*>>& extensions, long serial) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    EXPECT_TRUE(ext) << value;
    if (ext) X509_add_ext(cert.get(), ext.get(), -1);
  }
  EXPECT_GT(X509_sign(cert.get(), issuer_key, EVP_sha256()), 0);
  return cert;
}

// Answers every request on its own TLS connection with 200 and the Host it saw.
class TlsServer {
 public:
  explicit TlsServer(const std::string& ca_path) {
    Pkey ca_key(EVP_EC_gen("P-256"));
    Cert ca = MakeCert(ca_key.get(), "Cloudschool Test CA", nullptr, ca_key.get(),
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"},
                        {NID_subject_key_identifier, "hash"}},
                       1);
    Pkey key(EVP_EC_gen("P-256"));
    Cert leaf = MakeCert(key.get(), "tls.test", ca.get(), ca_key.get(),
                         {{NID_basic_constraints, "critical,CA:FALSE"},
                          {NID_ext_key_usage, "serverAuth"},
                          {NID_subject_alt_name, "DNS:tls.test,IP:127.0.0.1"}},
                         2);
    FILE* f = std::fopen(ca_path.c_str(), "w");
    PEM_write_X509(f, ca.get());
    std::fclose(f);
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate(ctx_.get(), leaf.get());
    SSL_CTX_use_PrivateKey(ctx_.get(), key.get());

    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TlsServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }
  int handshakes() const { return handshakes_.load(); }

 private:
  void Run() {
    // SSL_write on a socket the client already closed (it refused our certificate) must give
    // EPIPE, not kill the test binary with SIGPIPE.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{2, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx_.get()));
      SSL_set_fd(ssl.get(), fd);
      if (SSL_accept(ssl.get()) == 1) {
        ++handshakes_;
        std::string in;
        char buf[4096];
        while (in.find("\r\n\r\n") == std::string::npos) {
          int n = SSL_read(ssl.get(), buf, sizeof buf);
          if (n <= 0) break;
          in.append(buf, static_cast<size_t>(n));
        }
        std::string host;
        if (size_t at = in.find("\r\nHost: "); at != std::string::npos)
          host = in.substr(at + 8, in.find("\r\n", at + 8) - at - 8);
        std::string reply = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " +
                            std::to_string(host.size()) + "\r\n\r\n" + host;
        SSL_write(ssl.get(), reply.data(), static_cast<int>(reply.size()));
        SSL_shutdown(ssl.get());
      }
      ERR_clear_error();
      close(fd);
    }
  }

  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::thread thread_;
};

TEST(HttpClientTest, HttpsTrustsTheExtraCaFileOnly) {
  testutil::TempDir dir;
  const std::string ca_path = dir.str() + "/ca.pem";
  TlsServer server(ca_path);
  const std::string authority = "tls.test:" + std::to_string(server.port());
  HttpClientOptions o = DevOptions();
  o.allow_http = false;
  o.resolve = {authority + ":127.0.0.1"};
  HttpRequest req = Get(authority, "/users/ann");
  req.scheme = "https";

  // Without the test CA the certificate does not verify.
  cs::Result<HttpResponse> r = HttpClient(o).Execute(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable) << r.status().ToString();

  o.ca_file = ca_path;
  HttpClient client(o);
  for (int i = 0; i < 2; ++i) {
    r = client.Execute(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, authority);
    EXPECT_EQ(r->headers.Get("x-final-url"), "https://" + authority + "/users/ann");
  }
  auto many = client.ExecuteMany({req, req, req});
  for (const auto& m : many) EXPECT_TRUE(m.ok()) << m.status().ToString();

  // The certificate names tls.test: another name for the same address does not verify.
  HttpClientOptions wrong_name = o;
  wrong_name.resolve = {"other.test:" + std::to_string(server.port()) + ":127.0.0.1"};
  HttpRequest other = req;
  other.authority = "other.test:" + std::to_string(server.port());
  r = HttpClient(wrong_name).Execute(other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_GE(server.handshakes(), 5);
}

// Not a test: prints fan-out throughput with and without keep-alive across calls.
// Run: ./build/federation_tests --gtest_also_run_disabled_tests --gtest_filter='*Benchmark*'
TEST(HttpClientTest, DISABLED_BenchmarkExecuteMany) {
  Server server([](const Recorded&) { return Respond(202, ""); });
  HttpClientOptions o = DevOptions();
  const int kHosts = 16, kBatch = 256, kRounds = 20;
  const std::string port = std::to_string(server.port());
  auto host = [&](int h) {
    std::string name = "b";
    name.append(std::to_string(h)).append(".test:").append(port);
    return name;
  };
  for (int h = 0; h < kHosts; ++h) o.resolve.push_back(host(h) + ":127.0.0.1");
  std::vector<HttpRequest> batch;
  for (int i = 0; i < kBatch; ++i) {
    HttpRequest r = Get(host(i % kHosts), "/inbox");
    r.method = "POST";
    r.body = std::string(2000, 'j');
    batch.push_back(std::move(r));
  }
  for (bool reuse : {true, false}) {
    int before = server.connections();
    HttpClient shared(o);
    auto start = Clock::now();
    for (int round = 0; round < kRounds; ++round) {
      std::optional<HttpClient> fresh;
      if (!reuse) fresh.emplace(o);
      const HttpClient& c = reuse ? shared : *fresh;
      for (const auto& r : c.ExecuteMany(batch)) ASSERT_TRUE(r.ok());
    }
    long ms = std::max(1L, MsSince(start));
    std::printf("%s: %d requests in %ld ms = %.0f req/s, %d connections\n",
                reuse ? "pooled multi (keep-alive across calls)" : "fresh client per call",
                kBatch * kRounds, ms, 1000.0 * kBatch * kRounds / ms,
                server.connections() - before);
  }
  HttpClient c(o);
  auto start = Clock::now();
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(c.Execute(batch[i % kBatch]).ok());
  long ms = std::max(1L, MsSince(start));
  std::printf("sequential Execute: 2000 requests in %ld ms = %.0f req/s\n", ms, 2000000.0 / ms);
}

}  // namespace
}  // namespace federation

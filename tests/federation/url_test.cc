#include "federation/url.h"

#include <gtest/gtest.h>

#include "federation/http_client.h"
#include "tests/federation/http_test_server.h"

namespace federation {
namespace {

struct Good {
  const char* text;
  const char* scheme;
  const char* host;
  int port;
  bool explicit_port;
  const char* path;
  const char* query;
  const char* fragment;
  const char* authority;
  const char* target;
};

TEST(UrlTest, ParsesTable) {
  const Good cases[] = {
      {"https://example.com", "https", "example.com", 443, false, "/", "", "", "example.com", "/"},
      {"HTTPS://Example.COM/Users/Ann", "https", "example.com", 443, false, "/Users/Ann", "", "",
       "example.com", "/Users/Ann"},
      {"https://example.com:443/x", "https", "example.com", 443, true, "/x", "", "", "example.com",
       "/x"},
      {"http://example.com:80/x", "http", "example.com", 80, true, "/x", "", "", "example.com",
       "/x"},
      {"https://example.com:8443/inbox?page=1#frag", "https", "example.com", 8443, true, "/inbox",
       "page=1", "frag", "example.com:8443", "/inbox?page=1"},
      {"http://example.com:443/", "http", "example.com", 443, true, "/", "", "", "example.com:443",
       "/"},
      {"https://node-b.example.net?x", "https", "node-b.example.net", 443, false, "/", "x", "",
       "node-b.example.net", "/?x"},
      {"https://example.com#main-key", "https", "example.com", 443, false, "/", "", "main-key",
       "example.com", "/"},
      {"https://[::1]:8080/a", "https", "::1", 8080, true, "/a", "", "", "[::1]:8080", "/a"},
      {"https://[2001:DB8:0:0::1]/", "https", "2001:db8::1", 443, false, "/", "", "",
       "[2001:db8::1]", "/"},
      {"https://[::ffff:10.0.0.5]/", "https", "::ffff:10.0.0.5", 443, false, "/", "", "",
       "[::ffff:10.0.0.5]", "/"},
      {"http://127.0.0.1:6379/#k", "http", "127.0.0.1", 6379, true, "/", "", "k", "127.0.0.1:6379",
       "/"},
      // Alternate IPv4 spellings parse as names; the guard judges them after resolution.
      {"http://2130706433/x", "http", "2130706433", 80, false, "/x", "", "", "2130706433", "/x"},
      {"http://0x7f.0.0.1/", "http", "0x7f.0.0.1", 80, false, "/", "", "", "0x7f.0.0.1", "/"},
      {"https://example.com/a/../b/%2e%2e/c", "https", "example.com", 443, false,
       "/a/../b/%2e%2e/c", "", "", "example.com", "/a/../b/%2e%2e/c"},
      {"https://example.com:08443/", "https", "example.com", 8443, true, "/", "", "",
       "example.com:8443", "/"},
  };
  for (const Good& c : cases) {
    SCOPED_TRACE(c.text);
    cs::Result<Url> u = ParseUrl(c.text);
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    EXPECT_EQ(u->scheme, c.scheme);
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->explicit_port, c.explicit_port);
    EXPECT_EQ(u->path, c.path);
    EXPECT_EQ(u->query, c.query);
    EXPECT_EQ(u->fragment, c.fragment);
    EXPECT_FALSE(u->has_userinfo);
    EXPECT_EQ(u->Authority(), c.authority);
    EXPECT_EQ(u->Target(), c.target);
    EXPECT_EQ(u->Origin(), std::string(c.scheme) + "://" + c.authority);
  }
}

TEST(UrlTest, RefusesTable) {
  const char* bad[] = {
      "",
      "/users/ann",                              // relative
      "//example.com/x",                         // scheme-relative
      "example.com/x",                           // no scheme
      "ftp://example.com/x",                     // scheme
      "file:///etc/passwd",                      // scheme
      "javascript:alert(1)",                     // scheme
      "https:/example.com",                      // one slash
      "https://user:pass@node-b.example.net/x",  // userinfo (BR-20.5)
      "https://user@example.com/",               // userinfo
      "https://@example.com/",                   // empty userinfo
      "https://evil.com\\@127.0.0.1/",           // backslash
      "https://example.com/a b",                 // space
      "https://example.com/a\tb",                // control character
      "https://example.com/\r\nHost: x",         // CRLF
      "https:///x",                              // empty host
      "https://:443/x",                          // empty host
      "https://example.com:/x",                  // empty port
      "https://example.com:0/x",                 // port 0
      "https://example.com:65536/x",             // port range
      "https://example.com:123456/x",            // port length
      "https://example.com:8a/x",                // port digits
      "https://exa mple.com/",                   // space in host
      "https://ex%61mple.com/",                  // percent-encoded host
      "https://b\xc3\xbc"
      "cher.example/",                  // non-ASCII host (must be punycode)
      "https://a..b/",                  // empty label
      "https://[::1/",                  // unclosed bracket
      "https://[::1]x/",                // junk after bracket
      "https://[fe80::1%25eth0]/",      // zone id
      "https://[10.0.0.5]/",            // not IPv6
      "https://exa_mple.com:443:443/",  // two ports
  };
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    cs::Result<Url> u = ParseUrl(text);
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().code(), cs::Status::Code::kInvalidInput);
  }
}

TEST(UrlTest, SameOrigin) {
  EXPECT_TRUE(SameOrigin("https://a.example/users/x", "https://A.EXAMPLE:443/inbox"));
  EXPECT_TRUE(SameOrigin("https://[::1]:8443/a", "https://[0:0::1]:8443/b"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "http://a.example/x"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "https://a.example:8443/x"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "https://b.a.example/x"));
  EXPECT_FALSE(SameOrigin("https://a.example/x", "/x"));
  EXPECT_FALSE(SameOrigin("https://u@a.example/x", "https://a.example/x"));
}

// BR-20.3: hosts spelled as a decimal or hex IPv4 address parse, and libcurl resolves them to
// 127.0.0.1; the client refuses to connect because the guard judges the resolved address.
TEST(UrlTest, ClientRefusesAlternateLoopbackSpellings) {
  testhttp::Server server([](const testhttp::Recorded&) { return testhttp::Respond(204); });
  const std::string port = std::to_string(server.port());
  const std::vector<std::string> spellings = {"2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1"};

  HttpClientOptions refusing;
  refusing.allow_http = true;
  HttpClient client(refusing);
  for (const std::string& host : spellings) {
    SCOPED_TRACE(host);
    HttpRequest req{"GET", "http", host + ":" + port, "/x", {}, "", ""};
    cs::Result<HttpResponse> r = client.Execute(req);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), cs::Status::Code::kForbidden) << r.status().ToString();
    EXPECT_EQ(r.status().message(), "address not allowed: 127.0.0.1");
  }
  EXPECT_EQ(server.connections(), 0);

  // Control: with loopback allowlisted the same spellings do reach the server, which shows the
  // refusals above came from the guard and not from a failed resolution.
  HttpClientOptions allowing = refusing;
  allowing.guard = AddressGuard({*ParseCidr("127.0.0.0/8")});
  HttpClient dev_client(allowing);
  for (const std::string& host : spellings) {
    SCOPED_TRACE(host);
    HttpRequest req{"GET", "http", host + ":" + port, "/x", {}, "", ""};
    cs::Result<HttpResponse> r = dev_client.Execute(req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 204);
  }
  ASSERT_EQ(server.requests().size(), spellings.size());
  EXPECT_EQ(server.requests()[0].Header("host"), "2130706433:" + port);
}

}  // namespace
}  // namespace federation

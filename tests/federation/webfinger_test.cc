// Unit tests of WebFinger (federation/webfinger.h) and NodeInfo (federation/nodeinfo.h) documents.
#include "federation/webfinger.h"

#include <gtest/gtest.h>

#include <string>

#include "federation/nodeinfo.h"

namespace federation {
namespace {

// ---- PercentDecode / PercentEncode ----

TEST(PercentTest, Decodes) {
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("acct%3Aann%40node-a.example.org"), "acct:ann@node-a.example.org");
  EXPECT_EQ(PercentDecode("acct%3aann%40node-a.example.org"), "acct:ann@node-a.example.org");
  EXPECT_EQ(PercentDecode("a+b%20c"), "a b c");
  EXPECT_EQ(PercentDecode("%2B"), "+");
  EXPECT_EQ(PercentDecode("sch%C3%BCle"), "sch\xC3\xBCle");
  EXPECT_EQ(PercentDecode("%41"), "A");
  EXPECT_EQ(PercentDecode("x%41"), "xA");
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
  // Malformed escapes stay as they are.
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("%4"), "%4");
  EXPECT_EQ(PercentDecode("a%4"), "a%4");
  EXPECT_EQ(PercentDecode("%zz%4g"), "%zz%4g");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  // Decoded once only.
  EXPECT_EQ(PercentDecode("%2541"), "%41");
}

TEST(PercentTest, Encodes) {
  EXPECT_EQ(PercentEncode(""), "");
  EXPECT_EQ(PercentEncode("acct:ann@node-a.example.org"), "acct%3Aann%40node-a.example.org");
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b+c/d?e&f=g#h%"), "a%20b%2Bc%2Fd%3Fe%26f%3Dg%23h%25");
  EXPECT_EQ(PercentEncode("sch\xC3\xBCle"), "sch%C3%BCle");
  EXPECT_EQ(PercentEncode(std::string(1, '\0')), "%00");
  EXPECT_EQ(PercentEncode("\xFF"), "%FF");
  for (std::string s : {"acct:MsSmith@node-a.example.org", "a b+c%d", "sch\xC3\xBCle"})
    EXPECT_EQ(PercentDecode(PercentEncode(s)), s);
}

// ---- ParseWebFingerResource ----

TEST(WebFingerResourceTest, AcctResources) {
  auto q = ParseWebFingerResource("acct:ann@node-a.example.org");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->is_url);
  EXPECT_EQ(q->user, "ann");
  EXPECT_EQ(q->host, "node-a.example.org");
  EXPECT_EQ(q->url, "");

  // BR-13: the user part keeps its case (the store lookup folds it); the host is normalized.
  q = ParseWebFingerResource("acct:MsSmith@NODE-A.EXAMPLE.ORG");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->user, "MsSmith");
  EXPECT_EQ(q->host, "node-a.example.org");

  q = ParseWebFingerResource("acct:@mssmith@node-a.example.org");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->user, "mssmith");
  EXPECT_EQ(q->host, "node-a.example.org");

  q = ParseWebFingerResource("ACCT:ann@node-a.example.org");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->user, "ann");

  // BR-15: both spellings of an IDN host.
  for (const std::string r : {PercentDecode("acct:lehrer@sch%C3%BCle.example.org"),
                              std::string("acct:lehrer@xn--schle-mva.example.org"),
                              std::string("acct:lehrer@SCH\xC3\x9CLE.example.org")}) {
    q = ParseWebFingerResource(r);
    ASSERT_TRUE(q.ok()) << r;
    EXPECT_EQ(q->user, "lehrer");
    EXPECT_EQ(q->host, "xn--schle-mva.example.org");
  }

  q = ParseWebFingerResource("acct:ann@node-a.example.org:8443");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->host, "node-a.example.org:8443");
}

TEST(WebFingerResourceTest, UrlResources) {
  auto q = ParseWebFingerResource("https://node-a.example.org/users/ann");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->is_url);
  EXPECT_EQ(q->url, "https://node-a.example.org/users/ann");
  EXPECT_EQ(q->user, "");
  q = ParseWebFingerResource("http://node-a.example.org/users/ann");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->is_url);
}

TEST(WebFingerResourceTest, RejectsOtherResources) {
  for (const char* r :
       {"", "ann", "ann@node-a.example.org", "@ann@node-a.example.org",
        "mailto:ann@node-a.example.org", "acct:", "acct:ann", "acct:@node-a.example.org",
        "acct:ann@", "acct:ann@bob@node-a.example.org", "acct:an n@node-a.example.org",
        "acct:ann@node-a.example.org:0", "acct:ann@node-a.example.org/x",
        "ftp://node-a.example.org/users/ann", "group:maths@node-a.example.org"}) {
    auto q = ParseWebFingerResource(r);
    EXPECT_FALSE(q.ok()) << r;
    if (!q.ok()) EXPECT_TRUE(q.status().Is(cs::Status::Code::kInvalidInput)) << r;
  }
}

// ---- BuildJrd ----

TEST(JrdTest, BuildsOurJrd) {
  EXPECT_EQ(BuildJrd("acct:ann@node-a.example.org", {"https://node-a.example.org/users/ann"},
                     "https://node-a.example.org/users/ann", "https://node-a.example.org/@ann"),
            "{\"subject\":\"acct:ann@node-a.example.org\","
            "\"aliases\":[\"https://node-a.example.org/users/ann\"],"
            "\"links\":[{\"rel\":\"self\",\"type\":\"application/activity+json\","
            "\"href\":\"https://node-a.example.org/users/ann\"},"
            "{\"rel\":\"http://webfinger.net/rel/profile-page\",\"type\":\"text/html\","
            "\"href\":\"https://node-a.example.org/@ann\"}]}");
  // Without a profile page only the self link.
  EXPECT_EQ(BuildJrd("acct:a@h.example", {}, "https://h.example/users/a", ""),
            "{\"subject\":\"acct:a@h.example\",\"aliases\":[],\"links\":[{\"rel\":\"self\","
            "\"type\":\"application/activity+json\",\"href\":\"https://h.example/users/a\"}]}");
  // Strings are JSON-escaped.
  EXPECT_EQ(BuildJrd("acct:a\"b\\c@h.example", {"x\ny"}, "https://h.example/\u00fc", ""),
            "{\"subject\":\"acct:a\\\"b\\\\c@h.example\",\"aliases\":[\"x\\ny\"],\"links\":[{"
            "\"rel\":\"self\",\"type\":\"application/activity+json\",\"href\":"
            "\"https://h.example/\xC3\xBC\"}]}");
  // Our own JRD reads back.
  auto self = ParseJrdSelf(BuildJrd("acct:a@h.example", {}, "https://h.example/users/a", ""), "");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(*self, "https://h.example/users/a");
}

// ---- ParseJrdSelfLinks / ParseJrdSelf ----

TEST(JrdTest, ReadsSelfLinksOfOtherServers) {
  // Mastodon
  const char* mastodon =
      R"({"subject":"acct:ann@node-b.example.net","aliases":["https://node-b.example.net/@ann"],
          "links":[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html",
                    "href":"https://node-b.example.net/@ann"},
                   {"rel":"self","type":"application/activity+json",
                    "href":"https://node-b.example.net/users/ann"},
                   {"rel":"http://ostatus.org/schema/1.0/subscribe",
                    "template":"https://node-b.example.net/authorize_interaction?uri={uri}"}]})";
  auto links = ParseJrdSelfLinks(mastodon);
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(*links, std::vector<std::string>{"https://node-b.example.net/users/ann"});
  auto self = ParseJrdSelf(mastodon, "");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(*self, "https://node-b.example.net/users/ann");

  // ld+json with the ActivityStreams profile (Pleroma, Friendica).
  links = ParseJrdSelfLinks(
      R"({"links":[{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://node-b.example.net/u/1"}]})");
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(*links, std::vector<std::string>{"https://node-b.example.net/u/1"});

  // BR-16 (Lemmy before the fix): a Person and a Group, both rel=self, in order.
  links = ParseJrdSelfLinks(
      R"({"subject":"acct:maths@node-b.example.net","links":[
          {"rel":"self","type":"application/activity+json","href":"https://node-b.example.net/u/maths",
           "properties":{"https://www.w3.org/ns/activitystreams#type":"Person"}},
          {"rel":"self","type":"application/activity+json","href":"https://node-b.example.net/c/maths",
           "properties":{"https://www.w3.org/ns/activitystreams#type":"Group"}}]})");
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(*links, (std::vector<std::string>{"https://node-b.example.net/u/maths",
                                              "https://node-b.example.net/c/maths"}));
}

TEST(JrdTest, SkipsLinksThatAreNotActivityPubSelfLinks) {
  auto links = ParseJrdSelfLinks(
      R"({"links":[
          {"rel":"self","type":"text/html","href":"https://h.example/a"},
          {"rel":"self","href":"https://h.example/b"},
          {"rel":"self","type":"application/activity+json"},
          {"rel":"self","type":"application/activity+json","href":42},
          {"rel":"alternate","type":"application/activity+json","href":"https://h.example/c"},
          {"type":"application/activity+json","href":"https://h.example/d"},
          "https://h.example/e", 7, null, [],
          {"rel":"self","type":"application/activity+json","href":"https://h.example/ok"}]})");
  ASSERT_TRUE(links.ok());
  EXPECT_EQ(*links, std::vector<std::string>{"https://h.example/ok"});

  for (const char* no_links : {"{}", R"({"links":{}})", R"({"links":"x"})", R"({"links":[]})"}) {
    links = ParseJrdSelfLinks(no_links);
    ASSERT_TRUE(links.ok()) << no_links;
    EXPECT_TRUE(links->empty()) << no_links;
    auto self = ParseJrdSelf(no_links, "");
    EXPECT_FALSE(self.ok());
    EXPECT_TRUE(self.status().Is(cs::Status::Code::kNotFound)) << no_links;
  }
}

TEST(JrdTest, RejectsBrokenLargeAndDeepDocuments) {
  for (const char* bad : {"", "not json", "{", "[1,2", "<html></html>"}) {
    EXPECT_FALSE(ParseJrdSelfLinks(bad).ok()) << bad;
    EXPECT_FALSE(ParseJrdSelf(bad, "").ok()) << bad;
  }
  std::string big = R"({"subject":")" + std::string(64 * 1024, 'a') + R"(","links":[]})";
  auto links = ParseJrdSelfLinks(big);
  ASSERT_FALSE(links.ok());
  EXPECT_TRUE(links.status().Is(cs::Status::Code::kTooLarge));
  std::string deep =
      R"({"links":[],"x":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_FALSE(ParseJrdSelfLinks(deep).ok());
}

// ---- WebFingerUrl ----

TEST(WebFingerUrlTest, BuildsTheQuery) {
  EXPECT_EQ(
      WebFingerUrl("https", Handle{"ann", "node-b.example.net"}),
      "https://node-b.example.net/.well-known/webfinger?resource=acct%3Aann%40node-b.example.net");
  // BR-13: the typed case of the user is kept; the host was lower-cased by ParseHandle.
  auto h = ParseHandle("@MsSmith@NODE-B.example.net");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(WebFingerUrl("https", *h),
            "https://node-b.example.net/.well-known/"
            "webfinger?resource=acct%3AMsSmith%40node-b.example.net");
  // BR-15: the query goes to the Punycode host.
  h = ParseHandle("lehrer@sch\xC3\xBCle.example.org");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(WebFingerUrl("https", *h),
            "https://xn--schle-mva.example.org/.well-known/webfinger?resource="
            "acct%3Alehrer%40xn--schle-mva.example.org");
  h = ParseHandle("ann@node-b.example.net:8443");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(WebFingerUrl("http", *h),
            "http://node-b.example.net:8443/.well-known/webfinger?resource="
            "acct%3Aann%40node-b.example.net%3A8443");
  // Non-ASCII user parts are percent-encoded as UTF-8.
  h = ParseHandle("J\xC3\xBCrgen@node-b.example.net");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(WebFingerUrl("https", *h),
            "https://node-b.example.net/.well-known/webfinger?resource="
            "acct%3AJ%C3%BCrgen%40node-b.example.net");
}

// ---- NodeInfo ----

TEST(NodeInfoTest, Discovery) {
  EXPECT_EQ(BuildNodeInfoDiscovery("https://node-a.example.org"),
            "{\"links\":[{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.1\","
            "\"href\":\"https://node-a.example.org/nodeinfo/2.1\"}]}");
  EXPECT_EQ(BuildNodeInfoDiscovery("https://node-a.example.org/"),
            "{\"links\":[{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.1\","
            "\"href\":\"https://node-a.example.org/nodeinfo/2.1\"}]}");
  EXPECT_EQ(BuildNodeInfoDiscovery("http://127.0.0.1:8080"),
            "{\"links\":[{\"rel\":\"http://nodeinfo.diaspora.software/ns/schema/2.1\","
            "\"href\":\"http://127.0.0.1:8080/nodeinfo/2.1\"}]}");
}

TEST(NodeInfoTest, Document) {
  NodeInfoStats stats{.users_total = 12,
                      .active_month = 7,
                      .active_halfyear = 9,
                      .local_posts = 345,
                      .open_registrations = false};
  EXPECT_EQ(BuildNodeInfo(stats, "0.1.0"),
            "{\"version\":\"2.1\",\"software\":{\"name\":\"cloudschool\",\"version\":\"0.1.0\","
            "\"homepage\":\"https://cloudschool.example/\"},\"protocols\":[\"activitypub\"],"
            "\"services\":{\"inbound\":[],\"outbound\":[]},\"openRegistrations\":false,"
            "\"usage\":{\"users\":{\"total\":12,\"activeMonth\":7,\"activeHalfyear\":9},"
            "\"localPosts\":345},\"metadata\":{\"nodeName\":\"Cloudschool\"}}");
  stats = {.users_total = 0, .open_registrations = true};
  EXPECT_EQ(BuildNodeInfo(stats, "1.2.3-rc\"1"),
            "{\"version\":\"2.1\",\"software\":{\"name\":\"cloudschool\",\"version\":"
            "\"1.2.3-rc\\\"1\",\"homepage\":\"https://cloudschool.example/\"},\"protocols\":["
            "\"activitypub\"],\"services\":{\"inbound\":[],\"outbound\":[]},"
            "\"openRegistrations\":true,\"usage\":{\"users\":{\"total\":0,\"activeMonth\":0,"
            "\"activeHalfyear\":0},\"localPosts\":0},\"metadata\":{\"nodeName\":\"Cloudschool\"}}");
  // Large counters are written exactly.
  stats = {.users_total = 5000000000LL};
  EXPECT_NE(BuildNodeInfo(stats, "0.1.0").find("\"total\":5000000000,"), std::string::npos);
}

}  // namespace
}  // namespace federation

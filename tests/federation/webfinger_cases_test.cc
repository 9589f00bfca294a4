// Federation cases on WebFinger (BR-13 username case, BR-15 IDN hosts, BR-16 one namespace per
// host, of /work/shared/cases/federation-cases.md) against a real node's routes, and the outgoing
// query against a real remote server on 127.0.0.1.
#include <gtest/gtest.h>

#include "federation/json.h"
#include "federation/webfinger.h"
#include "node/routes.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

using federation::HttpResponse;

HttpResponse WebFinger(CaseNode& node, const std::string& raw_resource,
                       const std::string& authority = kLocalDomain) {
  federation::HttpRequest r;
  r.method = "GET";
  r.scheme = "http";
  r.authority = authority;
  r.target = "/.well-known/webfinger?resource=" + raw_resource;
  r.headers.Set("accept", "application/jrd+json");
  node::Router router(node.node());
  return router.Handle(r);
}

std::string Subject(const std::string& jrd) {
  auto doc = federation::ParseJson(jrd);
  if (!doc.ok()) return "";
  auto s = federation::ReadString(*doc, "subject");
  return s ? std::string(*s) : "";
}

// ---- BR-13: case of the username ----

TEST(WebFingerCases, BR13_EverySpellingOfAMixedCaseAccountGivesTheSameJrd) {
  CaseNode node(NodeOptions{.users = {"MsSmith"}});
  const std::string id = node.User("MsSmith");
  const std::string expected =
      federation::BuildJrd("acct:MsSmith@node-a.example.org", {id}, id, id);
  for (const std::string& resource : std::vector<std::string>{
           "acct:MsSmith@node-a.example.org", "acct:mssmith@node-a.example.org",
           "acct:MSSMITH@node-a.example.org", "acct:mssmith@NODE-A.EXAMPLE.ORG",
           "acct:@mssmith@node-a.example.org", "acct%3AMsSmith%40node-a.example.org",
           "acct%3amssmith%40Node-A.Example.Org", "ACCT:mssmith@node-a.example.org",
           federation::PercentEncode(id), id}) {
    HttpResponse resp = WebFinger(node, resource);
    ASSERT_EQ(resp.status, 200) << resource << ": " << resp.body;
    EXPECT_EQ(resp.body, expected) << resource;
    EXPECT_EQ(resp.headers.Get("access-control-allow-origin"), "*");
    auto self = federation::ParseJrdSelfLinks(resp.body);
    ASSERT_TRUE(self.ok());
    EXPECT_EQ(*self, std::vector<std::string>{id}) << resource;
  }
  EXPECT_EQ(WebFinger(node, "acct:mssmith2@node-a.example.org").status, 404);
  EXPECT_EQ(WebFinger(node, "acct:mssmith@node-b.example.net").status, 404);
  EXPECT_EQ(WebFinger(node, "mssmith@node-a.example.org").status, 400);
  EXPECT_EQ(WebFinger(node, "acct:ms smith@node-a.example.org").status, 400);

  // A second account differing only in case is refused.
  federation::Uris uris(kLocalOrigin);
  auto again = node::AddUser(node.store(), uris, "mssmith", "", node.clock());
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().Is(cs::Status::Code::kConflict)) << again.status().ToString();
}

TEST(WebFingerCases, BR13_OutgoingQueryKeepsTheTypedCaseAndLowerCasesTheHost) {
  Remote b("node-b.example.net");
  CaseNode node(NodeOptions{.resolve = {b.resolve()}});
  const std::string actor = b.ServeActor("/users/MsSmith", 0);
  b.Serve("/.well-known/webfinger",
          testhttp::Respond(
              200, federation::BuildJrd("acct:MsSmith@" + b.authority(), {actor}, actor, ""),
              {{"Content-Type", "application/jrd+json"}}));
  auto resolved = node->ResolveActor("@MsSmith@NODE-B.Example.NET:" + std::to_string(b.port()));
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->id, actor);
  ASSERT_GE(b.Count("/.well-known/webfinger"), 1u);
  bool seen = false;
  for (const auto& r : b.requests()) {
    if (r.target.rfind("/.well-known/webfinger", 0) != 0) continue;
    seen = true;
    EXPECT_EQ(r.target, "/.well-known/webfinger?resource=acct%3AMsSmith%40node-b.example.net%3A" +
                            std::to_string(b.port()));
    EXPECT_EQ(r.Header("host"), b.authority());
  }
  EXPECT_TRUE(seen);
}

// ---- BR-15: IDN host in the resource ----

TEST(WebFingerCases, BR15_UnicodeAndPunycodeSpellingsResolveToTheSameActor) {
  CaseNode node(NodeOptions{.domain = "xn--schle-mva.example.org", .users = {"lehrer"}});
  const std::string id = node.User("lehrer");
  ASSERT_EQ(id, "http://xn--schle-mva.example.org/users/lehrer");
  const std::string expected =
      federation::BuildJrd("acct:lehrer@xn--schle-mva.example.org", {id}, id, id);
  for (const std::string& resource : std::vector<std::string>{
           "acct:lehrer@sch%C3%BCle.example.org", "acct%3Alehrer%40sch%C3%BCle.example.org",
           "acct:lehrer@sch\xC3\xBCle.example.org" /* raw UTF-8 (mastodon #1884) */,
           "acct:lehrer@xn--schle-mva.example.org", "acct:lehrer@XN--SCHLE-MVA.example.org",
           "acct:lehrer@SCH%C3%9CLE.example.org" /* upper-case U+00DC */}) {
    HttpResponse resp = WebFinger(node, resource, "xn--schle-mva.example.org");
    ASSERT_EQ(resp.status, 200) << resource << ": " << resp.body;
    EXPECT_EQ(resp.body, expected) << resource;
    // Nothing we emit contains Unicode or a percent-encoded host.
    for (char c : resp.body) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << resource;
    EXPECT_EQ(resp.body.find('%'), std::string::npos);
  }
  // Another Unicode host is not ours.
  EXPECT_EQ(
      WebFinger(node, "acct:lehrer@sch%C3%B6le.example.org", "xn--schle-mva.example.org").status,
      404);
  // Malformed UTF-8 in the host is a bad request, not a lookup.
  EXPECT_EQ(WebFinger(node, "acct:lehrer@sch%C3le.example.org", "xn--schle-mva.example.org").status,
            400);
  EXPECT_EQ(
      WebFinger(node, "acct:lehrer@sch%C0%AFle.example.org", "xn--schle-mva.example.org").status,
      400);
  EXPECT_EQ(
      Subject(
          WebFinger(node, "acct:LEHRER@sch%C3%BCle.example.org", "xn--schle-mva.example.org").body),
      "acct:lehrer@xn--schle-mva.example.org");
}

// ---- BR-16: a Person and a Group with the same name on one host ----

TEST(WebFingerCases, BR16_OneNamespacePerHostAndExactlyOneSelfLink) {
  CaseNode node(NodeOptions{.users = {"teacher1"}});
  federation::Uris uris(kLocalOrigin);
  // A local community "Maths" (Group) exists.
  store::ActorRecord group;
  group.id = std::string(kLocalOrigin) + "/c/maths";
  group.type = "Group";
  group.preferred_username = "Maths";
  group.inbox = group.id + "/inbox";
  group.followers = group.id + "/followers";
  group.url = group.id;
  group.local = true;
  ASSERT_TRUE(node.Update([&](store::Txn& txn) { return store::PutActor(txn, group); }).ok());

  // A teacher can not take its name, in any case.
  for (const char* name : {"maths", "MATHS", "Maths"}) {
    auto clash = node::AddUser(node.store(), uris, name, "", node.clock());
    ASSERT_FALSE(clash.ok()) << name;
    EXPECT_TRUE(clash.status().Is(cs::Status::Code::kConflict)) << clash.status().ToString();
    EXPECT_NE(clash.status().message().find("community"), std::string::npos)
        << clash.status().message();
  }
  // WebFinger answers with the one actor under that name: a single self link.
  HttpResponse resp = WebFinger(node, "acct:maths@node-a.example.org");
  ASSERT_EQ(resp.status, 200) << resp.body;
  auto self = federation::ParseJrdSelfLinks(resp.body);
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(*self, std::vector<std::string>{group.id});
  EXPECT_EQ(Subject(resp.body), "acct:Maths@node-a.example.org");

  // And the other way round: a teacher's name can not be reused (the Group path is the same
  // check: one local-name table for both types).
  auto dup = node::AddUser(node.store(), uris, "Teacher1", "", node.clock());
  ASSERT_FALSE(dup.ok());
  EXPECT_TRUE(dup.status().Is(cs::Status::Code::kConflict));
  EXPECT_NE(dup.status().message().find("teacher"), std::string::npos) << dup.status().message();
  resp = WebFinger(node, "acct:teacher1@node-a.example.org");
  ASSERT_EQ(resp.status, 200);
  self = federation::ParseJrdSelfLinks(resp.body);
  ASSERT_TRUE(self.ok());
  EXPECT_EQ(self->size(), 1u);
}

// Receiving side: a legacy JRD with two `self` links (a Person and a Group named alike, as
// Lemmy served them): each is fetched and the kind asked for wins.
TEST(WebFingerCases, BR16_TwoSelfLinksResolveByTheKindAskedFor) {
  Remote lemmy("lemmy.example.net");
  CaseNode node(NodeOptions{.resolve = {lemmy.resolve()}});
  const std::string person = lemmy.ServeActor("/u/maths", 0, "Person");
  const std::string group = lemmy.ServeActor("/c/maths", 1, "Group");
  lemmy.Serve("/.well-known/webfinger",
              testhttp::Respond(200,
                                "{\"subject\":\"acct:maths@" + lemmy.authority() + "\",\"links\":[" +
                                    "{\"rel\":\"self\",\"type\":\"application/activity+json\",\"href\":" +
                                    federation::JsonString(person) + "}," +
                                    "{\"rel\":\"self\",\"type\":\"application/activity+json\",\"href\":" +
                                    federation::JsonString(group) + "}]}",
                                {{"Content-Type", "application/jrd+json"}}));
  using Want = federation::ActorCache::Want;
  const std::string handle = "maths@" + lemmy.authority();
  auto as_group = node->actors().Lookup(handle, Want::kGroup);
  ASSERT_TRUE(as_group.ok()) << as_group.status().ToString();
  EXPECT_EQ(as_group->id, group);
  EXPECT_EQ(as_group->type, "Group");
  auto as_person = node->actors().Lookup(handle, Want::kNotGroup);
  ASSERT_TRUE(as_person.ok()) << as_person.status().ToString();
  EXPECT_EQ(as_person->id, person);
  auto any = node->actors().Lookup(handle);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->id, person);  // the first link when the caller does not say
}

}  // namespace
}  // namespace cases

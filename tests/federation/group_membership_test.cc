// Who belongs to a community on another node (federation/group_membership.h), against a real
// node and scripted remote servers: the member list is fetched from the group's server signed
// as our member teacher, paged, cached for the expiry (one fetch for a burst, at most one per
// 15 s for misses), and a failed lookup is an error the caller answers 503 with. Then the
// route: a signed GET of our teacher's post in that community is answered to a member's server
// and refused to others.
#include "federation/group_membership.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "node/routes.h"
#include "tests/federation/case_env.h"

namespace cases {
namespace {

constexpr int kGroupKey = 0, kCarol = 1, kDave = 2;

class GroupMembershipCases : public ::testing::Test {
 protected:
  GroupMembershipCases()
      : a_("node-a.example.net"),  // the community's server
        c_("node-c.example.com"),  // a member's server
        d_("node-d.example.org"),  // nobody's
        node_(NodeOptions{.resolve = {a_.resolve(), c_.resolve(), d_.resolve()}}) {
    carol_ = c_.ServeActor("/users/carol", kCarol);
    dave_ = d_.ServeActor("/users/dave", kDave);
    node_.Seed(c_, "/users/carol", kCarol);
    node_.Seed(d_, "/users/dave", kDave);
    teacher_ = node_.User("teacher1");
  }

  // A Group on A that our teacher1 belongs to; its followers at GROUP/followers.
  std::string AddGroup(const std::string& name, bool teacher_is_member = true) {
    node_.Seed(a_, "/c/" + name, kGroupKey, "Group");
    std::string id = a_.url("/c/" + name);
    if (teacher_is_member) node_.Follow("teacher1", id);
    return id;
  }

  // Serves GROUP/followers as A does: the collection, then pages of `per_page` along `next`,
  // only to a GET signed by teacher1 (else 404). `extra_next` is the last page's `next`.
  void ServeMembers(const std::string& group_path, std::vector<std::string> members,
                    size_t per_page, std::string extra_next = "") {
    const std::string id = a_.url(group_path + "/followers");
    const std::string key_id = teacher_ + "#main-key";
    a_.ServeDynamic(group_path + "/followers", [=](const testhttp::Recorded& r) {
      if (r.Header("signature").find("keyId=\"" + key_id + "\"") == std::string::npos)
        return testhttp::Respond(404, "{}");
      auto q = r.target.find("page=");
      std::string body;
      if (q == std::string::npos) {
        body = "{\"id\":\"" + id + "\",\"type\":\"OrderedCollection\",\"totalItems\":" +
               std::to_string(members.size()) + ",\"first\":\"" + id + "?page=1\"}";
      } else {
        size_t page = std::stoul(r.target.substr(q + 5));
        std::string items;
        for (size_t i = (page - 1) * per_page; i < members.size() && i < page * per_page; ++i)
          items += (items.empty() ? "\"" : ",\"") + members[i] + "\"";
        std::string next = page * per_page < members.size()
                               ? id + "?page=" + std::to_string(page + 1)
                               : extra_next;
        body = "{\"id\":\"" + id + "?page=" + std::to_string(page) +
               "\",\"type\":\"OrderedCollectionPage\",\"partOf\":\"" + id +
               "\",\"orderedItems\":[" + items + "]" +
               (next.empty() ? "" : ",\"next\":\"" + next + "\"") + "}";
      }
      return testhttp::Respond(200, body, {{"Content-Type", "application/activity+json"}});
    });
  }

  Remote a_, c_, d_;
  CaseNode node_;
  std::string carol_, dave_, teacher_;
};

TEST_F(GroupMembershipCases, MembersAreAskedOfTheGroupOncePerExpiry) {
  const std::string group = AddGroup("secret");
  const std::string eve = d_.url("/users/eve");  // on no member's server
  // Members on two pages; the last page's `next` points at another server (never followed).
  ServeMembers("/c/secret", {teacher_, carol_, a_.url("/users/ann")}, 2,
               d_.url("/c/secret/followers?page=3"));
  federation::GroupMembership m(node_->store(), node_->fetcher(), node_->uris(), node_.clock(),
                                {.expiry_ms = 180'000});

  auto carol = m.Entitled(group, carol_);
  ASSERT_TRUE(carol.ok()) << carol.status().ToString();
  EXPECT_TRUE(*carol);
  EXPECT_EQ(m.lookups(), 1u);
  EXPECT_EQ(a_.Count("/c/secret/followers"), 3u);  // the collection and its two pages
  EXPECT_EQ(d_.Count("/c/secret"), 0u);            // a page elsewhere is not followed
  // Signed as our member teacher (the group shows its members to members).
  for (const auto& r : a_.requests())
    EXPECT_NE(r.Header("signature").find(teacher_ + "#main-key"), std::string::npos) << r.target;

  // From the cache: carol's server (any of its actors), ann on page 2; eve is refused.
  EXPECT_TRUE(*m.Entitled(group, c_.url("/actor")));
  EXPECT_TRUE(*m.Entitled(group, a_.url("/users/ann")));
  auto stranger = m.Entitled(group, eve);
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(*stranger);
  auto dave = m.Entitled(group, dave_);
  ASSERT_TRUE(dave.ok());
  EXPECT_FALSE(*dave);
  // Misses within the expiry never ask again.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(*m.Entitled(group, dave_));
  EXPECT_EQ(m.lookups(), 1u);
  EXPECT_EQ(a_.Count("/c/secret/followers"), 3u);

  // After the expiry the list is asked for once more, and then kept again.
  node_.clock().Advance(180'001);
  EXPECT_FALSE(*m.Entitled(group, dave_));
  EXPECT_TRUE(*m.Entitled(group, carol_));
  EXPECT_EQ(m.lookups(), 2u);
  EXPECT_EQ(a_.Count("/c/secret/followers"), 6u);

  // dave joins: his server fetches what the group announced at once. A miss on a list at least
  // miss_refresh_ms (15 s) old asks once more and finds him; a stranger's misses ask at most
  // once per 15 s.
  ServeMembers("/c/secret", {teacher_, carol_, a_.url("/users/ann"), dave_}, 2);
  EXPECT_FALSE(*m.Entitled(group, dave_));  // the list was just fetched: not asked again
  EXPECT_EQ(m.lookups(), 2u);
  node_.clock().Advance(15'000);
  EXPECT_TRUE(*m.Entitled(group, dave_));
  EXPECT_EQ(m.lookups(), 3u);
  const std::string mallory = "https://nowhere.example/users/mallory";  // now dave's server is in
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(*m.Entitled(group, mallory));
  EXPECT_EQ(m.lookups(), 3u);
  node_.clock().Advance(15'000);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(*m.Entitled(group, mallory));
  EXPECT_EQ(m.lookups(), 4u);
}

TEST_F(GroupMembershipCases, NothingIsAskedWithoutAGroupOrAMemberToAskAs) {
  const std::string not_ours = AddGroup("elsewhere", /*teacher_is_member=*/false);
  ServeMembers("/c/elsewhere", {carol_}, 20);
  federation::GroupMembership m(node_->store(), node_->fetcher(), node_->uris(), node_.clock());
  EXPECT_FALSE(*m.Entitled(not_ours, carol_));  // none of ours is a member: nobody to ask as
  EXPECT_FALSE(*m.Entitled(a_.url("/c/unknown"), carol_));  // not a Group we know
  EXPECT_FALSE(*m.Entitled(carol_, carol_));                // a Person is no group
  EXPECT_FALSE(*m.Entitled(node_->uris().Community("local"), carol_));
  EXPECT_EQ(m.lookups(), 0u);
  EXPECT_EQ(a_.requests().size(), 0u);
}

TEST_F(GroupMembershipCases, ARefusalIsAnAnswerAFailureIsRetriedLater) {
  const std::string hidden = AddGroup("hidden");  // A answers 404: nobody we may see
  const std::string down = AddGroup("down");
  a_.ServeJson("/c/hidden/followers", "{}", 404);
  a_.ServeJson("/c/down/followers", "{\"error\":\"overloaded\"}", 503);
  federation::GroupMembership m(node_->store(), node_->fetcher(), node_->uris(), node_.clock(),
                                {.expiry_ms = 180'000, .retry_ms = 30'000});
  auto refused = m.Entitled(hidden, carol_);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_FALSE(*refused);

  auto failed = m.Entitled(down, carol_);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().Is(cs::Status::Code::kUnavailable)) << failed.status().ToString();
  EXPECT_FALSE(m.Entitled(down, carol_).ok());  // within retry_ms: the same answer, no fetch
  EXPECT_EQ(a_.Count("/c/down/followers"), 1u);
  // The group's server is back: asked again once retry_ms has passed.
  ServeMembers("/c/down", {carol_}, 20);
  node_.clock().Advance(30'001);
  auto back = m.Entitled(down, carol_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back);
  EXPECT_EQ(m.lookups(), 3u);  // hidden, down, down again
  EXPECT_EQ(a_.Count("/c/hidden/followers"), 1u);
}

TEST_F(GroupMembershipCases, ABurstOfRequestsCostsOneLookup) {
  const std::string group = AddGroup("busy");
  const std::string id = a_.url("/c/busy/followers");
  std::atomic<int> served{0};
  a_.ServeDynamic("/c/busy/followers", [&](const testhttp::Recorded&) {
    ++served;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a slow group server
    return testhttp::Respond(200,
                             "{\"id\":\"" + id + "\",\"type\":\"OrderedCollection\"," +
                                 "\"orderedItems\":[\"" + carol_ + "\"]}",
                             {{"Content-Type", "application/activity+json"}});
  });
  federation::GroupMembership m(node_->store(), node_->fetcher(), node_->uris(), node_.clock());
  std::vector<std::thread> threads;
  std::atomic<int> yes{0}, no{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      auto r = m.Entitled(group, i % 2 ? carol_ : dave_);
      if (r.ok()) (*r ? yes : no)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(yes.load(), 4);
  EXPECT_EQ(no.load(), 4);
  EXPECT_EQ(m.lookups(), 1u);
  EXPECT_EQ(served.load(), 1);
}

// The route: our teacher's post in a community on A, not public. C (carol's server) is answered
// after one lookup; dave and unsigned requests are refused; dave's requests cost no lookup more.
TEST_F(GroupMembershipCases, ASignedFetchOfOurPostInTheCommunityAsksTheGroup) {
  const std::string group = AddGroup("staff");
  ServeMembers("/c/staff", {teacher_, carol_}, 20);
  store::ObjectRecord note;
  note.id = node_->uris().NewNote("teacher1");
  note.type = "Note";
  note.attributed_to = teacher_;
  note.content_html = "<p>Staff meeting in room 42</p>";
  note.to = {group};
  note.audience = group;
  note.visibility = store::Visibility::kDirect;
  note.local = true;
  note.published_ms = node_.clock().NowMillis();
  ASSERT_TRUE(node_.Update([&](store::Txn& t) { return store::PutObject(t, note); }).ok());

  node::Router router(node_.node());
  auto get = [&](const std::string& signer, int key) {
    federation::HttpRequest r;
    r.method = "GET";
    r.scheme = "http";
    r.authority = kLocalDomain;
    r.target = note.id.substr(std::string(kLocalOrigin).size());
    r.headers.Set("accept", "application/activity+json");
    if (!signer.empty()) {
      EXPECT_TRUE(federation::SignCavage(r, signer + "#main-key", RemoteKey(key),
                                         node_.clock().NowSeconds())
                      .ok());
    }
    return router.Handle(r);
  };
  EXPECT_EQ(get("", 0).status, 404);
  EXPECT_EQ(a_.Count("/c/staff/followers"), 0u);  // unsigned: nobody is asked
  EXPECT_EQ(get(group, kGroupKey).status, 200);   // the community itself needs no list
  EXPECT_EQ(a_.Count("/c/staff/followers"), 0u);
  EXPECT_EQ(get(dave_, kDave).status, 404);
  EXPECT_EQ(a_.Count("/c/staff/followers"), 2u);  // the collection and its page
  auto as_carol = get(carol_, kCarol);
  EXPECT_EQ(as_carol.status, 200) << as_carol.body;
  EXPECT_NE(as_carol.body.find("room 42"), std::string::npos);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get(dave_, kDave).status, 404);
  EXPECT_EQ(a_.Count("/c/staff/followers"), 2u);  // one lookup for all of them
  EXPECT_EQ(node_->membership().lookups(), 1u);

  // The group's server fails: after the expiry a member's server gets 503 (try again), not 404
  // (which would read as deleted).
  a_.ServeDynamic("/c/staff/followers",
                  [](const testhttp::Recorded&) { return testhttp::Respond(503, ""); });
  node_.clock().Advance(4 * 60'000);
  auto later = get(carol_, kCarol);
  EXPECT_EQ(later.status, 503);
  EXPECT_EQ(later.headers.Get("retry-after"), "30");
}

}  // namespace
}  // namespace cases

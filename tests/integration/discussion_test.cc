// Discussions between two real nodes over HTTPS: likes and boosts counted on the author's node
// and taken back, a thread of replies across nodes, a mention reaching the mentioned teacher, a
// content warning arriving intact, and edits keeping their history.
#include <gtest/gtest.h>

#include "tests/integration/cluster.h"

namespace integ {
namespace {

// The item for `id` in `node`'s `thread --json` of `url` (nullptr when absent); keeps the document.
struct ThreadView {
  std::unique_ptr<rapidjson::Document> doc;
  const rapidjson::Value& items() const { return (*doc)["items"]; }
  const rapidjson::Value* Item(const std::string& id) const {
    if (!doc->IsObject() || !doc->HasMember("items")) return nullptr;
    return FindBy(items(), "id", id);
  }
};
ThreadView Thread(TestNode& node, const std::string& url) { return {node.Json({"thread", url})}; }

// The likes and boosts `node` counts on `id` ("likes/boosts"), from its thread view.
std::string Counts(TestNode& node, const std::string& id) {
  ThreadView t = Thread(node, id);
  const rapidjson::Value* item = t.Item(id);
  if (!item) return "missing";
  return std::to_string(Uint(*item, "likes")) + "/" + std::to_string(Uint(*item, "boosts"));
}

TEST(Discussion, LikesBoostsThreadsMentionsContentWarningsAndEdits) {
  Cluster cluster;
  TestNode& a = cluster.AddNode("a", {"ann"});
  TestNode& b = cluster.AddNode("b", {"bob"});
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string ann = a.ActorId("ann"), bob = b.ActorId("bob");

  // bob follows ann, so ann's posts reach B.
  RunResult follow = b.Run({"follow", "--as", "bob", a.Handle("ann")});
  ASSERT_EQ(follow.exit_code, 0) << follow.err;
  ASSERT_TRUE(WaitFor([&] { return b.FollowState("bob", ann, false) == "accepted"; }));

  RunResult post = a.Run({"post", "--as", "ann", "Our #Fractions unit starts Monday"});
  ASSERT_EQ(post.exit_code, 0) << post.err;
  const std::string note = Trim(post.out);
  ASSERT_TRUE(WaitFor([&] { return b.TimelineHas("bob", note); }))
      << "ann's post never reached bob";

  // Like and boost from B: A counts 1 and 1; a second like is refused and changes nothing.
  for (const char* cmd : {"like", "boost"}) {
    RunResult r = b.Run({cmd, "--as", "bob", note});
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  RunResult again = b.Run({"like", "--as", "bob", note});
  EXPECT_EQ(again.exit_code, 3) << again.out;
  ASSERT_TRUE(WaitFor([&] { return Counts(a, note) == "1/1"; })) << "A counts " << Counts(a, note);
  EXPECT_EQ(Counts(b, note), "1/1");
  {
    auto tl = a.Timeline("ann");
    const rapidjson::Value* item = FindBy(*tl, "id", note);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Uint(*item, "likes"), 1u);
    EXPECT_EQ(Uint(*item, "boosts"), 1u);
    EXPECT_EQ(Uint(*item, "replies"), 0u);
  }
  for (const char* cmd : {"unlike", "unboost"}) {
    RunResult r = b.Run({cmd, "--as", "bob", note});
    ASSERT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  ASSERT_TRUE(WaitFor([&] { return Counts(a, note) == "0/0"; })) << "A counts " << Counts(a, note);
  EXPECT_EQ(Counts(b, note), "0/0");

  // A thread across nodes: bob replies, ann answers bob, bob answers ann.
  RunResult r1 = b.Run({"post", "--as", "bob", "--reply-to", note, "We start with halves."});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const std::string reply1 = Trim(r1.out);
  ASSERT_TRUE(WaitFor([&] { return Thread(a, note).Item(reply1) != nullptr; }))
      << "reply 1 never reached A";
  RunResult r2 = a.Run({"post", "--as", "ann", "--reply-to", reply1, "Halves, then quarters?"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const std::string reply2 = Trim(r2.out);
  ASSERT_TRUE(WaitFor([&] { return Thread(b, note).Item(reply2) != nullptr; }))
      << "reply 2 never reached B";
  RunResult r3 = b.Run({"post", "--as", "bob", "--reply-to", reply2, "Yes, with paper strips."});
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  const std::string reply3 = Trim(r3.out);
  ASSERT_TRUE(WaitFor([&] { return Thread(a, note).Item(reply3) != nullptr; }))
      << "reply 3 never reached A";
  for (TestNode* node : {&a, &b}) {
    SCOPED_TRACE(node->name());
    // Any post of the thread shows the whole thread, root first, depth first.
    ThreadView t = Thread(*node, reply3);
    ASSERT_TRUE(t.doc->IsObject());
    EXPECT_EQ(Str(*t.doc, "root"), note);
    ASSERT_EQ(t.items().Size(), 4u);
    const std::string ids[] = {note, reply1, reply2, reply3};
    for (unsigned i = 0; i < 4; ++i) {
      EXPECT_EQ(Str(t.items()[i], "id"), ids[i]);
      EXPECT_EQ(Uint(t.items()[i], "depth"), i);
      EXPECT_EQ(Uint(t.items()[i], "replies"), i < 3 ? 1u : 0u);
      if (i > 0) EXPECT_EQ(Str(t.items()[i], "in_reply_to"), ids[i - 1]);
    }
    EXPECT_EQ(Str(t.items()[2], "actor"), ann);
    EXPECT_EQ(Str(t.items()[3], "actor"), bob);
  }
  // The replies collection of ann's post lists bob's reply.
  {
    HttpResult page = cluster.Get(note + "/replies?page=1", {"Accept: application/activity+json"});
    ASSERT_EQ(page.status, 200) << page.body;
    auto doc = ParseJson(page.body);
    ASSERT_TRUE(doc->IsObject() && (*doc)["orderedItems"].IsArray());
    ASSERT_EQ((*doc)["orderedItems"].Size(), 1u);
    EXPECT_EQ(std::string((*doc)["orderedItems"][0].GetString()), reply1);
  }

  // bob mentions ann by handle (resolved by WebFinger): it reaches ann's timeline with a Mention.
  RunResult mention =
      b.Run({"post", "--as", "bob", "Thanks @" + a.Handle("ann") + " for the idea"});
  ASSERT_EQ(mention.exit_code, 0) << mention.err;
  const std::string mention_id = Trim(mention.out);
  ASSERT_TRUE(WaitFor([&] { return a.TimelineHas("ann", mention_id); }))
      << "the mention never reached ann";
  {
    auto tl = a.Timeline("ann");
    const rapidjson::Value* item = FindBy(*tl, "id", mention_id);
    ASSERT_NE(item, nullptr);
    const rapidjson::Value* tag = FindBy((*item)["tags"], "type", "Mention");
    ASSERT_NE(tag, nullptr);
    EXPECT_EQ(Str(*tag, "href"), ann);
    EXPECT_EQ(Str(*tag, "name"), "@" + a.Handle("ann"));
    EXPECT_NE(Str(*item, "content").find("class=\"u-url mention\""), std::string::npos)
        << Str(*item, "content");
  }
  // An unresolvable mention is refused before anything is posted.
  RunResult bad = b.Run({"post", "--as", "bob", "Hi @nobody@" + a.domain()});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("@nobody@"), std::string::npos) << bad.err;

  // A content warning arrives with its summary and sensitive flag.
  RunResult cw =
      a.Run({"post", "--as", "ann", "--summary", "Test answers", "--sensitive", "1/2 + 1/4 = 3/4"});
  ASSERT_EQ(cw.exit_code, 0) << cw.err;
  const std::string cw_id = Trim(cw.out);
  ASSERT_TRUE(WaitFor([&] { return b.TimelineHas("bob", cw_id); }));
  {
    auto tl = b.Timeline("bob");
    const rapidjson::Value* item = FindBy(*tl, "id", cw_id);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(Str(*item, "summary"), "Test answers");
    ASSERT_TRUE(item->HasMember("sensitive"));
    EXPECT_TRUE((*item)["sensitive"].GetBool());
  }

  // ann edits her post twice: both nodes keep the earlier versions.
  ASSERT_EQ(a.Run({"edit", "--as", "ann", note, "Our #Fractions unit starts Tuesday"}).exit_code,
            0);
  ASSERT_EQ(a.Run({"edit", "--as", "ann", note, "Our #Fractions unit starts Wednesday"}).exit_code,
            0);
  auto edits_on = [&](TestNode& node) -> size_t {
    ThreadView t = Thread(node, note);
    const rapidjson::Value* item = t.Item(note);
    return item && (*item)["edits"].IsArray() ? (*item)["edits"].Size() : 0;
  };
  ASSERT_TRUE(WaitFor([&] { return edits_on(b) == 2; })) << "B kept " << edits_on(b) << " versions";
  for (TestNode* node : {&a, &b}) {
    SCOPED_TRACE(node->name());
    ThreadView t = Thread(*node, note);
    const rapidjson::Value* item = t.Item(note);
    ASSERT_NE(item, nullptr);
    ASSERT_EQ((*item)["edits"].Size(), 2u);
    EXPECT_NE(Str((*item)["edits"][0], "content").find("Monday"), std::string::npos);
    EXPECT_NE(Str((*item)["edits"][1], "content").find("Tuesday"), std::string::npos);
    EXPECT_NE(Str(*item, "content").find("Wednesday"), std::string::npos);
    const rapidjson::Value* hashtag = FindBy((*item)["tags"], "type", "Hashtag");
    ASSERT_NE(hashtag, nullptr);
    EXPECT_EQ(Str(*hashtag, "name"), "#fractions");
  }
}

}  // namespace
}  // namespace integ

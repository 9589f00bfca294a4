#include "store/lmdb_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/records.h"
#include "store/writer.h"
#include "tests/test_util.h"

namespace store {
namespace {

std::unique_ptr<Store> Fresh(const testutil::TempDir& dir) {
  auto s = Store::Open(dir.str(), {.create = true});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(LmdbStore, OpenWithoutInitSaysRunInit) {
  testutil::TempDir dir;
  auto s = Store::Open(dir.str());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), cs::Status::Code::kNotFound);
  EXPECT_NE(s.status().message().find("cloudschool init"), std::string::npos);
}

TEST(LmdbStore, PutGetDeleteAndSchemaVersion) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  ASSERT_TRUE(store->Update([](Txn& t) { return t.Put(Db::kMeta, "k", "v"); }).ok());
  auto r = store->BeginRead();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get(Db::kMeta, "k").value(), "v");
  EXPECT_EQ(r->Get(Db::kMeta, "missing").status().code(), cs::Status::Code::kNotFound);
  r->Abort();
  ASSERT_TRUE(store->Update([](Txn& t) { return t.Delete(Db::kMeta, "k"); }).ok());
  ASSERT_TRUE(store->View([](Txn& t) {
    EXPECT_FALSE(t.Contains(Db::kMeta, "k"));
    return cs::Status::Ok();
  }).ok());
}

TEST(LmdbStore, InsertRefusesExistingKey) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  ASSERT_TRUE(store->Update([](Txn& t) { return t.Insert(Db::kMeta, "a", "1"); }).ok());
  cs::Status st = store->Update([](Txn& t) { return t.Insert(Db::kMeta, "a", "2"); });
  EXPECT_EQ(st.code(), cs::Status::Code::kConflict);
}

TEST(LmdbStore, ScanPrefixForwardAndReverse) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  ASSERT_TRUE(store->Update([](Txn& t) {
    for (int i = 1; i <= 5; ++i)
      CS_RETURN_IF_ERROR(t.Put(Db::kTimelines, JoinKey("alice", EncodeBe64(i)), "a" + std::to_string(i)));
    CS_RETURN_IF_ERROR(t.Put(Db::kTimelines, JoinKey("alicf", EncodeBe64(1)), "x"));
    return t.Put(Db::kTimelines, JoinKey("alic", EncodeBe64(9)), "y");
  }).ok());
  std::vector<std::string> fwd, rev;
  ASSERT_TRUE(store->View([&](Txn& t) {
    CS_RETURN_IF_ERROR(t.Scan(Db::kTimelines, JoinKey("alice", ""), [&](auto, auto v) {
      fwd.emplace_back(v);
      return true;
    }));
    return t.Scan(Db::kTimelines, JoinKey("alice", ""), [&](auto, auto v) {
      rev.emplace_back(v);
      return rev.size() < 3;
    }, /*reverse=*/true);
  }).ok());
  EXPECT_EQ(fwd, (std::vector<std::string>{"a1", "a2", "a3", "a4", "a5"}));
  EXPECT_EQ(rev, (std::vector<std::string>{"a5", "a4", "a3"}));
}

TEST(LmdbStore, ReverseScanOfLastPrefixInDatabase) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  ASSERT_TRUE(store->Update([](Txn& t) {
    CS_RETURN_IF_ERROR(t.Put(Db::kOutbox, "b\x1f" "1", "b1"));
    return t.Put(Db::kOutbox, "b\x1f" "2", "b2");
  }).ok());
  std::vector<std::string> rev;
  ASSERT_TRUE(store->View([&](Txn& t) {
    return t.Scan(Db::kOutbox, "b\x1f", [&](auto, auto v) { rev.emplace_back(v); return true; }, true);
  }).ok());
  EXPECT_EQ(rev, (std::vector<std::string>{"b2", "b1"}));
}

TEST(LmdbStore, AbortedTransactionChangesNothing) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  {
    auto w = store->BeginWrite();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Put(Db::kMeta, "gone", "1").ok());
    // destructor aborts
  }
  ASSERT_TRUE(store->View([](Txn& t) {
    EXPECT_FALSE(t.Contains(Db::kMeta, "gone"));
    return cs::Status::Ok();
  }).ok());
}

TEST(LmdbStore, ReopenKeepsDataAndSequences) {
  testutil::TempDir dir;
  {
    auto store = Fresh(dir);
    ASSERT_TRUE(store->Update([](Txn& t) {
      auto a = t.NextSequence();
      auto b = t.NextSequence();
      EXPECT_EQ(*a + 1, *b);
      return t.Put(Db::kMeta, "x", "y");
    }).ok());
  }
  auto again = Store::Open(dir.str());
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Update([](Txn& t) {
    EXPECT_EQ(t.Get(Db::kMeta, "x").value(), "y");
    EXPECT_EQ(t.NextSequence().value(), 3u);
    return cs::Status::Ok();
  }).ok());
}

TEST(LmdbStore, CopyToMakesAConsistentBackup) {
  testutil::TempDir dir, backup;
  auto store = Fresh(dir);
  ASSERT_TRUE(store->Update([](Txn& t) { return t.Put(Db::kActors, "id", "rec"); }).ok());
  ASSERT_TRUE(store->CopyTo(backup.str() + "/db").ok());
  auto copy = Store::Open(backup.str());
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  ASSERT_TRUE((*copy)->View([](Txn& t) {
    EXPECT_EQ(t.Get(Db::kActors, "id").value(), "rec");
    return cs::Status::Ok();
  }).ok());
  EXPECT_EQ(store->CopyTo(backup.str() + "/db").code(), cs::Status::Code::kConflict);
}

TEST(Writer, GroupCommitIsolatesFailingUnits) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  Writer writer(*store);
  std::vector<std::future<cs::Status>> futures;
  for (int i = 0; i < 200; ++i) {
    futures.push_back(writer.Submit([i](Txn& t) -> cs::Status {
      CS_RETURN_IF_ERROR(t.Put(Db::kSeen, "id" + std::to_string(i), "x"));
      if (i % 10 == 0) return cs::Status::InvalidInput("unit " + std::to_string(i) + " refused");
      return cs::Status::Ok();
    }));
  }
  int ok = 0, refused = 0;
  for (auto& f : futures) (f.get().ok() ? ok : refused)++;
  EXPECT_EQ(ok, 180);
  EXPECT_EQ(refused, 20);
  ASSERT_TRUE(store->View([](Txn& t) {
    EXPECT_EQ(t.Count(Db::kSeen), 180u);
    EXPECT_FALSE(t.Contains(Db::kSeen, "id10"));
    EXPECT_TRUE(t.Contains(Db::kSeen, "id11"));
    return cs::Status::Ok();
  }).ok());
}

TEST(Records, RoundTripAndFollowIndex) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  ActorRecord a;
  a.id = "https://a.example/users/Ann";
  a.preferred_username = "Ann";
  a.local = true;
  a.inbox = a.id + "/inbox";
  FollowRecord f{.follower = "https://b.example/users/bob", .followee = a.id,
                 .activity_id = "https://b.example/f/1", .state = FollowState::kAccepted};
  ASSERT_TRUE(store->Update([&](Txn& t) {
    CS_RETURN_IF_ERROR(PutActor(t, a));
    return PutFollow(t, f);
  }).ok());
  ASSERT_TRUE(store->View([&](Txn& t) {
    auto byname = GetLocalActorByName(t, "aNN");
    EXPECT_TRUE(byname.ok());
    EXPECT_EQ(byname->inbox, a.inbox);
    auto followers = ListFollowers(t, a.id);
    EXPECT_EQ(followers.size(), 1u);
    EXPECT_EQ(followers[0].state, FollowState::kAccepted);
    EXPECT_EQ(ListFollowing(t, f.follower).size(), 1u);
    EXPECT_EQ(GetLocalActorByName(t, "nobody").status().code(), cs::Status::Code::kNotFound);
    return cs::Status::Ok();
  }).ok());
}

TEST(Records, CorruptBytesDecodeToNothing) {
  EXPECT_FALSE(ActorRecord::Decode("").has_value());
  EXPECT_FALSE(ActorRecord::Decode("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01").has_value());
  EXPECT_FALSE(ObjectRecord::Decode(std::string("\x07", 1)).has_value());
}

TEST(Records, SeenOnceAndDomainBlocksCoverSubdomains) {
  testutil::TempDir dir;
  auto store = Fresh(dir);
  ASSERT_TRUE(store->Update([](Txn& t) {
    EXPECT_TRUE(MarkSeen(t, "https://x/1", 1).value());
    EXPECT_FALSE(MarkSeen(t, "https://x/1", 2).value());
    CS_RETURN_IF_ERROR(t.Put(Db::kPolicy, JoinKey("block", "127.0.0.1:8081"), ""));
    CS_RETURN_IF_ERROR(t.Put(Db::kPolicy, JoinKey("block", "[::1]:9000"), ""));
    return t.Put(Db::kPolicy, JoinKey("block", "evil.example"), "");
  }).ok());
  ASSERT_TRUE(store->View([](Txn& t) {
    EXPECT_TRUE(IsBlocked(t, "evil.example"));
    EXPECT_TRUE(IsBlocked(t, "a.b.EVIL.example:8443"));
    EXPECT_FALSE(IsBlocked(t, "notevil.example"));
    // HOST:PORT blocks that one server, not its neighbours on the same address.
    EXPECT_TRUE(IsBlocked(t, "127.0.0.1:8081"));
    EXPECT_FALSE(IsBlocked(t, "127.0.0.1:8080"));
    EXPECT_FALSE(IsBlocked(t, "127.0.0.1"));
    EXPECT_TRUE(IsBlocked(t, "[::1]:9000"));
    EXPECT_FALSE(IsBlocked(t, "[::1]:9001"));
    return cs::Status::Ok();
  }).ok());
}

}  // namespace
}  // namespace store

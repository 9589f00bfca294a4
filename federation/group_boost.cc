#include "federation/group_boost.h"

#include "federation/crypto.h"
#include "federation/documents.h"
#include "federation/json.h"

namespace federation {
namespace {

// GROUP/boosts/HASH: one boost per post and group; the hash keeps the id short and URL-safe.
std::string BoostId(const store::CommunityRecord& group, const std::string& post_id) {
  static const char* kHex = "0123456789abcdef";
  std::string digest = Sha256(post_id), hex;
  for (size_t i = 0; i < 16; ++i) {
    hex.push_back(kHex[static_cast<unsigned char>(digest[i]) >> 4]);
    hex.push_back(kHex[static_cast<unsigned char>(digest[i]) & 15]);
  }
  return group.id + "/boosts/" + hex;
}

struct Addressing {
  std::vector<std::string> to, cc;
  store::Visibility visibility;
};

cs::Result<Addressing> AddressingOf(const store::Txn& txn, const store::CommunityRecord& group) {
  auto actor = store::GetActor(txn, group.id);
  if (!actor.ok()) return actor.status();
  if (group.visibility == store::CommunityVisibility::kPublic)
    return Addressing{{kPublic}, {actor->followers}, store::Visibility::kPublic};
  return Addressing{{actor->followers}, {}, store::Visibility::kFollowers};
}

}  // namespace

cs::Result<std::string> StoreGroupBoost(store::Txn& txn, const store::CommunityRecord& group,
                                        const std::string& post_id, int64_t now_ms) {
  auto addressing = AddressingOf(txn, group);
  if (!addressing.ok()) return addressing.status();
  store::ActivityRecord boost{.id = BoostId(group, post_id),
                              .type = "Announce",
                              .actor = group.id,
                              .object_id = post_id,
                              .visibility = addressing->visibility,
                              .published_ms = now_ms};
  boost.json = ActivityJson({.id = boost.id,
                             .type = "Announce",
                             .actor = group.id,
                             .to = addressing->to,
                             .cc = addressing->cc,
                             .published_ms = now_ms,
                             .object_id = post_id});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, boost));
  return boost.id;
}

cs::Result<std::string> StoreGroupBoostUndo(store::Txn& txn, const store::CommunityRecord& group,
                                            const std::string& post_id, int64_t now_ms) {
  auto boost = store::GetActivity(txn, BoostId(group, post_id));
  if (!boost.ok() || store::GetActivity(txn, boost->id + "/undo").ok()) return std::string();
  auto addressing = AddressingOf(txn, group);
  if (!addressing.ok()) return addressing.status();
  store::ActivityRecord undo{.id = boost->id + "/undo",
                             .type = "Undo",
                             .actor = group.id,
                             .object_id = boost->id,
                             .visibility = addressing->visibility,
                             .published_ms = now_ms};
  undo.json =
      ActivityJson({.id = undo.id,
                    .type = "Undo",
                    .actor = group.id,
                    .to = addressing->to,
                    .cc = addressing->cc,
                    .published_ms = now_ms,
                    .object_json = "{\"id\":" + JsonString(boost->id) +
                                   ",\"type\":\"Announce\",\"actor\":" + JsonString(group.id) +
                                   ",\"object\":" + JsonString(post_id) + "}"});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, undo));
  return undo.id;
}

}  // namespace federation

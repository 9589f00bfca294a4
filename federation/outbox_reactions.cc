// Outbox: Like, Undo(Like), Announce, Undo(Announce) (declared in federation/outbox.h).
#include <algorithm>

#include "federation/discussion.h"
#include "federation/documents.h"
#include "federation/outbox.h"

namespace federation {
namespace {

// The embedded Like or Announce inside an Undo.
std::string ReactionObjectJson(const std::string& id, const std::string& type,
                               const std::string& actor, const std::string& object) {
  return "{\"id\":" + JsonString(id) + ",\"type\":" + JsonString(type) +
         ",\"actor\":" + JsonString(actor) + ",\"object\":" + JsonString(object) + "}";
}

cs::Result<store::ObjectRecord> ReactableObject(const store::Txn& txn, std::string_view id) {
  auto object = store::GetObject(txn, id);
  if (!object.ok()) return cs::Status::NotFound("no post " + std::string(id) + " here");
  if (object->deleted()) return cs::Status::Gone("the post was deleted");
  return object;
}

// Removes `activity_id` from `actor`'s outbox (newest first: an undone boost is usually recent).
cs::Status RemoveFromOutbox(store::Txn& txn, const std::string& actor,
                            const std::string& activity_id) {
  std::string key;
  CS_RETURN_IF_ERROR(txn.Scan(
      store::Db::kOutbox, store::JoinKey(actor, ""),
      [&](std::string_view k, std::string_view v) {
        if (v != activity_id) return true;
        key = std::string(k);
        return false;
      },
      /*reverse=*/true));
  return key.empty() ? cs::Status::Ok() : txn.Delete(store::Db::kOutbox, key);
}

}  // namespace

cs::Status Outbox::Like(store::Txn& txn, std::string_view user, std::string_view object_id) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  auto object = ReactableObject(txn, object_id);
  if (!object.ok()) return object.status();
  if (store::GetReaction(txn, store::Reaction::kLike, object->id, me->id).ok())
    return cs::Status::Conflict(std::string(user) + " already likes " + object->id);
  int64_t now = clock_.NowMillis();
  store::ActivityRecord like;
  like.id = uris_.NewActivity(me->preferred_username);
  like.type = "Like";
  like.actor = me->id;
  like.object_id = object->id;
  like.visibility = object->visibility == store::Visibility::kPublic ? store::Visibility::kPublic
                                                                     : store::Visibility::kDirect;
  like.published_ms = now;
  like.json = ActivityJson({.id = like.id,
                            .type = "Like",
                            .actor = me->id,
                            .to = {object->attributed_to},
                            .published_ms = now,
                            .object_id = object->id});
  CS_RETURN_IF_ERROR(
      store::AddReaction(txn, store::Reaction::kLike, object->id, me->id, like.id).status());
  return Publish(txn, *me, like, false, {object->attributed_to}, "");
}

cs::Status Outbox::Unlike(store::Txn& txn, std::string_view user,
                          std::string_view object_id) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  // Nothing to take back: a conflict with the state, as liking twice is.
  auto like_id = store::GetReaction(txn, store::Reaction::kLike, object_id, me->id);
  if (!like_id.ok())
    return cs::Status::Conflict(std::string(user) + " does not like " + std::string(object_id));
  CS_RETURN_IF_ERROR(
      store::RemoveReaction(txn, store::Reaction::kLike, object_id, me->id).status());
  auto object = store::GetObject(txn, object_id);
  std::string author = object.ok() ? object->attributed_to : "";
  int64_t now = clock_.NowMillis();
  store::ActivityRecord undo;
  undo.id = uris_.NewActivity(me->preferred_username);
  undo.type = "Undo";
  undo.actor = me->id;
  undo.object_id = *like_id;
  undo.visibility = object.ok() && object->visibility == store::Visibility::kPublic
                        ? store::Visibility::kPublic
                        : store::Visibility::kDirect;
  undo.published_ms = now;
  std::vector<std::string> to;
  if (!author.empty()) to.push_back(author);
  undo.json = ActivityJson(
      {.id = undo.id,
       .type = "Undo",
       .actor = me->id,
       .to = to,
       .published_ms = now,
       .object_json = ReactionObjectJson(*like_id, "Like", me->id, std::string(object_id))});
  return Publish(txn, *me, undo, false, to, "");
}

cs::Status Outbox::Boost(store::Txn& txn, std::string_view user, std::string_view object_id) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  auto object = ReactableObject(txn, object_id);
  if (!object.ok()) return object.status();
  if (object->visibility != store::Visibility::kPublic)
    return cs::Status::Forbidden("only public posts can be boosted");
  if (store::GetReaction(txn, store::Reaction::kBoost, object->id, me->id).ok())
    return cs::Status::Conflict(std::string(user) + " already boosted " + object->id);
  int64_t now = clock_.NowMillis();
  store::ActivityRecord announce;
  announce.id = uris_.NewActivity(me->preferred_username);
  announce.type = "Announce";
  announce.actor = me->id;
  announce.object_id = object->id;
  announce.visibility = store::Visibility::kPublic;
  announce.published_ms = now;
  announce.json = ActivityJson({.id = announce.id,
                                .type = "Announce",
                                .actor = me->id,
                                .to = {kPublic},
                                .cc = {me->followers, object->attributed_to},
                                .published_ms = now,
                                .object_id = object->id});
  CS_RETURN_IF_ERROR(
      store::AddReaction(txn, store::Reaction::kBoost, object->id, me->id, announce.id).status());
  CS_RETURN_IF_ERROR(Publish(txn, *me, announce, true, {object->attributed_to}, ""));
  // The teacher's local followers see the boosted post on their home timelines.
  for (const auto& f : store::ListFollowers(txn, me->id))
    if (f.state == store::FollowState::kAccepted && uris_.IsLocal(f.follower) &&
        f.follower != object->attributed_to)
      CS_RETURN_IF_ERROR(store::AddToTimeline(txn, f.follower, object->id, now));
  return cs::Status::Ok();
}

cs::Status Outbox::Unboost(store::Txn& txn, std::string_view user,
                           std::string_view object_id) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  auto announce_id = store::GetReaction(txn, store::Reaction::kBoost, object_id, me->id);
  if (!announce_id.ok())
    return cs::Status::Conflict(std::string(user) + " has not boosted " + std::string(object_id));
  CS_RETURN_IF_ERROR(
      store::RemoveReaction(txn, store::Reaction::kBoost, object_id, me->id).status());
  CS_RETURN_IF_ERROR(RemoveFromOutbox(txn, me->id, *announce_id));
  auto object = store::GetObject(txn, object_id);
  std::vector<std::string> extra;
  if (object.ok()) extra.push_back(object->attributed_to);
  int64_t now = clock_.NowMillis();
  store::ActivityRecord undo;
  undo.id = uris_.NewActivity(me->preferred_username);
  undo.type = "Undo";
  undo.actor = me->id;
  undo.object_id = *announce_id;
  undo.published_ms = now;
  std::vector<std::string> cc = {me->followers};
  cc.insert(cc.end(), extra.begin(), extra.end());
  undo.json = ActivityJson({.id = undo.id,
                            .type = "Undo",
                            .actor = me->id,
                            .to = {kPublic},
                            .cc = cc,
                            .published_ms = now,
                            .object_json = ReactionObjectJson(*announce_id, "Announce", me->id,
                                                              std::string(object_id))});
  return Publish(txn, *me, undo, true, extra, "");
}

}  // namespace federation

#include "federation/activity_handlers.h"

#include <algorithm>
#include <optional>

#include "federation/authorship.h"
#include "federation/discussion.h"
#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/resource.h"
#include "federation/url.h"
#include "store/clock.h"

namespace federation {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool IsContentType(std::string_view t) {
  return t == "Note" || t == "Page" || t == "Article" || t == "Document" || t == "Question" ||
         t == "Video" || t == "Image" || t == "Event" || t == "Audio" || t == "ChatMessage";
}

}  // namespace

store::ObjectRecord ObjectRecordFromDoc(const ObjectDoc& o, const store::ActorRecord& author,
                                        int64_t now_ms) {
  store::ObjectRecord r;
  r.id = o.id;
  r.type = o.type;
  r.attributed_to = o.attributed_to.empty() ? author.id : o.attributed_to;
  r.in_reply_to = o.in_reply_to;
  r.content_html = SanitizeHtml(o.content_html);
  r.summary = PlainSummary(o.summary);
  r.name = o.name;
  r.url = o.url;
  r.tags = KeepTags(o.tags);
  r.to = o.to;
  r.cc = o.cc;
  r.audience = o.audience;
  r.sensitive = o.sensitive;
  if (Contains(o.to, kPublic) || Contains(o.cc, kPublic))
    r.visibility = store::Visibility::kPublic;
  else if (!author.followers.empty() &&
           (Contains(o.to, author.followers) || Contains(o.cc, author.followers)))
    r.visibility = store::Visibility::kFollowers;
  else
    r.visibility = store::Visibility::kDirect;
  int64_t published = o.published.empty() ? -1 : cs::ParseRfc3339Millis(o.published);
  r.published_ms = published > 0 ? published : now_ms;
  int64_t updated = o.updated.empty() ? -1 : cs::ParseRfc3339Millis(o.updated);
  if (updated > 0) r.updated_ms = updated;
  return r;
}

bool ActivityHandlers::Handles(std::string_view t) {
  return t == "Follow" || t == "Accept" || t == "Reject" || t == "Undo" || t == "Create" ||
         t == "Update" || t == "Delete" || t == "Announce" || t == "Like" || t == "Dislike" ||
         t == "EmojiReact";
}

cs::Status ActivityHandlers::Apply(store::Txn& txn, const ActivityDoc& a,
                                   const store::ActorRecord& sender) const {
  // Meant for one of our communities: the group checks first (a refusal changes nothing) and
  // announces to its members after the activity was applied.
  auto groups = group_.GroupsFor(txn, a);
  for (const auto& g : groups) CS_RETURN_IF_ERROR(group_.Check(txn, a, sender, g));
  CS_RETURN_IF_ERROR(Dispatch(txn, a, sender));
  for (const auto& g : groups) CS_RETURN_IF_ERROR(group_.Distribute(txn, a, a.source_json, g));
  return cs::Status::Ok();
}

cs::Status ActivityHandlers::Dispatch(store::Txn& txn, const ActivityDoc& a,
                                      const store::ActorRecord& sender) const {
  if (a.type == "Follow") return OnFollow(txn, a, sender);
  if (a.type == "Accept") return OnAcceptOrReject(txn, a, true);
  if (a.type == "Reject") return OnAcceptOrReject(txn, a, false);
  if (a.type == "Undo") return OnUndo(txn, a);
  if (a.type == "Create") return OnCreate(txn, a, sender);
  if (a.type == "Update") return OnUpdate(txn, a, sender);
  if (a.type == "Delete") return OnDelete(txn, a, sender);
  if (a.type == "Announce") return OnAnnounce(txn, a, sender);
  if (a.type == "Like" || a.type == "EmojiReact") return ApplyLike(txn, a);  // discussion.h
  return cs::Status::Ok();
}

cs::Status ActivityHandlers::OnFollow(store::Txn& txn, const ActivityDoc& a,
                                      const store::ActorRecord& sender) const {
  if (!uris_.IsLocal(a.object_id)) return cs::Status::Ok();  // not about us
  auto local = store::GetActor(txn, a.object_id);
  if (!local.ok() || !local->local)
    return cs::Status::NotFound("no such actor here: " + a.object_id);
  if (local->deleted) return cs::Status::Gone(a.object_id + " was deleted");
  if (local->type == "Group") {
    auto community = store::GetCommunity(txn, local->id);
    if (!community.ok()) return community.status();
    return group_.OnFollow(txn, *community, sender, a.id);
  }
  if (local->type != "Person") return cs::Status::Ok();  // the instance actor is not followed
  // Teachers accept follows automatically (communities decide by policy, later).
  return outbox_.AcceptFollow(txn, *local, sender, a.id);
}

cs::Status ActivityHandlers::OnAcceptOrReject(store::Txn& txn, const ActivityDoc& a,
                                              bool accept) const {
  // The object is our Follow, by id or embedded; the sender must be the one we followed.
  // Accept and Reject are checked alike: an embedded Follow must be addressed to the sender
  // (its actor one of ours, checked below); a bare id must be a Follow of ours to the sender.
  std::string follow_id = a.inner ? a.inner->id : a.object_id;
  std::string follower;
  if (a.inner) {
    if (!a.inner->type.empty() && a.inner->type != "Follow") return cs::Status::Ok();
    if (a.inner->object_id != a.actor)
      return cs::Status::Forbidden(a.actor + " answered a Follow addressed to " +
                                   (a.inner->object_id.empty() ? "nobody" : a.inner->object_id));
    follower = a.inner->actor;
  } else if (!follow_id.empty()) {
    for (const auto& f : store::ListFollowers(txn, a.actor))
      if (f.activity_id == follow_id && uris_.IsLocal(f.follower)) follower = f.follower;
  }
  if (auto ours = store::GetActivity(txn, follow_id); !follow_id.empty() && ours.ok()) {
    if (ours->type != "Follow") return cs::Status::Ok();
    follower = ours->actor;
    if (ours->object_id != a.actor)
      return cs::Status::Forbidden(a.actor + " answered a Follow addressed to " + ours->object_id);
  }
  if (follower.empty() || !uris_.IsLocal(follower)) return cs::Status::Ok();
  auto follow = store::GetFollow(txn, follower, a.actor);
  if (!follow.ok()) return cs::Status::Ok();  // nothing pending: ignore
  follow->state = accept ? store::FollowState::kAccepted : store::FollowState::kRejected;
  follow->updated_ms = clock_.NowMillis();
  return store::PutFollow(txn, *follow);
}

cs::Status ActivityHandlers::OnUndo(store::Txn& txn, const ActivityDoc& a) const {
  if (a.inner && !a.inner->actor.empty() && a.inner->actor != a.actor)
    return cs::Status::Forbidden(a.actor + " cannot undo an activity of " + a.inner->actor);
  bool reaction = false;  // Undo(Like) / Undo(Announce): discussion.h
  CS_RETURN_IF_ERROR(ApplyUndoReaction(txn, a, &reaction));
  if (reaction) return cs::Status::Ok();
  std::string inner_type = a.inner ? a.inner->type : "";
  std::string followee = a.inner ? a.inner->object_id : "";
  if (inner_type.empty()) {
    // Undo of a bare id: find a Follow from this actor with that id.
    for (const auto& f : store::ListFollowing(txn, a.actor))
      if (f.activity_id == a.object_id) followee = f.followee, inner_type = "Follow";
  }
  if (inner_type != "Follow" || followee.empty()) return cs::Status::Ok();
  if (!store::GetFollow(txn, a.actor, followee).ok()) return cs::Status::Ok();
  return store::DeleteFollow(txn, a.actor, followee);
}

cs::Status ActivityHandlers::StoreRemoteObject(store::Txn& txn, const ObjectDoc& o,
                                               const store::ActorRecord& author,
                                               const std::string& create_id,
                                               const std::string& also_followers_of) const {
  int64_t now = clock_.NowMillis();
  if (auto existing = store::GetObject(txn, o.id); existing.ok()) {
    // Already here: a boost still shows it to the booster's local followers, as its own entry.
    if (also_followers_of.empty() || existing->deleted() ||
        existing->visibility != store::Visibility::kPublic)
      return cs::Status::Ok();
    for (const auto& f : store::ListFollowers(txn, also_followers_of))
      if (f.state == store::FollowState::kAccepted && uris_.IsLocal(f.follower))
        CS_RETURN_IF_ERROR(store::AddToTimeline(txn, f.follower, existing->id, now));
    return cs::Status::Ok();
  }
  store::ObjectRecord rec = ObjectRecordFromDoc(o, author, now);
  rec.create_activity_id = create_id;
  // The post replied to, when we have it (read once: the checks below all need it).
  std::optional<store::ObjectRecord> parent;
  if (!rec.in_reply_to.empty())
    if (auto p = store::GetObject(txn, rec.in_reply_to); p.ok()) parent = std::move(*p);
  // A reply in a closed community hosted elsewhere reaches us through its group, which checked
  // that its author is a member. Sent to us directly we cannot tell (a stranger could write into
  // the thread), so we wait for the group's copy.
  if (parent && !parent->audience.empty() && !uris_.IsLocal(parent->audience) &&
      also_followers_of != parent->audience && IsClosedCommunity(txn, parent->audience))
    return cs::Status::Ok();
  CS_RETURN_IF_ERROR(store::PutObject(txn, rec));
  if (!rec.in_reply_to.empty()) {
    CS_RETURN_IF_ERROR(store::AddReply(txn, rec.in_reply_to, rec.id));
    if (!parent && rec.in_reply_to != rec.id && !uris_.IsLocal(rec.in_reply_to)) {
      // The parent is fetched after the 202, never while the sender waits.
      CS_RETURN_IF_ERROR(store::QueueJob(txn, {.kind = "fetch_object",
                                               .subject = rec.in_reply_to,
                                               .detail = "parent of " + rec.id,
                                               .due_ms = now,
                                               .created_ms = now}));
    }
  }
  // Who sees it: local followers of the author (public or followers-only posts), and local
  // actors it is addressed to (mentions, replies, direct).
  std::vector<std::string> reach;
  if (rec.visibility != store::Visibility::kDirect) {
    for (const auto& f : store::ListFollowers(txn, author.id))
      if (f.state == store::FollowState::kAccepted && uris_.IsLocal(f.follower))
        reach.push_back(f.follower);
  }
  if (!also_followers_of.empty() && rec.visibility == store::Visibility::kPublic) {
    for (const auto& f : store::ListFollowers(txn, also_followers_of))
      if (f.state == store::FollowState::kAccepted && uris_.IsLocal(f.follower))
        reach.push_back(f.follower);
  }
  // Addressing alone is not enough (anyone can put our teachers in `cc` and fill their home
  // timelines): an addressed teacher sees it when mentioned, when it replies to one of their
  // posts, or when they follow the author (above).
  const std::string parent_author = parent ? parent->attributed_to : "";
  auto mentioned = [&](const std::string& id) {
    std::string profile;  // a Mention's href may be the profile page rather than the id
    if (auto actor = store::GetActor(txn, id); actor.ok()) profile = actor->url;
    return std::any_of(rec.tags.begin(), rec.tags.end(), [&](const store::TagRef& t) {
      return t.type == "Mention" && (t.href == id || (!profile.empty() && t.href == profile));
    });
  };
  for (const auto* list : {&rec.to, &rec.cc})
    for (const auto& id : *list)
      if (uris_.IsLocal(id) && !uris_.LocalUserName(id).empty() &&
          id == uris_.User(uris_.LocalUserName(id)) && (mentioned(id) || id == parent_author))
        reach.push_back(id);
  std::sort(reach.begin(), reach.end());
  reach.erase(std::unique(reach.begin(), reach.end()), reach.end());
  const int64_t sort_ms = rec.published_ms > 0 ? std::min(rec.published_ms, now) : now;
  for (const auto& local : reach) {
    auto actor = store::GetActor(txn, local);
    if (actor.ok() && actor->local && !actor->deleted)
      CS_RETURN_IF_ERROR(store::AddToTimeline(txn, local, rec.id, sort_ms));
  }
  return cs::Status::Ok();
}

cs::Status ActivityHandlers::OnCreate(store::Txn& txn, const ActivityDoc& a,
                                      const store::ActorRecord& sender) const {
  if (!a.object) {
    if (a.object_id.empty()) return cs::Status::InvalidInput("Create without an object");
    int64_t now = clock_.NowMillis();
    return store::QueueJob(txn, {.kind = "fetch_object",
                                 .subject = a.object_id,
                                 .detail = "object of " + a.id,
                                 .due_ms = now,
                                 .created_ms = now});
  }
  const ObjectDoc& o = *a.object;
  if (!IsContentType(o.type)) return cs::Status::Ok();
  CS_RETURN_IF_ERROR(CheckCreatedObject(o, a.actor));  // shared with `activity inspect`
  CS_RETURN_IF_ERROR(StoreRemoteObject(txn, o, sender, a.id));
  return StoreRemoteResource(txn, a, clock_.NowMillis());  // a shared resource: its metadata too
}

cs::Status ActivityHandlers::OnUpdate(store::Txn& txn, const ActivityDoc& a,
                                      const store::ActorRecord& sender) const {
  if (a.object_actor) {
    if (a.object_actor->id != a.actor)
      return cs::Status::Forbidden(a.actor + " cannot update the actor " + a.object_actor->id);
    auto current = store::GetActor(txn, a.actor);
    if (!current.ok() || current->local) return cs::Status::Ok();
    // Keep the fetched record's identity fields; take the new profile.
    current->name = a.object_actor->name;
    current->summary_html = SanitizeHtml(a.object_actor->summary_html);
    current->icon = a.object_actor->icon;
    current->url = a.object_actor->url;
    if (!a.object_actor->inbox.empty() && SameOrigin(a.object_actor->inbox, a.actor))
      current->inbox = a.object_actor->inbox;
    if (!a.object_actor->shared_inbox.empty() && SameOrigin(a.object_actor->shared_inbox, a.actor))
      current->shared_inbox = a.object_actor->shared_inbox;
    current->fetched_at_ms = clock_.NowMillis();
    return store::PutActor(txn, *current);
  }
  if (!a.object) return cs::Status::Ok();
  const ObjectDoc& o = *a.object;
  auto existing = store::GetObject(txn, o.id);
  if (!existing.ok()) {
    if (!IsContentType(o.type) || o.attributed_to != a.actor || !SameOrigin(o.id, a.actor))
      return cs::Status::Ok();
    CS_RETURN_IF_ERROR(StoreRemoteObject(txn, o, sender, ""));  // an update of something we missed
    return StoreRemoteResource(txn, a, clock_.NowMillis());
  }
  if (existing->attributed_to != a.actor || o.attributed_to != a.actor)
    return cs::Status::Forbidden(a.actor + " cannot update " + o.id);
  if (existing->deleted()) return cs::Status::Ok();
  CS_RETURN_IF_ERROR(ApplyRemoteEdit(txn, *existing, o, clock_.NowMillis()));  // discussion.h
  return StoreRemoteResource(txn, a, clock_.NowMillis());  // a shared resource: a new version
}

cs::Status ActivityHandlers::OnDelete(store::Txn& txn, const ActivityDoc& a,
                                      const store::ActorRecord& sender) const {
  int64_t now = clock_.NowMillis();
  if (a.object_id == a.actor) {
    // The actor deleted itself: drop follows both ways, its keys; its content goes in a job.
    for (const auto& f : store::ListFollowing(txn, a.actor))
      CS_RETURN_IF_ERROR(store::DeleteFollow(txn, a.actor, f.followee));
    for (const auto& f : store::ListFollowers(txn, a.actor))
      CS_RETURN_IF_ERROR(store::DeleteFollow(txn, f.follower, a.actor));
    auto actor = store::GetActor(txn, a.actor);
    if (actor.ok() && !actor->local) {
      actor->deleted = true;
      CS_RETURN_IF_ERROR(store::PutActor(txn, *actor));
      if (!actor->key_id.empty()) CS_RETURN_IF_ERROR(txn.Delete(store::Db::kKeys, actor->key_id));
    }
    return store::QueueJob(txn, {.kind = "purge_actor",
                                 .subject = a.actor,
                                 .detail = a.id,
                                 .due_ms = now,
                                 .created_ms = now});
  }
  auto existing = store::GetObject(txn, a.object_id);
  if (!existing.ok()) {
    // Deliveries are not ordered: the Delete may overtake its Create. A tombstone keeps the
    // late Create from bringing the post back (only for the sender's own origin, so nobody
    // can bury another server's posts).
    if (a.object_id.empty() || uris_.IsLocal(a.object_id) || !SameOrigin(a.object_id, a.actor))
      return cs::Status::Ok();
    store::ObjectRecord tomb;
    tomb.id = a.object_id;
    tomb.type = "Tombstone";
    tomb.attributed_to = a.actor;
    tomb.visibility = store::Visibility::kDirect;
    tomb.published_ms = now;
    tomb.deleted_ms = now;
    return store::PutObject(txn, tomb);
  }
  if (existing->attributed_to != a.actor)
    return cs::Status::Forbidden(a.actor + " cannot delete " + a.object_id);
  if (existing->deleted()) return cs::Status::Ok();
  existing->deleted_ms = now;
  existing->content_html.clear();
  existing->raw_json.clear();
  CS_RETURN_IF_ERROR(store::DropReactions(txn, existing->id));
  return store::PutObject(txn, *existing);
}

cs::Status ActivityHandlers::OnAnnounce(store::Txn& txn, const ActivityDoc& a,
                                        const store::ActorRecord& sender) const {
  if (IsGroupAnnounce(txn, a, sender)) return group_.OnAnnounce(txn, *this, a, sender);
  // A boost: the announced object is fetched from its origin after the 202 (an embedded copy is
  // not trusted, BR-12), then shown to local followers of the booster.
  std::string object_id = a.inner ? a.inner->id : a.object_id;
  if (a.object) object_id = a.object->id;
  if (object_id.empty()) return cs::Status::Ok();
  CS_RETURN_IF_ERROR(RecordBoost(txn, uris_, a, object_id));  // boost counts: discussion.h
  int64_t now = clock_.NowMillis();
  if (uris_.IsLocal(object_id)) {
    // One of our posts: nothing to fetch; the booster's local followers see it.
    auto local = store::GetObject(txn, object_id);
    if (!local.ok() || local->deleted() || local->visibility != store::Visibility::kPublic)
      return cs::Status::Ok();
    for (const auto& f : store::ListFollowers(txn, a.actor))
      if (f.state == store::FollowState::kAccepted && uris_.IsLocal(f.follower))
        CS_RETURN_IF_ERROR(store::AddToTimeline(txn, f.follower, object_id, now));
    return cs::Status::Ok();
  }
  return store::QueueJob(txn, {.kind = "fetch_announced",
                               .subject = object_id,
                               .detail = a.actor,
                               .due_ms = now,
                               .created_ms = now});
}

}  // namespace federation

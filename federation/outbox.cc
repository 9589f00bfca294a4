#include "federation/outbox.h"

#include <algorithm>
#include <set>

#include "federation/discussion.h"
#include "federation/documents.h"
#include "federation/markdown.h"
#include "federation/url.h"

namespace federation {
namespace {

// A mention of a community is a link, not an address: posting into one is `--community` (or a
// reply in its thread). Addressing it would make the group take the post as a community post
// (BR-19.1) — and a followers-only post that merely names @maths must not be announced.
bool IsGroupActor(const store::Txn& txn, const std::string& id) {
  auto actor = store::GetActor(txn, id);
  return actor.ok() && actor->type == "Group";
}

std::vector<std::string> Audience(store::Visibility vis, const std::string& followers,
                                  const std::vector<std::string>& extra,
                                  std::vector<std::string>* cc) {
  std::vector<std::string> to;
  if (vis == store::Visibility::kPublic) {
    to.push_back(kPublic);
    cc->push_back(followers);
  } else if (vis == store::Visibility::kFollowers) {
    to.push_back(followers);
  }
  for (const auto& e : extra) (vis == store::Visibility::kDirect ? to : *cc).push_back(e);
  return to;
}

// How a teacher names a community: "maths" (ours) or "maths@other.example" (elsewhere).
std::string CommunityName(const store::Txn& txn, const std::string& group_id) {
  auto g = store::GetActor(txn, group_id);
  if (!g.ok() || g->preferred_username.empty()) return group_id;
  if (g->local) return g->preferred_username;
  auto url = ParseUrl(group_id);
  return g->preferred_username + (url.ok() ? "@" + url->Authority() : "");
}

}  // namespace

std::string DeliveryInbox(const store::ActorRecord& actor) {
  return actor.shared_inbox.empty() ? actor.inbox : actor.shared_inbox;
}

cs::Result<store::ActorRecord> Outbox::LocalUser(const store::Txn& txn,
                                                 std::string_view user) const {
  auto actor = store::GetLocalActorByName(txn, user);
  if (!actor.ok()) return actor.status();
  if (actor->deleted) return cs::Status::Gone("user '" + std::string(user) + "' was deleted");
  if (actor->type != "Person")
    return cs::Status::InvalidInput("'" + std::string(user) + "' is not a teacher");
  return actor;
}

cs::Status Outbox::Publish(store::Txn& txn, const store::ActorRecord& author,
                           const store::ActivityRecord& activity, bool to_followers,
                           const std::vector<std::string>& extra,
                           const std::string& timeline_object) const {
  CS_RETURN_IF_ERROR(store::PutActivity(txn, activity));
  CS_RETURN_IF_ERROR(store::AddToOutbox(txn, author.id, activity.id));
  std::set<std::string> inboxes;
  std::set<std::string> local_recipients;
  bool local_group = false;
  auto add = [&](const std::string& actor_id) -> cs::Status {
    if (actor_id == author.id) return cs::Status::Ok();
    auto actor = store::GetActor(txn, actor_id);
    if (!actor.ok()) return cs::Status::Ok();  // unknown recipient: nobody to deliver to
    if (actor->local && actor->type == "Group") {
      local_group = true;
    } else if (actor->local) {
      if (!actor->deleted) local_recipients.insert(actor->id);
    } else if (!actor->deleted) {
      std::string inbox = DeliveryInbox(*actor);
      if (!inbox.empty()) inboxes.insert(inbox);
    }
    return cs::Status::Ok();
  };
  if (to_followers) {
    for (const auto& f : store::ListFollowers(txn, author.id))
      if (f.state == store::FollowState::kAccepted) CS_RETURN_IF_ERROR(add(f.follower));
  }
  for (const auto& e : extra) CS_RETURN_IF_ERROR(add(e));
  int64_t now = clock_.NowMillis();
  for (const auto& inbox : inboxes) {
    store::DeliveryRecord d;
    d.activity_id = activity.id;
    d.inbox = inbox;
    d.signer = author.id;
    d.due_ms = now;
    d.created_ms = now;
    CS_RETURN_IF_ERROR(store::QueueDelivery(txn, d));
  }
  if (!timeline_object.empty()) {
    CS_RETURN_IF_ERROR(store::AddToTimeline(txn, author.id, timeline_object, now));
    for (const auto& local : local_recipients)
      CS_RETURN_IF_ERROR(store::AddToTimeline(txn, local, timeline_object, now));
  }
  // A community on this node takes it as it would from another server (checks, then announces).
  if (local_group) CS_RETURN_IF_ERROR(group_.ReceiveLocal(txn, activity.json, author));
  return cs::Status::Ok();
}

cs::Result<std::string> Outbox::Post(store::Txn& txn, std::string_view user,
                                     std::string_view markdown, const PostOptions& options) const {
  auto author = LocalUser(txn, user);
  if (!author.ok()) return author.status();
  if (markdown.empty()) return cs::Status::InvalidInput("a post needs text");
  if (markdown.size() > 100000) return cs::Status::TooLarge("a post is limited to 100000 bytes");
  std::vector<std::string> extra;
  std::string audience = options.audience;
  store::Visibility visibility = options.visibility;
  if (!options.in_reply_to.empty()) {
    auto parent = store::GetObject(txn, options.in_reply_to);
    if (!parent.ok())
      return cs::Status::NotFound("unknown post to reply to: " + options.in_reply_to);
    if (parent->deleted()) return cs::Status::Gone("the post replied to was deleted");
    if (!parent->attributed_to.empty()) extra.push_back(parent->attributed_to);
    if (audience.empty()) audience = parent->audience;  // a reply stays in its community
    if (!audience.empty() && parent->visibility != store::Visibility::kPublic)
      visibility = store::Visibility::kDirect;
  }
  if (!audience.empty()) {
    // A post in a public community is public: its group announces it to Public (and refuses
    // anything else, Group::Check), so a followers-only one there is refused, never published.
    if (visibility != store::Visibility::kPublic && IsPublicCommunity(txn, audience))
      return cs::Status::Forbidden(CommunityName(txn, audience) +
                                   " is a public community: its posts are public, and this one "
                                   "is not");
    extra.push_back(audience);
    // In a community that is not public: addressed to the group only (it announces to members).
    if (IsClosedCommunity(txn, audience)) visibility = store::Visibility::kDirect;
  }
  RenderedPost rendered = RenderLocalPost(txn, uris_, markdown, options.mentions);
  for (const auto& m : rendered.mentioned)
    if (m != author->id && !IsGroupActor(txn, m) &&
        std::find(extra.begin(), extra.end(), m) == extra.end())
      extra.push_back(m);
  int64_t now = clock_.NowMillis();
  store::ObjectRecord note;
  note.id = uris_.NewNote(author->preferred_username);
  note.type = options.title.empty() ? "Note" : "Page";
  note.name = options.title;
  note.attributed_to = author->id;
  note.in_reply_to = options.in_reply_to;
  note.source_markdown = std::string(markdown);
  note.content_html = std::move(rendered.html);
  note.tags = std::move(rendered.tags);
  note.summary = options.summary;
  note.sensitive = options.sensitive || !options.summary.empty();
  note.visibility = visibility;
  note.published_ms = now;
  note.local = true;
  note.audience = audience;
  note.to = Audience(visibility, author->followers, extra, &note.cc);

  store::ActivityRecord create;
  create.id = uris_.NewActivity(author->preferred_username);
  create.type = "Create";
  create.actor = author->id;
  create.object_id = note.id;
  create.visibility = note.visibility;
  create.published_ms = now;
  note.create_activity_id = create.id;
  create.json = ActivityJson({.id = create.id,
                              .type = "Create",
                              .actor = author->id,
                              .to = note.to,
                              .cc = note.cc,
                              .published_ms = now,
                              .object_json = ObjectJson(note, false)});
  CS_RETURN_IF_ERROR(store::PutObject(txn, note));
  if (!note.in_reply_to.empty())
    CS_RETURN_IF_ERROR(store::AddReply(txn, note.in_reply_to, note.id));
  CS_RETURN_IF_ERROR(
      Publish(txn, *author, create, visibility != store::Visibility::kDirect, extra, note.id));
  return note.id;
}

cs::Status Outbox::Edit(store::Txn& txn, std::string_view user, std::string_view object_id,
                        std::string_view markdown,
                        const std::vector<KnownMention>& mentions) const {
  auto author = LocalUser(txn, user);
  if (!author.ok()) return author.status();
  auto note = store::GetObject(txn, object_id);
  if (!note.ok()) return cs::Status::NotFound("no post " + std::string(object_id));
  if (note->attributed_to != author->id)
    return cs::Status::Forbidden(std::string(user) + " is not the author of " +
                                 std::string(object_id));
  if (note->deleted()) return cs::Status::Gone("the post was deleted");
  if (markdown.empty()) return cs::Status::InvalidInput("a post needs text");
  // Each version is strictly later than the one before: receivers order edits by `updated`.
  int64_t now = std::max(clock_.NowMillis(), std::max(note->updated_ms, note->published_ms) + 1);
  CS_RETURN_IF_ERROR(KeepEdit(txn, *note));
  RenderedPost rendered = RenderLocalPost(txn, uris_, markdown, mentions);
  std::vector<std::string> newly_mentioned;
  for (const auto& m : rendered.mentioned) {
    bool addressed = std::find(note->to.begin(), note->to.end(), m) != note->to.end() ||
                     std::find(note->cc.begin(), note->cc.end(), m) != note->cc.end();
    if (!addressed && m != author->id && !IsGroupActor(txn, m)) {
      (note->visibility == store::Visibility::kDirect ? note->to : note->cc).push_back(m);
      newly_mentioned.push_back(m);
    }
  }
  note->source_markdown = std::string(markdown);
  note->content_html = std::move(rendered.html);
  note->tags = std::move(rendered.tags);
  note->updated_ms = now;
  store::ActivityRecord update;
  update.id = uris_.NewActivity(author->preferred_username);
  update.type = "Update";
  update.actor = author->id;
  update.object_id = note->id;
  update.visibility = note->visibility;
  update.published_ms = now;
  update.json = ActivityJson({.id = update.id,
                              .type = "Update",
                              .actor = author->id,
                              .to = note->to,
                              .cc = note->cc,
                              .published_ms = now,
                              .object_json = ObjectJson(*note, false)});
  CS_RETURN_IF_ERROR(store::PutObject(txn, *note));
  std::vector<std::string> extra;
  if (!note->in_reply_to.empty())
    if (auto parent = store::GetObject(txn, note->in_reply_to); parent.ok())
      extra.push_back(parent->attributed_to);
  for (const auto* list : {&note->to, &note->cc})  // mentioned actors (new and earlier ones)
    for (const auto& id : *list)
      if (id != kPublic && id != author->followers) extra.push_back(id);
  if (!note->audience.empty()) extra.push_back(note->audience);
  return Publish(txn, *author, update, note->visibility != store::Visibility::kDirect, extra, "");
}

cs::Status Outbox::DeleteObject(store::Txn& txn, std::string_view user,
                                std::string_view object_id) const {
  auto author = LocalUser(txn, user);
  if (!author.ok()) return author.status();
  auto note = store::GetObject(txn, object_id);
  if (!note.ok()) return cs::Status::NotFound("no post " + std::string(object_id));
  if (note->attributed_to != author->id)
    return cs::Status::Forbidden(std::string(user) + " is not the author of " +
                                 std::string(object_id));
  if (note->deleted()) return cs::Status::Gone("the post was already deleted");
  int64_t now = clock_.NowMillis();
  std::string former_type = note->type;
  note->deleted_ms = now;
  note->content_html.clear();
  note->source_markdown.clear();
  CS_RETURN_IF_ERROR(store::PutObject(txn, *note));
  CS_RETURN_IF_ERROR(store::DropReactions(txn, note->id));
  store::ActivityRecord del;
  del.id = uris_.NewActivity(author->preferred_username);
  del.type = "Delete";
  del.actor = author->id;
  del.object_id = note->id;
  del.visibility = note->visibility;
  del.published_ms = now;
  std::string tombstone = "{\"id\":" + JsonString(note->id) + ",\"type\":\"Tombstone\"}";
  del.json = ActivityJson({.id = del.id,
                           .type = "Delete",
                           .actor = author->id,
                           .to = note->to,
                           .cc = note->cc,
                           .published_ms = now,
                           .object_json = tombstone});
  std::vector<std::string> extra;
  if (!note->in_reply_to.empty())
    if (auto parent = store::GetObject(txn, note->in_reply_to); parent.ok())
      extra.push_back(parent->attributed_to);
  for (const auto* list : {&note->to, &note->cc})  // mentioned actors
    for (const auto& id : *list)
      if (id != kPublic && id != author->followers) extra.push_back(id);
  if (!note->audience.empty()) extra.push_back(note->audience);
  return Publish(txn, *author, del, note->visibility != store::Visibility::kDirect, extra, "");
}

cs::Result<store::FollowRecord> Outbox::Follow(store::Txn& txn, std::string_view user,
                                               const store::ActorRecord& target) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  if (target.id == me->id) return cs::Status::InvalidInput("a teacher cannot follow themselves");
  if (target.deleted) return cs::Status::Gone(target.id + " was deleted");
  if (auto existing = store::GetFollow(txn, me->id, target.id);
      existing.ok() && existing->state != store::FollowState::kRejected)
    return cs::Status::Conflict(std::string(user) + " already follows " + target.id + " (" +
                                store::FollowStateName(existing->state) + ")");
  int64_t now = clock_.NowMillis();
  store::FollowRecord follow;
  follow.follower = me->id;
  follow.followee = target.id;
  follow.activity_id = uris_.NewActivity(me->preferred_username);
  follow.created_ms = follow.updated_ms = now;
  follow.state = target.local ? store::FollowState::kAccepted : store::FollowState::kPending;
  CS_RETURN_IF_ERROR(store::PutFollow(txn, follow));
  if (target.local) return follow;  // same node: nothing to send
  store::ActivityRecord act;
  act.id = follow.activity_id;
  act.type = "Follow";
  act.actor = me->id;
  act.object_id = target.id;
  act.published_ms = now;
  act.json = ActivityJson({.id = act.id,
                           .type = "Follow",
                           .actor = me->id,
                           .to = {target.id},
                           .published_ms = now,
                           .object_id = target.id});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, act));
  store::DeliveryRecord d;
  d.activity_id = act.id;
  d.inbox = target.inbox;
  d.signer = me->id;
  d.due_ms = d.created_ms = now;
  CS_RETURN_IF_ERROR(store::QueueDelivery(txn, d));
  return follow;
}

cs::Status Outbox::Unfollow(store::Txn& txn, std::string_view user,
                            std::string_view target_id) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  auto follow = store::GetFollow(txn, me->id, target_id);
  // Nothing to undo: a conflict with the state (the command line refuses it, exit 3).
  if (!follow.ok())
    return cs::Status::Conflict(std::string(user) + " does not follow " + std::string(target_id));
  CS_RETURN_IF_ERROR(store::DeleteFollow(txn, me->id, target_id));
  auto target = store::GetActor(txn, target_id);
  if (!target.ok() || target->local) return cs::Status::Ok();
  int64_t now = clock_.NowMillis();
  store::ActivityRecord undo;
  undo.id = uris_.NewActivity(me->preferred_username);
  undo.type = "Undo";
  undo.actor = me->id;
  undo.object_id = follow->activity_id;
  undo.published_ms = now;
  undo.json =
      ActivityJson({.id = undo.id,
                    .type = "Undo",
                    .actor = me->id,
                    .to = {target->id},
                    .published_ms = now,
                    .object_json = FollowObjectJson(follow->activity_id, me->id, target->id)});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, undo));
  store::DeliveryRecord d;
  d.activity_id = undo.id;
  d.inbox = target->inbox;
  d.signer = me->id;
  d.due_ms = d.created_ms = now;
  return store::QueueDelivery(txn, d);
}

cs::Status Outbox::AcceptFollow(store::Txn& txn, const store::ActorRecord& local,
                                const store::ActorRecord& follower,
                                std::string_view follow_id) const {
  int64_t now = clock_.NowMillis();
  store::FollowRecord rec;
  if (auto existing = store::GetFollow(txn, follower.id, local.id); existing.ok())
    rec = *existing;
  else
    rec.created_ms = now;
  rec.follower = follower.id;
  rec.followee = local.id;
  rec.activity_id = std::string(follow_id);
  rec.state = store::FollowState::kAccepted;
  rec.updated_ms = now;
  CS_RETURN_IF_ERROR(store::PutFollow(txn, rec));
  store::ActivityRecord accept;
  accept.id = uris_.NewActivity(local.preferred_username);
  accept.type = "Accept";
  accept.actor = local.id;
  accept.object_id = std::string(follow_id);
  accept.published_ms = now;
  accept.json = ActivityJson(
      {.id = accept.id,
       .type = "Accept",
       .actor = local.id,
       .to = {follower.id},
       .published_ms = now,
       .object_json = FollowObjectJson(std::string(follow_id), follower.id, local.id)});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, accept));
  store::DeliveryRecord d;
  d.activity_id = accept.id;
  d.inbox = follower.inbox;
  d.signer = local.id;
  d.due_ms = d.created_ms = now;
  return store::QueueDelivery(txn, d);
}

cs::Status Outbox::DeleteActor(store::Txn& txn, std::string_view user) const {
  auto me = LocalUser(txn, user);
  if (!me.ok()) return me.status();
  int64_t now = clock_.NowMillis();
  // Everyone who knows this actor: its followers and those it follows.
  std::vector<std::string> known;
  for (const auto& f : store::ListFollowers(txn, me->id)) known.push_back(f.follower);
  for (const auto& f : store::ListFollowing(txn, me->id)) known.push_back(f.followee);
  store::ActivityRecord del;
  del.id = me->id + "#delete";
  del.type = "Delete";
  del.actor = me->id;
  del.object_id = me->id;
  del.published_ms = now;
  del.json = ActivityJson({.id = del.id,
                           .type = "Delete",
                           .actor = me->id,
                           .to = {kPublic},
                           .published_ms = now,
                           .object_id = me->id});
  CS_RETURN_IF_ERROR(Publish(txn, *me, del, false, known, ""));
  // Remove its content: every object it authored becomes a tombstone.
  std::vector<std::string> activity_ids;
  CS_RETURN_IF_ERROR(txn.Scan(store::Db::kOutbox, store::JoinKey(me->id, ""),
                              [&](std::string_view, std::string_view v) {
                                activity_ids.emplace_back(v);
                                return true;
                              }));
  for (const auto& aid : activity_ids) {
    auto act = store::GetActivity(txn, aid);
    if (!act.ok() || act->type != "Create") continue;
    auto obj = store::GetObject(txn, act->object_id);
    if (!obj.ok() || obj->deleted()) continue;
    obj->deleted_ms = now;
    obj->content_html.clear();
    obj->source_markdown.clear();
    CS_RETURN_IF_ERROR(store::PutObject(txn, *obj));
  }
  for (const auto& f : store::ListFollowers(txn, me->id))
    CS_RETURN_IF_ERROR(store::DeleteFollow(txn, f.follower, me->id));
  for (const auto& f : store::ListFollowing(txn, me->id))
    CS_RETURN_IF_ERROR(store::DeleteFollow(txn, me->id, f.followee));
  std::vector<std::string> timeline_keys;
  CS_RETURN_IF_ERROR(txn.Scan(store::Db::kTimelines, store::JoinKey(me->id, ""),
                              [&](std::string_view k, std::string_view) {
                                timeline_keys.emplace_back(k);
                                return true;
                              }));
  for (const auto& k : timeline_keys) CS_RETURN_IF_ERROR(txn.Delete(store::Db::kTimelines, k));
  // The name stays reserved (other servers cached this actor and its key); the private key is
  // kept until the Delete has been delivered, signed by it.
  me->deleted = true;
  me->name.clear();
  me->summary_html.clear();
  return store::PutActor(txn, *me);
}

}  // namespace federation

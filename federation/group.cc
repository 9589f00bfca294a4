#include "federation/group.h"

#include <algorithm>
#include <set>

#include "federation/activity_handlers.h"
#include "federation/actor_cache.h"
#include "federation/discussion.h"
#include "federation/documents.h"
#include "federation/fetcher.h"
#include "federation/group_boost.h"
#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/markdown.h"
#include "federation/outbox.h"
#include "federation/peer_software.h"
#include "federation/resource.h"
#include "federation/url.h"

namespace federation {
namespace {

bool IsContent(std::string_view t) {
  return t == "Note" || t == "Page" || t == "Article" || t == "Document" || t == "Question" ||
         t == "Video" || t == "Image" || t == "Event" || t == "Audio";
}

std::string AuthorityOf(std::string_view url) {
  auto u = ParseUrl(url);
  return u.ok() ? u->Authority() : "";
}

// The object an activity is about: embedded object, inner activity's id, or the bare id.
std::string ObjectIdOf(const ActivityDoc& a) {
  if (a.object) return a.object->id;
  if (a.inner && !a.inner->id.empty()) return a.inner->id;
  return a.object_id;
}

// Whether the stored object `id` is in the group: its audience, one of its posts, or addressed to it.
bool InGroup(const store::Txn& txn, const std::string& id, const std::string& group_id) {
  auto o = store::GetObject(txn, id);
  if (!o.ok()) return false;
  auto named = [&](const std::vector<std::string>& l) {
    return std::find(l.begin(), l.end(), group_id) != l.end();
  };
  return o->audience == group_id || named(o->to) || named(o->cc) ||
         store::HasCommunityPost(txn, group_id, id);
}

// A Delete of an object of the group stored here as the actor's own, or an Undo of the actor's
// own Like or Dislike of one: the actor takes back what she gave (the inbox verified that she
// sent it). Only what is in the group, so a stranger cannot make the group announce anything.
bool TakesBackOwn(const store::Txn& txn, const ActivityDoc& a, const std::string& group_id) {
  if (a.type == "Delete") {
    auto o = store::GetObject(txn, ObjectIdOf(a));
    return o.ok() && !o->attributed_to.empty() && o->attributed_to == a.actor &&
           InGroup(txn, o->id, group_id);
  }
  return a.type == "Undo" && a.inner && (a.inner->type == "Like" || a.inner->type == "Dislike") &&
         a.inner->actor == a.actor && InGroup(txn, a.inner->object_id, group_id);
}

}  // namespace

bool IsClosedCommunity(const store::Txn& txn, std::string_view group_id) {
  if (group_id.empty()) return false;
  if (auto c = store::GetCommunity(txn, group_id); c.ok())
    return c->visibility != store::CommunityVisibility::kPublic;
  auto actor = store::GetActor(txn, group_id);
  if (!actor.ok() || actor->local || actor->type != "Group") return false;
  auto doc = ParseJson(actor->raw_json);
  if (!doc.ok() || !doc->IsObject()) return false;
  auto it = doc->FindMember("communityVisibility");
  return it != doc->MemberEnd() && it->value.IsString() &&
         std::string_view(it->value.GetString(), it->value.GetStringLength()) != "public";
}

bool IsPublicCommunity(const store::Txn& txn, std::string_view group_id) {
  if (group_id.empty()) return false;
  if (auto c = store::GetCommunity(txn, group_id); c.ok())
    return c->visibility == store::CommunityVisibility::kPublic;
  auto actor = store::GetActor(txn, group_id);
  return actor.ok() && !actor->local && actor->type == "Group" &&
         !IsClosedCommunity(txn, group_id);
}

std::string CommunitySummaryHtml(std::string_view description) {
  return description.empty() ? "" : RenderMarkdown(description);
}

cs::Result<store::CommunityRecord> Group::Create(store::Txn& txn, const CommunityOptions& o,
                                                 const std::string& private_pem,
                                                 const std::string& public_pem) const {
  if (auto taken = store::GetLocalActorByName(txn, o.name); taken.ok())
    return cs::Status::Conflict("the name '" + o.name + "' is taken (by " +
                                (taken->type == "Group" ? "a community" : "a teacher") +
                                (taken->deleted ? ", deleted" : "") + ")");
  int64_t now = clock_.NowMillis();
  store::ActorRecord g;
  g.id = uris_.Community(o.name);
  g.type = "Group";
  g.preferred_username = o.name;
  g.name = o.title.empty() ? o.name : o.title;
  g.summary_html = CommunitySummaryHtml(o.description);
  g.inbox = g.id + "/inbox";
  g.outbox = g.id + "/outbox";
  g.followers = g.id + "/followers";
  g.shared_inbox = uris_.SharedInbox();
  g.url = g.id;
  g.key_id = Uris::KeyId(g.id);
  g.public_key_pem = public_pem;
  g.local = true;
  g.manually_approves_followers = o.join != store::JoinPolicy::kOpen;
  g.created_at_ms = now;
  store::CommunityRecord c;
  c.id = g.id;
  c.name = o.name;
  c.title = g.name;
  c.description = o.description;
  c.join = o.join;
  c.visibility = o.visibility;
  c.moderators = o.moderators;
  c.created_ms = c.updated_ms = now;
  CS_RETURN_IF_ERROR(store::PutActor(txn, g));
  CS_RETURN_IF_ERROR(txn.Put(store::Db::kPrivateKeys, g.id, private_pem));
  CS_RETURN_IF_ERROR(store::PutCommunity(txn, c));
  return c;
}

std::vector<store::CommunityRecord> Group::GroupsFor(const store::Txn& txn,
                                                     const ActivityDoc& a) const {
  static const std::set<std::string> kTypes = {"Create", "Update",  "Delete",
                                               "Like",   "Dislike", "Undo"};
  std::vector<store::CommunityRecord> out;
  if (!kTypes.count(a.type)) return out;
  if (a.type == "Undo" && !(a.inner && (a.inner->type == "Like" || a.inner->type == "Dislike")))
    return out;
  std::vector<std::string> candidates = MergedAudience(a);
  auto about = [&](const std::string& id) {
    if (id.empty()) return;
    if (auto o = store::GetObject(txn, id); o.ok() && !o->audience.empty())
      candidates.push_back(o->audience);
  };
  if (a.object) {
    candidates.push_back(a.object->audience);
    about(a.object->in_reply_to);
  }
  if (a.type != "Create") about(ObjectIdOf(a));
  if (a.type == "Undo" && a.inner) about(a.inner->object_id);
  for (const auto& id : candidates) {
    if (id.empty() || !uris_.IsLocal(id)) continue;
    std::string name = uris_.LocalCommunityName(id);
    if (name.empty() || id != uris_.Community(name)) continue;
    auto c = store::GetCommunity(txn, id);
    if (!c.ok()) continue;
    if (std::none_of(out.begin(), out.end(), [&](const auto& g) { return g.id == c->id; }))
      out.push_back(std::move(c).value());
  }
  return out;
}

cs::Status Group::Check(const store::Txn& txn, const ActivityDoc& a,
                        const store::ActorRecord& sender,
                        const store::CommunityRecord& group) const {
  const std::string& who = a.actor;
  // Taking back one's own content is always allowed, member or not, banned or not: a Delete of
  // the actor's own object, an Undo of the actor's own Like/Dislike. Otherwise what a member
  // wrote would stay in the group (and on every member's server) once she left or was banned.
  if (TakesBackOwn(txn, a, group.id)) return cs::Status::Ok();
  if (store::IsBanned(txn, group.id, who))
    return cs::Status::Forbidden(who + " is banned from " + group.name);
  if (!sender.local && group.visibility == store::CommunityVisibility::kNetwork &&
      !store::IsTrusted(txn, AuthorityOf(who)))
    return cs::Status::Forbidden(group.name + " takes activities only from trusted schools");
  if (!store::IsMember(txn, group.id, who) && !group.IsModerator(who))
    return cs::Status::Forbidden(who + " is not a member of " + group.name);
  // The object must be the actor's own (the inbox checked the signature; this is the binding).
  if ((a.type == "Create" || a.type == "Update") && a.object && a.object->attributed_to != who)
    return cs::Status::Forbidden("object " + a.object->id + " is attributed to " +
                                 a.object->attributed_to + ", not to " + who);
  // A post in a public community is public (Lemmy refuses the same: verify_is_public). The
  // group announces to Public, so taking a followers-only or direct object would publish what
  // its author meant for a few.
  if ((a.type == "Create" || a.type == "Update") && a.object && IsContent(a.object->type) &&
      group.visibility == store::CommunityVisibility::kPublic && !a.object->IsPublic())
    return cs::Status::Forbidden(group.name +
                                 " is a public community: its posts are public, and " +
                                 a.object->id + " is not addressed to Public");
  if (a.type == "Delete") {
    if (auto o = store::GetObject(txn, ObjectIdOf(a)); o.ok() && o->attributed_to != who)
      return cs::Status::Forbidden(who + " cannot delete " + o->id);
  }
  if (a.inner && !a.inner->actor.empty() && a.inner->actor != who)
    return cs::Status::Forbidden(who + " cannot speak for " + a.inner->actor);
  return cs::Status::Ok();
}

cs::Status Group::Distribute(store::Txn& txn, const ActivityDoc& a, const std::string& raw_json,
                             const store::CommunityRecord& group) const {
  std::string timeline_object;
  bool top_level = false;
  const std::string object_id = ObjectIdOf(a);
  if (a.type == "Create" && !object_id.empty()) {
    if (auto o = store::GetObject(txn, object_id); o.ok() && !o->deleted()) {
      if (o->audience.empty()) {
        o->audience = group.id;
        CS_RETURN_IF_ERROR(store::PutObject(txn, *o));
      }
      if (o->audience == group.id) {
        top_level = o->in_reply_to.empty();
        if (top_level)
          CS_RETURN_IF_ERROR(store::AddCommunityPost(
              txn, group.id, o->id, std::min(o->published_ms, clock_.NowMillis())));
        timeline_object = o->id;
      }
    }
  } else if (a.type == "Delete") {
    CS_RETURN_IF_ERROR(store::RemoveCommunityPost(txn, group.id, object_id));
    CS_RETURN_IF_ERROR(WithdrawAnnounces(txn, group, object_id));
  }
  if (raw_json.empty()) return cs::Status::Ok();
  // Plain microblog servers get a boost of a new top-level post and its Undo when the post is
  // deleted; comments, votes and edits not at all (BR-17).
  cs::Result<std::string> microblog = std::string();
  if (top_level)
    microblog = StoreGroupBoost(txn, group, object_id, clock_.NowMillis());
  else if (a.type == "Delete")
    microblog = StoreGroupBoostUndo(txn, group, object_id, clock_.NowMillis());
  if (!microblog.ok()) return microblog.status();
  return Announce(txn, group, raw_json, a.id, timeline_object, a.actor, *microblog);
}

cs::Status Group::ReceiveLocal(store::Txn& txn, const std::string& activity_json,
                               const store::ActorRecord& author) const {
  auto doc = ParseJson(activity_json);
  if (!doc.ok()) return doc.status();
  auto a = ParseActivity(*doc);
  if (!a.ok()) return a.status();
  for (const auto& g : GroupsFor(txn, *a)) {
    CS_RETURN_IF_ERROR(Check(txn, *a, author, g));
    CS_RETURN_IF_ERROR(Distribute(txn, *a, activity_json, g));
  }
  return cs::Status::Ok();
}

cs::Status Group::Announce(store::Txn& txn, const store::CommunityRecord& group,
                           const std::string& inner_json, const std::string& inner_id,
                           const std::string& timeline_object, const std::string& except,
                           const std::string& microblog_id) const {
  auto actor = store::GetActor(txn, group.id);
  if (!actor.ok()) return actor.status();
  const bool is_public = group.visibility == store::CommunityVisibility::kPublic;
  int64_t now = clock_.NowMillis();
  store::ActivityRecord ann;
  ann.id = uris_.NewCommunityActivity(group.name);
  ann.type = "Announce";
  ann.actor = group.id;
  ann.object_id = inner_id;
  ann.visibility = is_public ? store::Visibility::kPublic : store::Visibility::kFollowers;
  ann.published_ms = now;
  std::vector<std::string> to, cc;
  if (is_public) {
    to.push_back(kPublic);
    cc.push_back(actor->followers);
  } else {
    to.push_back(actor->followers);
  }
  ann.json = ActivityJson({.id = ann.id,
                           .type = "Announce",
                           .actor = group.id,
                           .to = to,
                           .cc = cc,
                           .published_ms = now,
                           .object_json = inner_json});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, ann));
  CS_RETURN_IF_ERROR(store::AddToOutbox(txn, group.id, ann.id));
  // Local members see the post on their home timeline (once: not the author, not those who got
  // it already as followers of the author); remote members' servers get the Announce.
  for (const auto& m : store::ListMembers(txn, group.id)) {
    if (timeline_object.empty() || m.follower == except) continue;
    auto member = store::GetActor(txn, m.follower);
    if (!member.ok() || member->deleted || !member->local) continue;
    if (auto f = store::GetFollow(txn, member->id, except);
        f.ok() && f->state == store::FollowState::kAccepted)
      continue;
    CS_RETURN_IF_ERROR(store::AddToTimeline(txn, member->id, timeline_object, now));
  }
  return QueueToMembers(txn, group, ann.id, microblog_id, now);
}

std::set<std::string> Group::MemberInboxes(const store::Txn& txn,
                                           const store::CommunityRecord& group) const {
  std::set<std::string> inboxes;
  for (const auto& m : store::ListMembers(txn, group.id)) {
    auto member = store::GetActor(txn, m.follower);
    if (!member.ok() || member->deleted || member->local) continue;
    if (group.visibility == store::CommunityVisibility::kNetwork &&
        !store::IsTrusted(txn, AuthorityOf(member->id)))
      continue;
    std::string inbox = DeliveryInbox(*member);
    if (!inbox.empty()) inboxes.insert(inbox);
  }
  return inboxes;
}

cs::Status Group::QueueToMembers(store::Txn& txn, const store::CommunityRecord& group,
                                 const std::string& activity_id, const std::string& microblog_id,
                                 int64_t now) const {
  for (const auto& inbox : MemberInboxes(txn, group)) {
    // What we know of the server decides this delivery; a check runs when that is old or none.
    CS_RETURN_IF_ERROR(NotePeer(txn, inbox, now));
    const bool microblog = PeerKindOf(txn, AuthorityOf(inbox)) == PeerKind::kMicroblog;
    if (microblog && microblog_id.empty()) continue;
    store::DeliveryRecord d;
    d.activity_id = microblog ? microblog_id : activity_id;
    d.inbox = inbox;
    d.signer = group.id;
    d.due_ms = d.created_ms = now;
    CS_RETURN_IF_ERROR(store::QueueDelivery(txn, d));
  }
  return cs::Status::Ok();
}

cs::Status Group::PublishProfile(store::Txn& txn, const store::CommunityRecord& group) const {
  auto actor = store::GetActor(txn, group.id);
  if (!actor.ok()) return actor.status();
  const bool is_public = group.visibility == store::CommunityVisibility::kPublic;
  const int64_t now = clock_.NowMillis();
  store::ActivityRecord update;
  update.id = uris_.NewCommunityActivity(group.name);
  update.type = "Update";
  update.actor = group.id;
  update.object_id = group.id;
  update.visibility = is_public ? store::Visibility::kPublic : store::Visibility::kFollowers;
  update.published_ms = now;
  update.json = ActivityJson(
      {.id = update.id,
       .type = "Update",
       .actor = group.id,
       .to = {is_public ? std::string(kPublic) : actor->followers},
       .cc = is_public ? std::vector<std::string>{actor->followers} : std::vector<std::string>{},
       .published_ms = now,
       .object_json = GroupActorJson(*actor, group)});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, update));
  CS_RETURN_IF_ERROR(store::AddToOutbox(txn, group.id, update.id));
  return QueueToMembers(txn, group, update.id, update.id, now);  // a profile: for every server
}

cs::Status Group::Answer(store::Txn& txn, const store::CommunityRecord& group,
                         const std::string& follower, const std::string& follow_id,
                         bool accept) const {
  auto f = store::GetActor(txn, follower);
  if (!f.ok() || f->local || f->deleted) return cs::Status::Ok();  // nothing to send
  int64_t now = clock_.NowMillis();
  store::ActivityRecord act;
  act.id = uris_.NewCommunityActivity(group.name);
  act.type = accept ? "Accept" : "Reject";
  act.actor = group.id;
  act.object_id = follow_id;
  act.published_ms = now;
  act.json = ActivityJson({.id = act.id,
                           .type = act.type,
                           .actor = group.id,
                           .to = {follower},
                           .published_ms = now,
                           .object_json = FollowObjectJson(follow_id, follower, group.id)});
  CS_RETURN_IF_ERROR(store::PutActivity(txn, act));
  store::DeliveryRecord d;
  d.activity_id = act.id;
  d.inbox = f->inbox;
  d.signer = group.id;
  d.due_ms = d.created_ms = now;
  return store::QueueDelivery(txn, d);
}

cs::Status Group::AdmitFollower(store::Txn& txn, const store::CommunityRecord& group,
                                const std::string& follower, const std::string& follow_id,
                                store::FollowState state) const {
  int64_t now = clock_.NowMillis();
  store::FollowRecord f;
  if (auto existing = store::GetFollow(txn, follower, group.id); existing.ok())
    f = *existing;
  else
    f.created_ms = now;
  f.follower = follower;
  f.followee = group.id;
  if (!follow_id.empty()) f.activity_id = follow_id;
  f.state = state;
  f.updated_ms = now;
  CS_RETURN_IF_ERROR(store::PutFollow(txn, f));
  // A new member's server: learn its software before the first announce (BR-17).
  if (auto member = store::GetActor(txn, follower);
      state == store::FollowState::kAccepted && member.ok() && !member->local)
    return NotePeer(txn, DeliveryInbox(*member), now);
  return cs::Status::Ok();
}

cs::Status Group::OnFollow(store::Txn& txn, const store::CommunityRecord& group,
                           const store::ActorRecord& follower, const std::string& follow_id) const {
  auto refuse = [&](const std::string& why) -> cs::Status {
    if (follower.local) return cs::Status::Forbidden(why);
    return Answer(txn, group, follower.id, follow_id, false);
  };
  if (store::IsBanned(txn, group.id, follower.id))
    return refuse(follower.id + " is banned from " + group.name);
  if (!follower.local && group.visibility == store::CommunityVisibility::kNetwork &&
      !store::IsTrusted(txn, AuthorityOf(follower.id)))
    return refuse(group.name + " is open only to trusted schools");
  const bool invited = store::GetInvite(txn, group.id, follower.id).ok();
  const bool already = store::IsMember(txn, group.id, follower.id);
  if (already || invited || group.join == store::JoinPolicy::kOpen ||
      group.IsModerator(follower.id)) {
    CS_RETURN_IF_ERROR(
        AdmitFollower(txn, group, follower.id, follow_id, store::FollowState::kAccepted));
    if (invited) CS_RETURN_IF_ERROR(store::DeleteInvite(txn, group.id, follower.id));
    return Answer(txn, group, follower.id, follow_id, true);
  }
  if (group.join == store::JoinPolicy::kInvite)
    return refuse(group.name + " takes members by invitation only");
  // Approval: pending until a moderator decides.
  return AdmitFollower(txn, group, follower.id, follow_id, store::FollowState::kPending);
}

cs::Status Group::Approve(store::Txn& txn, const store::CommunityRecord& group,
                          const std::string& actor) const {
  auto f = store::GetFollow(txn, actor, group.id);
  if (!f.ok() || f->state == store::FollowState::kAccepted)
    return cs::Status::NotFound(actor + " has no pending request to join " + group.name);
  if (store::IsBanned(txn, group.id, actor))
    return cs::Status::Forbidden(actor + " is banned from " + group.name + " (unban first)");
  CS_RETURN_IF_ERROR(AdmitFollower(txn, group, actor, "", store::FollowState::kAccepted));
  return Answer(txn, group, actor, f->activity_id, true);
}

cs::Status Group::RejectRequest(store::Txn& txn, const store::CommunityRecord& group,
                                const std::string& actor) const {
  auto f = store::GetFollow(txn, actor, group.id);
  if (!f.ok() || f->state != store::FollowState::kPending)
    return cs::Status::NotFound(actor + " has no pending request to join " + group.name);
  CS_RETURN_IF_ERROR(AdmitFollower(txn, group, actor, "", store::FollowState::kRejected));
  return Answer(txn, group, actor, f->activity_id, false);
}

cs::Status Group::Invite(store::Txn& txn, const store::CommunityRecord& group,
                         const store::ActorRecord& invitee, const std::string& by) const {
  if (store::IsBanned(txn, group.id, invitee.id))
    return cs::Status::Forbidden(invitee.id + " is banned from " + group.name + " (unban first)");
  if (store::IsMember(txn, group.id, invitee.id))
    return cs::Status::Conflict(invitee.id + " is already a member of " + group.name);
  int64_t now = clock_.NowMillis();
  // A pending request plus an invitation: the invitation answers it.
  if (auto f = store::GetFollow(txn, invitee.id, group.id);
      f.ok() && f->state == store::FollowState::kPending)
    return Approve(txn, group, invitee.id);
  store::InviteRecord inv{.group = group.id, .actor = invitee.id, .by = by, .created_ms = now};
  if (!invitee.local) {
    store::ActivityRecord act;
    act.id = uris_.NewCommunityActivity(group.name);
    act.type = "Invite";
    act.actor = group.id;
    act.object_id = group.id;
    act.published_ms = now;
    // AS2: the actor invites `target` to `object`.
    std::string json = ActivityJson({.id = act.id,
                                     .type = "Invite",
                                     .actor = group.id,
                                     .to = {invitee.id},
                                     .published_ms = now,
                                     .object_id = group.id});
    json.pop_back();
    act.json = json + ",\"target\":" + JsonString(invitee.id) + "}";
    CS_RETURN_IF_ERROR(store::PutActivity(txn, act));
    store::DeliveryRecord d;
    d.activity_id = act.id;
    d.inbox = invitee.inbox;
    d.signer = group.id;
    d.due_ms = d.created_ms = now;
    CS_RETURN_IF_ERROR(store::QueueDelivery(txn, d));
    inv.activity_id = act.id;
  }
  return store::PutInvite(txn, inv);
}

cs::Status Group::RemoveMember(store::Txn& txn, const store::CommunityRecord& group,
                               const std::string& actor) const {
  auto f = store::GetFollow(txn, actor, group.id);
  if (!f.ok()) return cs::Status::NotFound(actor + " is not a member of " + group.name);
  CS_RETURN_IF_ERROR(store::DeleteFollow(txn, actor, group.id));
  // A Reject of the (accepted) Follow tells the member's server the membership ended.
  return Answer(txn, group, actor, f->activity_id, false);
}

cs::Status Group::Ban(store::Txn& txn, const store::CommunityRecord& group,
                      const std::string& actor, const std::string& by) const {
  if (group.IsModerator(actor))
    return cs::Status::Forbidden(actor + " is a moderator of " + group.name + " (remove first)");
  CS_RETURN_IF_ERROR(store::PutBan(
      txn, {.group = group.id, .actor = actor, .by = by, .created_ms = clock_.NowMillis()}));
  CS_RETURN_IF_ERROR(store::DeleteInvite(txn, group.id, actor));
  if (store::GetFollow(txn, actor, group.id).ok()) return RemoveMember(txn, group, actor);
  return cs::Status::Ok();
}

cs::Status Group::Unban(store::Txn& txn, const store::CommunityRecord& group,
                        const std::string& actor) const {
  if (!store::IsBanned(txn, group.id, actor))
    return cs::Status::NotFound(actor + " is not banned from " + group.name);
  return store::DeleteBan(txn, group.id, actor);
}

cs::Status Group::RemovePost(store::Txn& txn, const store::CommunityRecord& group,
                             const std::string& object_id, const std::string& by) const {
  auto o = store::GetObject(txn, object_id);
  if (!o.ok() || (o->audience != group.id && !store::HasCommunityPost(txn, group.id, object_id)))
    return cs::Status::NotFound("no post " + object_id + " in " + group.name);
  if (o->deleted()) return cs::Status::Gone("the post was already removed");
  int64_t now = clock_.NowMillis();
  o->deleted_ms = now;
  o->content_html.clear();
  o->source_markdown.clear();
  o->raw_json.clear();
  CS_RETURN_IF_ERROR(store::PutObject(txn, *o));
  CS_RETURN_IF_ERROR(store::RemoveCommunityPost(txn, group.id, object_id));
  CS_RETURN_IF_ERROR(WithdrawAnnounces(txn, group, object_id));
  // The group's Delete, announced like a member's (FEP-1b12 moderation), signed by the group.
  std::string del_id = uris_.NewCommunityActivity(group.name);
  std::string del = ActivityJson({.id = del_id,
                                  .type = "Delete",
                                  .actor = group.id,
                                  .to = {kPublic},
                                  .cc = {group.id},
                                  .published_ms = now,
                                  .object_id = object_id});
  store::ActivityRecord rec{.id = del_id,
                            .type = "Delete",
                            .actor = group.id,
                            .object_id = object_id,
                            .json = del,
                            .published_ms = now};
  CS_RETURN_IF_ERROR(store::PutActivity(txn, rec));
  auto undo_boost = StoreGroupBoostUndo(txn, group, object_id, now);
  if (!undo_boost.ok()) return undo_boost.status();
  return Announce(txn, group, del, del_id, "", by, *undo_boost);
}

cs::Status Group::WithdrawAnnounces(store::Txn& txn, const store::CommunityRecord& group,
                                    const std::string& object_id) const {
  // Deletions are rare next to announces, so one scan here beats an index kept on every
  // announce; only an Announce that mentions the id at all is parsed.
  std::vector<std::string> keys;
  CS_RETURN_IF_ERROR(txn.Scan(store::Db::kOutbox, store::JoinKey(group.id, ""),
                              [&](std::string_view key, std::string_view aid) {
                                auto act = store::GetActivity(txn, aid);
                                if (act.ok() && act->type == "Announce" &&
                                    act->json.find(object_id) != std::string::npos &&
                                    AnnouncedContentId(act->json) == object_id)
                                  keys.emplace_back(key);
                                return true;
                              }));
  for (const auto& key : keys) CS_RETURN_IF_ERROR(txn.Delete(store::Db::kOutbox, key));
  return cs::Status::Ok();
}

std::string AnnouncedContentId(std::string_view announce_json) {
  auto doc = ParseJson(announce_json);
  if (!doc.ok()) return "";
  const rapidjson::Value* inner = Member(*doc, "object");
  if (!inner || !inner->IsObject()) return "";
  const rapidjson::Value* type = Member(*inner, "type");
  if (!type || !type->IsString()) return "";
  std::string_view t(type->GetString(), type->GetStringLength());
  if (t != "Create" && t != "Update") return "";
  const rapidjson::Value* object = Member(*inner, "object");
  const rapidjson::Value* id = object && object->IsObject() ? Member(*object, "id") : object;
  return id && id->IsString() ? std::string(id->GetString(), id->GetStringLength()) : "";
}

// ---- member side ----

bool IsGroupAnnounce(const store::Txn& txn, const ActivityDoc& a,
                     const store::ActorRecord& sender) {
  return a.type == "Announce" && sender.type == "Group" && !sender.local;
}

namespace {

// Whether an object names `group`: the group in its audience, or the group or its followers in
// its to or cc (BR-19's three addressings). Only such an object is a post of the group.
template <typename Object>
bool NamesGroup(const Object& o, const std::string& group_id, const std::string& followers) {
  auto in = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), group_id) != list.end() ||
           (!followers.empty() && std::find(list.begin(), list.end(), followers) != list.end());
  };
  return o.audience == group_id || in(o.to) || in(o.cc);
}

// Stores `o` (trusted: on its author's origin, vouched for by the fetch or by the group's origin)
// as a post of `group_id`: timelines of local members, the group's post list. Only when the
// object names the group (a reply to one of its posts is stored too, unlisted): a group cannot
// make anyone's other posts — our own teachers' personal notes above all — posts of its own, and
// we never write an audience the author did not.
cs::Status StoreInGroup(store::Txn& txn, const ActivityHandlers& handlers, const ObjectDoc& o,
                        const store::ActorRecord& author, const std::string& group_id,
                        int64_t now) {
  auto group = store::GetActor(txn, group_id);
  const std::string followers = group.ok() ? group->followers : "";
  auto existing = store::GetObject(txn, o.id);
  const bool existed = existing.ok();
  const bool names = existed ? NamesGroup(*existing, group_id, followers)
                             : NamesGroup(o, group_id, followers);
  if (!names) {
    // A comment in one of the group's threads (Mastodon's replies name the parent's author only).
    const std::string parent = existed ? existing->in_reply_to : o.in_reply_to;
    auto p = parent.empty() ? cs::Result<store::ObjectRecord>(cs::Status::NotFound(""))
                            : store::GetObject(txn, parent);
    if (existed || !p.ok() || (p->audience != group_id && !NamesGroup(*p, group_id, followers)))
      return cs::Status::Ok();
  }
  if (!existed) CS_RETURN_IF_ERROR(handlers.StoreRemoteObject(txn, o, author, "", group_id));
  auto rec = store::GetObject(txn, o.id);
  if (!rec.ok() || rec->deleted() || !names) return cs::Status::Ok();
  if (rec->in_reply_to.empty() && !store::HasCommunityPost(txn, group_id, rec->id))
    CS_RETURN_IF_ERROR(
        store::AddCommunityPost(txn, group_id, rec->id, std::min(rec->published_ms, now)));
  if (!existed && rec->visibility != store::Visibility::kPublic) {
    // A members-only post reaches our members through the group, not through its addressing.
    for (const auto& m : store::ListMembers(txn, group_id))
      if (auto member = store::GetActor(txn, m.follower); member.ok() && member->local)
        CS_RETURN_IF_ERROR(store::AddToTimeline(txn, m.follower, rec->id, now));
  }
  return cs::Status::Ok();
}

// One of our own objects (or activities: their object), announced by the remote group
// `group_id`: listed as the group's post when it names the group and is a top-level post.
cs::Status ListOwnInGroup(store::Txn& txn, const std::string& id, const std::string& group_id,
                          int64_t now) {
  std::string object_id = id;
  if (auto act = store::GetActivity(txn, id); act.ok()) object_id = act->object_id;
  auto o = store::GetObject(txn, object_id);
  if (!o.ok() || !o->local || o->deleted() || !o->in_reply_to.empty()) return cs::Status::Ok();
  auto group = store::GetActor(txn, group_id);
  if (!NamesGroup(*o, group_id, group.ok() ? group->followers : "") ||
      store::HasCommunityPost(txn, group_id, o->id))
    return cs::Status::Ok();
  return store::AddCommunityPost(txn, group_id, o->id, std::min(o->published_ms, now));
}

cs::Status Tombstone(store::Txn& txn, const std::string& object_id, const std::string& group_id,
                     int64_t now) {
  auto o = store::GetObject(txn, object_id);
  if (!o.ok() || o->local || o->deleted()) return cs::Status::Ok();
  o->deleted_ms = now;
  o->content_html.clear();
  o->raw_json.clear();
  CS_RETURN_IF_ERROR(store::PutObject(txn, *o));
  return store::RemoveCommunityPost(txn, group_id, object_id);
}

// Drops the queued `group_fetch` jobs of `object_id` for `group_id`.
cs::Status CancelGroupFetch(store::Txn& txn, const std::string& object_id,
                            const std::string& group_id) {
  std::vector<std::string> keys;
  CS_RETURN_IF_ERROR(txn.Scan(store::Db::kJobs, "", [&](std::string_view key, std::string_view v) {
    if (auto j = store::JobRecord::Decode(v);
        j && j->kind == "group_fetch" && j->subject == object_id && j->detail == group_id)
      keys.emplace_back(key);
    return true;
  }));
  for (const auto& key : keys) CS_RETURN_IF_ERROR(txn.Delete(store::Db::kJobs, key));
  return cs::Status::Ok();
}

cs::Status QueueGroupJob(store::Txn& txn, const std::string& kind, const std::string& object_id,
                         const std::string& group_id, int64_t now) {
  if (object_id.empty()) return cs::Status::Ok();
  return store::QueueJob(
      txn,
      {.kind = kind, .subject = object_id, .detail = group_id, .due_ms = now, .created_ms = now});
}

}  // namespace

cs::Status Group::OnAnnounce(store::Txn& txn, const ActivityHandlers& handlers,
                             const ActivityDoc& a, const store::ActorRecord& group) const {
  int64_t now = clock_.NowMillis();
  // Only groups one of our teachers belongs to speak to us as groups.
  bool followed = false;
  for (const auto& f : store::ListMembers(txn, group.id)) followed |= uris_.IsLocal(f.follower);
  if (!followed) return cs::Status::Ok();
  if (!a.inner) {
    // Announce(object) or Announce(id of an activity or object): fetched from its origin.
    std::string id = a.object ? a.object->id : a.object_id;
    if (uris_.IsLocal(id)) return ListOwnInGroup(txn, id, group.id, now);
    return QueueGroupJob(txn, "group_fetch", id, group.id, now);
  }
  const ActivityDoc& in = *a.inner;
  const std::string object_id = ObjectIdOf(in);
  // Our own teachers' posts come back as the group passes them on: we have them (nothing to
  // fetch, nothing a group may change), and they are the group's when they name it.
  if ((in.type == "Create" || in.type == "Update") && uris_.IsLocal(object_id))
    return ListOwnInGroup(txn, object_id, group.id, now);
  // What the group's own origin says about its own objects it may vouch for.
  const bool vouched = !in.actor.empty() && SameOrigin(in.actor, group.id) &&
                       (object_id.empty() || SameOrigin(object_id, group.id));
  if (in.type == "Create" || in.type == "Update") {
    if (vouched && in.object && IsContent(in.object->type) &&
        in.object->attributed_to == in.actor) {
      auto author = store::GetActor(txn, in.actor);
      if (!author.ok()) return QueueGroupJob(txn, "group_fetch", object_id, group.id, now);
      auto existing = store::GetObject(txn, object_id);
      if (in.type == "Update" && existing.ok() && existing->attributed_to == in.actor &&
          !existing->deleted()) {
        CS_RETURN_IF_ERROR(ApplyRemoteEdit(txn, *existing, *in.object, now));
      } else {
        CS_RETURN_IF_ERROR(StoreInGroup(txn, handlers, *in.object, *author, group.id, now));
      }
      // A shared resource from the group's own school: its metadata and this version too.
      if (auto doc = ParseJson(a.source_json); doc.ok()) {
        const rapidjson::Value* inner = Member(*doc, "object");
        const rapidjson::Value* object = inner ? Member(*inner, "object") : nullptr;
        if (object) CS_RETURN_IF_ERROR(StoreFetchedResource(txn, *object, in.actor, now));
      }
      return cs::Status::Ok();
    }
    return QueueGroupJob(txn, "group_fetch", object_id, group.id, now);
  }
  if (in.type == "Delete") {
    if (vouched) {
      if (auto o = store::GetObject(txn, object_id); o.ok() && o->attributed_to == in.actor)
        return Tombstone(txn, object_id, group.id, now);
    }
    // Not here yet: a fetch of it for this group that still waits (a retry) is dropped, or the
    // post the group took back would arrive, listed, after its removal.
    if (!store::GetObject(txn, object_id).ok())
      return CancelGroupFetch(txn, object_id, group.id);
    return QueueGroupJob(txn, "group_delete", object_id, group.id, now);
  }
  return cs::Status::Ok();  // Like, Dislike, Undo, moderation: not ours to count
}

namespace {
// RunGroupJob's second level: the object of an activity fetched by id. Never queued.
constexpr const char* kGroupFetchObject = "group_fetch_object";
}  // namespace

bool IsGroupJob(const std::string& kind) { return kind == "group_fetch" || kind == "group_delete"; }

cs::Status RunGroupJob(const store::Store& db, const ActorCache& actors, const Fetcher& fetcher,
                       const ActivityHandlers& handlers, const store::JobRecord& job,
                       const cs::Clock& clock) {
  const std::string& group_id = job.detail;
  auto fetched = fetcher.FetchActivityJson(job.subject);
  int64_t now = clock.NowMillis();
  if (!fetched.ok()) {
    const auto& st = fetched.status();
    if (st.Is(cs::Status::Code::kGone) || st.Is(cs::Status::Code::kNotFound))
      return db.Update([&](store::Txn& txn) { return Tombstone(txn, job.subject, group_id, now); });
    return st;
  }
  // An activity by id (Announce(id of a Create)): take its object, embedded only when it is on the
  // activity's origin, else fetch that too (one more level, never more).
  if (auto act = ParseActivity(*fetched->json); act.ok()) {
    if (job.kind == "group_fetch" && (act->type == "Create" || act->type == "Update")) {
      std::string inner = act->object ? act->object->id : act->object_id;
      if (act->object && SameOrigin(inner, act->id) && act->object->attributed_to == act->actor) {
        auto author = actors.GetActor(act->actor);
        if (!author.ok()) return author.status();
        return db.Update([&](store::Txn& txn) -> cs::Status {
          auto existing = store::GetObject(txn, inner);
          if (act->type == "Update" && existing.ok() && !existing->local &&
              existing->attributed_to == act->actor && !existing->deleted())
            CS_RETURN_IF_ERROR(ApplyRemoteEdit(txn, *existing, *act->object, now));
          CS_RETURN_IF_ERROR(StoreInGroup(txn, handlers, *act->object, *author, group_id, now));
          const rapidjson::Value* embedded = Member(*fetched->json, "object");
          return embedded ? StoreFetchedResource(txn, *embedded, author->id, now) : cs::Status::Ok();
        });
      }
      // The second level is run here, not queued: its own kind says so (never `attempts`, which
      // counts retries: a retried job must take this branch again).
      store::JobRecord next = job;
      next.kind = kGroupFetchObject;
      next.subject = inner;
      return RunGroupJob(db, actors, fetcher, handlers, next, clock);
    }
    return cs::Status::Ok();
  }
  auto object = ParseObject(*fetched->json);
  if (!object.ok()) return object.status();
  if (object->type == "Tombstone")
    return db.Update([&](store::Txn& txn) { return Tombstone(txn, job.subject, group_id, now); });
  if (object->id != job.subject && !SameOrigin(object->id, job.subject))
    return cs::Status::InvalidInput("fetched " + job.subject + " but got " + object->id);
  if (object->attributed_to.empty() || !SameOrigin(object->attributed_to, object->id))
    return cs::Status::InvalidInput(object->id + " is attributed to an actor on another origin");
  auto author = actors.GetActor(object->attributed_to);
  if (!author.ok()) return author.status();
  return db.Update([&](store::Txn& txn) -> cs::Status {
    auto existing = store::GetObject(txn, object->id);
    if (job.kind == "group_delete") {
      // Still there at its origin: not deleted. The group may still take it out of itself.
      if (existing.ok() && existing->audience == group_id)
        return Tombstone(txn, object->id, group_id, now);
      return cs::Status::Ok();
    }
    if (existing.ok()) {
      if (existing->deleted() || existing->attributed_to != object->attributed_to)
        return cs::Status::Ok();
      // Ours change only through our outbox.
      if (!existing->local) CS_RETURN_IF_ERROR(ApplyRemoteEdit(txn, *existing, *object, now));
    }
    CS_RETURN_IF_ERROR(StoreInGroup(txn, handlers, *object, *author, group_id, now));
    return StoreFetchedResource(txn, *fetched->json, author->id, now);  // a shared resource too
  });
}

}  // namespace federation

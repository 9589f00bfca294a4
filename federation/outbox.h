// Our own activities: what a teacher does (post, edit, delete, follow, unfollow, leave) becomes
// an activity stored at its id plus one queued delivery per recipient inbox, in the caller's
// write transaction, so an activity is never stored without its deliveries or the reverse.
// Recipients on this node are served at once (timeline entries, follow states).
// Stateless apart from its references: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "federation/group.h"
#include "federation/mentions.h"
#include "federation/uris.h"
#include "store/clock.h"
#include "store/records.h"

namespace federation {

struct PostOptions {
  std::string in_reply_to;  // id of the parent (must already be in the store)
  store::Visibility visibility = store::Visibility::kPublic;
  std::string summary;      // content warning
  bool sensitive = false;   // also set by a summary
  std::string audience;     // the community (Group id) the post is in; also addressed
  std::string title;        // with a title the post is a Page (as Lemmy expects), else a Note
  std::vector<KnownMention> mentions;  // remote handles resolved beforehand (local: from the store)
};

class Outbox {
 public:
  Outbox(const Uris& uris, const cs::Clock& clock) : uris_(uris), clock_(clock), group_(uris, clock) {}

  // Creates a Note from Markdown; returns its id. kNotFound for an unknown user or parent.
  cs::Result<std::string> Post(store::Txn& txn, std::string_view user, std::string_view markdown,
                               const PostOptions& options) const;
  // Update with new text. kForbidden when `user` is not the author.
  // The previous version is kept (store/discussion.h); newly mentioned actors are added to cc.
  cs::Status Edit(store::Txn& txn, std::string_view user, std::string_view object_id,
                  std::string_view markdown, const std::vector<KnownMention>& mentions = {}) const;
  // Delete: the object becomes a Tombstone here and everywhere it went.
  cs::Status DeleteObject(store::Txn& txn, std::string_view user, std::string_view object_id) const;
  // Follow a (cached) actor. Local targets are accepted at once. kConflict if already following.
  cs::Result<store::FollowRecord> Follow(store::Txn& txn, std::string_view user,
                                         const store::ActorRecord& target) const;
  // Undo(Follow). kNotFound when not following.
  cs::Status Unfollow(store::Txn& txn, std::string_view user, std::string_view target_id) const;
  // Answer a remote Follow of a local actor with Accept (records the follower).
  cs::Status AcceptFollow(store::Txn& txn, const store::ActorRecord& local,
                          const store::ActorRecord& follower, std::string_view follow_id) const;
  // Discussions (federation/outbox_reactions.cc): Like, Undo(Like), Announce (public posts
  // only), Undo(Announce) of a stored object, counted here at once and sent to its author (and,
  // for Announce, to the teacher's followers). kConflict when already done, kNotFound when there
  // is nothing to undo, kGone for a deleted object.
  cs::Status Like(store::Txn& txn, std::string_view user, std::string_view object_id) const;
  cs::Status Unlike(store::Txn& txn, std::string_view user, std::string_view object_id) const;
  cs::Status Boost(store::Txn& txn, std::string_view user, std::string_view object_id) const;
  cs::Status Unboost(store::Txn& txn, std::string_view user, std::string_view object_id) const;
  // Delete a local actor: Delete(actor) to every server that knows it; content and follows removed.
  cs::Status DeleteActor(store::Txn& txn, std::string_view user) const;
  // Stores and delivers an activity built elsewhere (shared resources, federation/resource.h):
  // to the author's followers and to `extra` actors, as Publish below.
  // `to_followers` false: to `extra` only (a resource in a community that is not public).
  cs::Status PublishActivity(store::Txn& txn, const store::ActorRecord& author,
                             const store::ActivityRecord& activity,
                             const std::vector<std::string>& extra,
                             const std::string& timeline_object, bool to_followers = true) const {
    return Publish(txn, author, activity, to_followers, extra, timeline_object);
  }

 private:
  // Stores `activity` (and the outbox entry) and queues it to the followers of `author`
  // (when `to_followers`) and to `extra` actor ids; local recipients get `timeline_object`.
  cs::Status Publish(store::Txn& txn, const store::ActorRecord& author,
                     const store::ActivityRecord& activity, bool to_followers,
                     const std::vector<std::string>& extra, const std::string& timeline_object) const;
  cs::Result<store::ActorRecord> LocalUser(const store::Txn& txn, std::string_view user) const;

  const Uris& uris_;
  const cs::Clock& clock_;
  Group group_;  // a local community among the recipients decides and announces
};

// The inbox a delivery to `actor` goes to: its shared inbox when offered, else its own.
std::string DeliveryInbox(const store::ActorRecord& actor);

}  // namespace federation

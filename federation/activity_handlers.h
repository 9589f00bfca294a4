// What each verified incoming activity does to the store. Every handler checks what it needs
// (ownership of the object it changes, the object being addressed to us) and then writes, all
// inside the caller's transaction, so a refused activity changes nothing. Thread-safe.
#pragma once

#include "federation/as2.h"
#include "federation/group.h"
#include "federation/outbox.h"
#include "store/records.h"

namespace federation {

class ActivityHandlers {
 public:
  ActivityHandlers(const Outbox& outbox, const Uris& uris, const cs::Clock& clock)
      : outbox_(outbox), uris_(uris), clock_(clock), group_(uris, clock) {}

  // Applies `activity` from `sender` (verified: the signer is activity.actor). kForbidden when it
  // tries to change what the sender does not own; kNotFound for a Follow of an unknown user.
  // Unknown types and irrelevant activities are ok (ignored).
  cs::Status Apply(store::Txn& txn, const ActivityDoc& activity, const store::ActorRecord& sender) const;

  // Types with a handler (others are answered 202 and ignored).
  static bool Handles(std::string_view type);

  // Stores a remote object and puts it on the timelines of the local actors it reaches (and of
  // `also_followers_of`'s local followers: a boost). When it is already stored, only a boost
  // changes something: it is shown again to the booster's local followers.
  cs::Status StoreRemoteObject(store::Txn& txn, const ObjectDoc& object, const store::ActorRecord& author,
                               const std::string& create_id,
                               const std::string& also_followers_of = "") const;

  const Group& group() const { return group_; }

 private:
  cs::Status Dispatch(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;
  cs::Status OnFollow(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;
  cs::Status OnAcceptOrReject(store::Txn& txn, const ActivityDoc& a, bool accept) const;
  cs::Status OnUndo(store::Txn& txn, const ActivityDoc& a) const;
  cs::Status OnCreate(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;
  cs::Status OnUpdate(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;
  cs::Status OnDelete(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;
  cs::Status OnAnnounce(store::Txn& txn, const ActivityDoc& a, const store::ActorRecord& sender) const;

  const Outbox& outbox_;
  const Uris& uris_;
  const cs::Clock& clock_;
  Group group_;  // our communities decide what reaches them (federation/group.h)
};

// Stores `object` (already authenticated as coming from `author`) — shared with the job worker.
store::ObjectRecord ObjectRecordFromDoc(const ObjectDoc& object, const store::ActorRecord& author,
                                        int64_t now_ms);

}  // namespace federation

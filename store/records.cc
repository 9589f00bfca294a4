#include "store/records.h"

#include <algorithm>

#include "store/codec.h"
#include "store/record_access.h"

namespace store {
namespace {

constexpr uint64_t kRecordVersion = 1;

template <class T, class F>
std::optional<T> DecodeWith(std::string_view bytes, F&& fields) {
  return detail::DecodeVersioned<T>(bytes, kRecordVersion, std::forward<F>(fields));
}

using detail::GetDecoded;

using detail::LowerAscii;

}  // namespace

const char* VisibilityName(Visibility v) {
  switch (v) {
    case Visibility::kPublic:
      return "public";
    case Visibility::kFollowers:
      return "followers";
    case Visibility::kDirect:
      return "direct";
  }
  return "public";
}

const char* FollowStateName(FollowState s) {
  switch (s) {
    case FollowState::kPending:
      return "pending";
    case FollowState::kAccepted:
      return "accepted";
    case FollowState::kRejected:
      return "rejected";
  }
  return "pending";
}

std::string ActorRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(id).Str(type).Str(preferred_username).Str(name).Str(summary_html);
  e.Str(inbox).Str(outbox).Str(followers).Str(following).Str(shared_inbox).Str(url).Str(icon);
  e.Str(key_id).Str(public_key_pem).Bool(local).Bool(manually_approves_followers).Bool(deleted);
  e.I64(fetched_at_ms).I64(created_at_ms).Str(raw_json);
  return e.Take();
}

std::optional<ActorRecord> ActorRecord::Decode(std::string_view bytes) {
  return DecodeWith<ActorRecord>(bytes, [](Decoder& d, ActorRecord& r) {
    d.Str(r.id).Str(r.type).Str(r.preferred_username).Str(r.name).Str(r.summary_html);
    d.Str(r.inbox).Str(r.outbox).Str(r.followers).Str(r.following).Str(r.shared_inbox);
    d.Str(r.url).Str(r.icon).Str(r.key_id).Str(r.public_key_pem);
    d.Bool(r.local).Bool(r.manually_approves_followers).Bool(r.deleted);
    d.I64(r.fetched_at_ms).I64(r.created_at_ms).Str(r.raw_json);
  });
}

std::string KeyRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(key_id).Str(owner).Str(pem).I64(fetched_at_ms);
  return e.Take();
}

std::optional<KeyRecord> KeyRecord::Decode(std::string_view bytes) {
  return DecodeWith<KeyRecord>(bytes, [](Decoder& d, KeyRecord& r) {
    d.Str(r.key_id).Str(r.owner).Str(r.pem).I64(r.fetched_at_ms);
  });
}

std::string ObjectRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(id).Str(type).Str(attributed_to).Str(in_reply_to).Str(content_html);
  e.Str(summary).Str(name).Str(url).Str(source_markdown).Strs(to).Strs(cc).Str(audience);
  e.U64(static_cast<uint64_t>(visibility)).I64(published_ms).I64(updated_ms).I64(deleted_ms);
  e.Bool(local).Bool(sensitive).Str(raw_json).Str(create_activity_id);
  std::vector<std::string> flat_tags;  // type, name, href of each tag
  for (const auto& t : tags) flat_tags.insert(flat_tags.end(), {t.type, t.name, t.href});
  e.Strs(flat_tags);
  return e.Take();
}

std::optional<ObjectRecord> ObjectRecord::Decode(std::string_view bytes) {
  return DecodeWith<ObjectRecord>(bytes, [](Decoder& d, ObjectRecord& r) {
    uint64_t vis = 0;
    d.Str(r.id).Str(r.type).Str(r.attributed_to).Str(r.in_reply_to).Str(r.content_html);
    d.Str(r.summary).Str(r.name).Str(r.url).Str(r.source_markdown).Strs(r.to).Strs(r.cc);
    d.Str(r.audience).U64(vis).I64(r.published_ms).I64(r.updated_ms).I64(r.deleted_ms);
    d.Bool(r.local).Bool(r.sensitive).Str(r.raw_json).Str(r.create_activity_id);
    std::vector<std::string> flat_tags;
    d.Strs(flat_tags);
    for (size_t i = 0; i + 2 < flat_tags.size(); i += 3)
      r.tags.push_back({flat_tags[i], flat_tags[i + 1], flat_tags[i + 2]});
    r.visibility = static_cast<Visibility>(vis > 2 ? 0 : vis);
  });
}

std::string ActivityRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(id).Str(type).Str(actor).Str(object_id).Str(json);
  e.U64(static_cast<uint64_t>(visibility)).I64(published_ms);
  return e.Take();
}

std::optional<ActivityRecord> ActivityRecord::Decode(std::string_view bytes) {
  return DecodeWith<ActivityRecord>(bytes, [](Decoder& d, ActivityRecord& r) {
    uint64_t vis = 0;
    d.Str(r.id).Str(r.type).Str(r.actor).Str(r.object_id).Str(r.json).U64(vis).I64(r.published_ms);
    r.visibility = static_cast<Visibility>(vis > 2 ? 0 : vis);
  });
}

std::string FollowRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(follower).Str(followee).Str(activity_id);
  e.U64(static_cast<uint64_t>(state)).I64(created_ms).I64(updated_ms);
  return e.Take();
}

std::optional<FollowRecord> FollowRecord::Decode(std::string_view bytes) {
  return DecodeWith<FollowRecord>(bytes, [](Decoder& d, FollowRecord& r) {
    uint64_t st = 0;
    d.Str(r.follower)
        .Str(r.followee)
        .Str(r.activity_id)
        .U64(st)
        .I64(r.created_ms)
        .I64(r.updated_ms);
    r.state = static_cast<FollowState>(st > 2 ? 0 : st);
  });
}

std::string DeliveryRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).U64(seq).Str(activity_id).Str(inbox).Str(signer);
  e.I64(due_ms).I64(first_attempt_ms).I64(created_ms).U64(attempts).Str(last_error);
  return e.Take();
}

std::optional<DeliveryRecord> DeliveryRecord::Decode(std::string_view bytes) {
  return DecodeWith<DeliveryRecord>(bytes, [](Decoder& d, DeliveryRecord& r) {
    d.U64(r.seq).Str(r.activity_id).Str(r.inbox).Str(r.signer);
    d.I64(r.due_ms).I64(r.first_attempt_ms).I64(r.created_ms).U64(r.attempts).Str(r.last_error);
  });
}

std::string HostRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).Str(host).U64(consecutive_failures).I64(first_failure_ms);
  e.I64(last_success_ms).Bool(unavailable).U64(static_cast<uint64_t>(scheme));
  e.U64(delivered).U64(failed).I64(next_probe_ms);
  return e.Take();
}

std::optional<HostRecord> HostRecord::Decode(std::string_view bytes) {
  return DecodeWith<HostRecord>(bytes, [](Decoder& d, HostRecord& r) {
    uint64_t scheme = 0;
    d.Str(r.host).U64(r.consecutive_failures).I64(r.first_failure_ms).I64(r.last_success_ms);
    d.Bool(r.unavailable).U64(scheme).U64(r.delivered).U64(r.failed).I64(r.next_probe_ms);
    r.scheme = static_cast<SignatureSchemeChoice>(scheme > 2 ? 0 : scheme);
  });
}

std::string JobRecord::Encode() const {
  Encoder e;
  e.U64(kRecordVersion).U64(seq).Str(kind).Str(subject).Str(detail);
  e.I64(due_ms).I64(created_ms).U64(attempts);
  return e.Take();
}

std::optional<JobRecord> JobRecord::Decode(std::string_view bytes) {
  return DecodeWith<JobRecord>(bytes, [](Decoder& d, JobRecord& r) {
    d.U64(r.seq).Str(r.kind).Str(r.subject).Str(r.detail).I64(r.due_ms).I64(r.created_ms);
    d.U64(r.attempts);
  });
}

// ---- typed access ----

cs::Result<ActorRecord> GetActor(const Txn& txn, std::string_view id) {
  return GetDecoded<ActorRecord>(txn, Db::kActors, id);
}

cs::Status PutActor(Txn& txn, const ActorRecord& actor) {
  CS_RETURN_IF_ERROR(txn.Put(Db::kActors, actor.id, actor.Encode()));
  if (actor.local) {
    CS_RETURN_IF_ERROR(txn.Put(Db::kLocalNames, LowerAscii(actor.preferred_username), actor.id));
  }
  return cs::Status::Ok();
}

cs::Result<ActorRecord> GetLocalActorByName(const Txn& txn, std::string_view name) {
  auto id = txn.Get(Db::kLocalNames, LowerAscii(name));
  if (!id.ok())
    return cs::Status::NotFound("no local user or community named '" + std::string(name) + "'");
  return GetActor(txn, *id);
}

cs::Result<KeyRecord> GetKey(const Txn& txn, std::string_view key_id) {
  return GetDecoded<KeyRecord>(txn, Db::kKeys, key_id);
}

cs::Status PutKey(Txn& txn, const KeyRecord& key) {
  return txn.Put(Db::kKeys, key.key_id, key.Encode());
}

cs::Result<ObjectRecord> GetObject(const Txn& txn, std::string_view id) {
  return GetDecoded<ObjectRecord>(txn, Db::kObjects, id);
}

cs::Status PutObject(Txn& txn, const ObjectRecord& object) {
  return txn.Put(Db::kObjects, object.id, object.Encode());
}

cs::Result<ActivityRecord> GetActivity(const Txn& txn, std::string_view id) {
  return GetDecoded<ActivityRecord>(txn, Db::kActivities, id);
}

cs::Status PutActivity(Txn& txn, const ActivityRecord& activity) {
  return txn.Put(Db::kActivities, activity.id, activity.Encode());
}

cs::Result<FollowRecord> GetFollow(const Txn& txn, std::string_view follower,
                                   std::string_view followee) {
  return GetDecoded<FollowRecord>(txn, Db::kFollows, JoinKey(follower, followee));
}

cs::Status PutFollow(Txn& txn, const FollowRecord& follow) {
  CS_RETURN_IF_ERROR(
      txn.Put(Db::kFollows, JoinKey(follow.follower, follow.followee), follow.Encode()));
  return txn.Put(Db::kFollowersIdx, JoinKey(follow.followee, follow.follower), "");
}

cs::Status DeleteFollow(Txn& txn, std::string_view follower, std::string_view followee) {
  CS_RETURN_IF_ERROR(txn.Delete(Db::kFollows, JoinKey(follower, followee)));
  return txn.Delete(Db::kFollowersIdx, JoinKey(followee, follower));
}

std::vector<FollowRecord> ListFollowers(const Txn& txn, std::string_view followee) {
  std::vector<FollowRecord> out;
  std::string prefix = JoinKey(followee, "");
  (void)txn.Scan(Db::kFollowersIdx, prefix, [&](std::string_view key, std::string_view) {
    auto follower = key.substr(prefix.size());
    if (auto f = GetFollow(txn, follower, followee); f.ok()) out.push_back(std::move(f).value());
    return true;
  });
  return out;
}

std::vector<FollowRecord> ListFollowing(const Txn& txn, std::string_view follower) {
  std::vector<FollowRecord> out;
  (void)txn.Scan(Db::kFollows, JoinKey(follower, ""), [&](std::string_view, std::string_view v) {
    if (auto f = FollowRecord::Decode(v)) out.push_back(std::move(*f));
    return true;
  });
  return out;
}

cs::Result<HostRecord> GetHost(const Txn& txn, std::string_view host) {
  return GetDecoded<HostRecord>(txn, Db::kHosts, host);
}

cs::Status PutHost(Txn& txn, const HostRecord& host) {
  return txn.Put(Db::kHosts, host.host, host.Encode());
}

cs::Status QueueDelivery(Txn& txn, DeliveryRecord delivery) {
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  delivery.seq = *seq;
  return txn.Put(Db::kDeliveries, delivery.Key(), delivery.Encode());
}

cs::Status QueueJob(Txn& txn, JobRecord job) {
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  job.seq = *seq;
  return txn.Put(Db::kJobs, job.Key(), job.Encode());
}

cs::Status AddToTimeline(Txn& txn, std::string_view local_actor, std::string_view object_id,
                         int64_t sort_ms) {
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  std::string order =
      EncodeBe64(static_cast<uint64_t>(std::max<int64_t>(sort_ms, 0))) + EncodeBe64(*seq);
  return txn.Put(Db::kTimelines, JoinKey(local_actor, order), object_id);
}

cs::Status AddToOutbox(Txn& txn, std::string_view actor, std::string_view activity_id) {
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  return txn.Put(Db::kOutbox, JoinKey(actor, EncodeBe64(*seq)), activity_id);
}

cs::Status AddReply(Txn& txn, std::string_view parent, std::string_view reply) {
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  return txn.Put(Db::kReplies, JoinKey(parent, EncodeBe64(*seq)), reply);
}

cs::Result<bool> MarkSeen(Txn& txn, std::string_view activity_id, int64_t now_ms) {
  cs::Status st = txn.Insert(Db::kSeen, activity_id, EncodeBe64(static_cast<uint64_t>(now_ms)));
  if (st.Is(cs::Status::Code::kConflict)) return false;
  if (!st.ok()) return st;
  return true;
}

bool IsBlocked(const Txn& txn, std::string_view host) {
  // A block of HOST:PORT blocks that server only; a block of a host blocks it on every port, and
  // every subdomain: blocking example.com blocks sub.example.com too.
  std::string h = LowerAscii(host);
  if (txn.Contains(Db::kPolicy, JoinKey("block", h))) return true;
  if (!h.empty() && h.front() == '[') {
    if (auto close = h.find(']'); close != std::string::npos) h.resize(close + 1);  // [v6]:port
  } else if (auto colon = h.find(':'); colon != std::string::npos && h.find(':', colon + 1) == std::string::npos) {
    h.resize(colon);
  }
  std::string_view rest = h;
  while (!rest.empty()) {
    if (txn.Contains(Db::kPolicy, JoinKey("block", rest))) return true;
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return false;
}

}  // namespace store

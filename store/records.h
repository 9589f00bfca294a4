// Plain record structs kept in the named databases, and their typed accessors.
// Every record encodes to the versioned binary form of store/codec.h. No JSON, no HTTP here:
// `raw_json` fields are opaque strings that federation/ wrote.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/lmdb_store.h"

namespace store {

struct ActorRecord {
  std::string id, type, preferred_username, name, summary_html;
  std::string inbox, outbox, followers, following, shared_inbox, url, icon;
  std::string key_id, public_key_pem;
  bool local = false;
  bool manually_approves_followers = false;
  bool deleted = false;
  int64_t fetched_at_ms = 0;   // remote: when the document was fetched
  int64_t created_at_ms = 0;
  std::string raw_json;        // remote: the document as fetched (for inspection)
  std::string Encode() const;
  static std::optional<ActorRecord> Decode(std::string_view bytes);
};

struct KeyRecord {
  std::string key_id, owner, pem;
  int64_t fetched_at_ms = 0;
  std::string Encode() const;
  static std::optional<KeyRecord> Decode(std::string_view bytes);
};

enum class Visibility { kPublic = 0, kFollowers = 1, kDirect = 2 };

// A `tag` entry of an object: Mention (href: actor id) or Hashtag (href: tag page).
struct TagRef {
  std::string type, name, href;
  bool operator==(const TagRef&) const = default;
};
const char* VisibilityName(Visibility v);

struct ObjectRecord {
  std::string id, type, attributed_to, in_reply_to, content_html, summary, name, url;
  std::string source_markdown;              // local posts: what the teacher wrote
  std::vector<std::string> to, cc;
  std::string audience;
  Visibility visibility = Visibility::kPublic;
  int64_t published_ms = 0, updated_ms = 0, deleted_ms = 0;
  bool local = false;
  bool sensitive = false;
  std::string raw_json;                     // remote: as received (sanitized fields are above)
  std::string create_activity_id;           // the Create that brought it
  std::vector<TagRef> tags;                 // mentions and hashtags
  bool deleted() const { return deleted_ms != 0; }
  std::string Encode() const;
  static std::optional<ObjectRecord> Decode(std::string_view bytes);
};

struct ActivityRecord {
  std::string id, type, actor, object_id;
  std::string json;                         // exactly what we send and serve
  Visibility visibility = Visibility::kPublic;
  int64_t published_ms = 0;
  std::string Encode() const;
  static std::optional<ActivityRecord> Decode(std::string_view bytes);
};

enum class FollowState { kPending = 0, kAccepted = 1, kRejected = 2 };
const char* FollowStateName(FollowState s);

struct FollowRecord {
  std::string follower, followee, activity_id;
  FollowState state = FollowState::kPending;
  int64_t created_ms = 0, updated_ms = 0;
  std::string Encode() const;
  static std::optional<FollowRecord> Decode(std::string_view bytes);
};

struct DeliveryRecord {
  uint64_t seq = 0;
  std::string activity_id, inbox, signer;   // signer: local actor whose key signs
  int64_t due_ms = 0, first_attempt_ms = 0, created_ms = 0;
  uint64_t attempts = 0;
  std::string last_error;
  std::string Key() const { return EncodeBe64(static_cast<uint64_t>(due_ms)) + EncodeBe64(seq); }
  std::string Encode() const;
  static std::optional<DeliveryRecord> Decode(std::string_view bytes);
};

// Remembered per inbox host: health and which signature scheme it accepted.
enum class SignatureSchemeChoice { kUnknown = 0, kCavage = 1, kRfc9421 = 2 };
struct HostRecord {
  std::string host;
  uint64_t consecutive_failures = 0;  // timeouts, refusals, 408, 5xx since its last answer
  int64_t first_failure_ms = 0, last_success_ms = 0;
  bool unavailable = false;  // down for days: deliveries dropped but for probes
  SignatureSchemeChoice scheme = SignatureSchemeChoice::kUnknown;
  uint64_t delivered = 0, failed = 0;
  int64_t next_probe_ms = 0;  // unavailable: when one delivery may try it again
  std::string Encode() const;
  static std::optional<HostRecord> Decode(std::string_view bytes);
};

struct JobRecord {
  uint64_t seq = 0;
  std::string kind, subject, detail;        // e.g. "fetch_object", url, why
  int64_t due_ms = 0, created_ms = 0;
  uint64_t attempts = 0;
  std::string Key() const { return EncodeBe64(static_cast<uint64_t>(due_ms)) + EncodeBe64(seq); }
  std::string Encode() const;
  static std::optional<JobRecord> Decode(std::string_view bytes);
};

// Typed access. Get* return kNotFound when absent, kCorruption when undecodable.
cs::Result<ActorRecord> GetActor(const Txn& txn, std::string_view id);
cs::Status PutActor(Txn& txn, const ActorRecord& actor);
// Local actors by name (case-insensitive); kNotFound when no local actor has that name.
cs::Result<ActorRecord> GetLocalActorByName(const Txn& txn, std::string_view name);
cs::Result<KeyRecord> GetKey(const Txn& txn, std::string_view key_id);
cs::Status PutKey(Txn& txn, const KeyRecord& key);
cs::Result<ObjectRecord> GetObject(const Txn& txn, std::string_view id);
cs::Status PutObject(Txn& txn, const ObjectRecord& object);
cs::Result<ActivityRecord> GetActivity(const Txn& txn, std::string_view id);
cs::Status PutActivity(Txn& txn, const ActivityRecord& activity);
cs::Result<FollowRecord> GetFollow(const Txn& txn, std::string_view follower, std::string_view followee);
cs::Status PutFollow(Txn& txn, const FollowRecord& follow);   // keeps the followers index in step
cs::Status DeleteFollow(Txn& txn, std::string_view follower, std::string_view followee);
std::vector<FollowRecord> ListFollowers(const Txn& txn, std::string_view followee);
std::vector<FollowRecord> ListFollowing(const Txn& txn, std::string_view follower);
cs::Result<HostRecord> GetHost(const Txn& txn, std::string_view host);
cs::Status PutHost(Txn& txn, const HostRecord& host);
// Queues a delivery (assigns seq). due_ms = now for immediate.
cs::Status QueueDelivery(Txn& txn, DeliveryRecord delivery);
cs::Status QueueJob(Txn& txn, JobRecord job);
// Appends an object to a local actor's home timeline.
// Home timelines are ordered by when a post was published (`sort_ms`, never later than its
// arrival, so a post dated in the future cannot pin itself to the top), then by arrival.
cs::Status AddToTimeline(Txn& txn, std::string_view local_actor, std::string_view object_id, int64_t sort_ms);
cs::Status AddToOutbox(Txn& txn, std::string_view actor, std::string_view activity_id);
cs::Status AddReply(Txn& txn, std::string_view parent, std::string_view reply);
// Inbound duplicate detection: false when `activity_id` was seen before (and records it).
cs::Result<bool> MarkSeen(Txn& txn, std::string_view activity_id, int64_t now_ms);
// Domain policy.
// Blocked: `authority` (host[:port]) itself, or its host on any port, or a parent domain.
bool IsBlocked(const Txn& txn, std::string_view authority);

}  // namespace store

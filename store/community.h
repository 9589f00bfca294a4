// Communities (Group actors) as the store keeps them. The Group itself is an ActorRecord (type
// "Group", local, with a key pair, in the one namespace of local names); this file adds what a
// community decides by: its CommunityRecord (policies, moderators), bans, invitations, the list of
// its posts, and the node's list of trusted schools (domain policy "trust"). Memberships are
// follow records: member follows group, pending / accepted / rejected. No JSON here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

namespace store {

// Who may join: anyone at once, after a moderator approves, or only invited handles.
enum class JoinPolicy { kOpen = 0, kApproval = 1, kInvite = 2 };
// Who may see it: everyone, the servers on the trusted list, or members only.
enum class CommunityVisibility { kPublic = 0, kNetwork = 1, kMembers = 2 };
const char* JoinPolicyName(JoinPolicy p);
const char* CommunityVisibilityName(CommunityVisibility v);
// Parses "open" / "approval" / "invite" (and the visibility names); nullopt for anything else.
std::optional<JoinPolicy> ParseJoinPolicy(std::string_view s);
std::optional<CommunityVisibility> ParseCommunityVisibility(std::string_view s);

inline constexpr const char* kDefaultLicenseUrl = "https://creativecommons.org/licenses/by/4.0/";

struct CommunityRecord {
  std::string id;    // the Group actor id
  std::string name;  // preferredUsername, as created
  std::string title, description;
  JoinPolicy join = JoinPolicy::kOpen;
  CommunityVisibility visibility = CommunityVisibility::kPublic;
  std::vector<std::string> moderators;           // actor ids (local or remote)
  std::string license_url = kDefaultLicenseUrl;  // default license of shared resources
  int64_t created_ms = 0, updated_ms = 0;
  bool IsModerator(std::string_view actor) const;
  std::string Encode() const;
  static std::optional<CommunityRecord> Decode(std::string_view bytes);
};

struct BanRecord {
  std::string group, actor, by, reason;
  int64_t created_ms = 0;
  std::string Encode() const;
  static std::optional<BanRecord> Decode(std::string_view bytes);
};

struct InviteRecord {
  std::string group, actor, by, activity_id;
  int64_t created_ms = 0;
  std::string Encode() const;
  static std::optional<InviteRecord> Decode(std::string_view bytes);
};

cs::Result<CommunityRecord> GetCommunity(const Txn& txn, std::string_view group_id);
cs::Status PutCommunity(Txn& txn, const CommunityRecord& community);
std::vector<CommunityRecord> ListCommunities(const Txn& txn);

bool IsBanned(const Txn& txn, std::string_view group_id, std::string_view actor);
cs::Status PutBan(Txn& txn, const BanRecord& ban);
cs::Status DeleteBan(Txn& txn, std::string_view group_id, std::string_view actor);
std::vector<BanRecord> ListBans(const Txn& txn, std::string_view group_id);

cs::Result<InviteRecord> GetInvite(const Txn& txn, std::string_view group_id,
                                   std::string_view actor);
cs::Status PutInvite(Txn& txn, const InviteRecord& invite);
cs::Status DeleteInvite(Txn& txn, std::string_view group_id, std::string_view actor);
std::vector<InviteRecord> ListInvites(const Txn& txn, std::string_view group_id);

// The accepted members of a group (follow records in state accepted).
std::vector<FollowRecord> ListMembers(const Txn& txn, std::string_view group_id);
bool IsMember(const Txn& txn, std::string_view group_id, std::string_view actor);

// The posts of a group (ours or a remote one our teachers are members of), newest last.
cs::Status AddCommunityPost(Txn& txn, std::string_view group_id, std::string_view object_id,
                            int64_t sort_ms);
cs::Status RemoveCommunityPost(Txn& txn, std::string_view group_id, std::string_view object_id);
bool HasCommunityPost(const Txn& txn, std::string_view group_id, std::string_view object_id);
// Newest first, at most `limit`.
std::vector<std::string> ListCommunityPosts(const Txn& txn, std::string_view group_id,
                                            size_t limit);

// Trusted schools: an entry "host:port" matches that authority, "host" matches it on any port.
cs::Status PutTrusted(Txn& txn, std::string_view domain);
cs::Status DeleteTrusted(Txn& txn, std::string_view domain);
std::vector<std::string> ListTrusted(const Txn& txn);
// True when the host of `authority` ("host[:port]", lower-case) is on the list.
bool IsTrusted(const Txn& txn, std::string_view authority);

}  // namespace store

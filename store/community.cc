#include "store/community.h"

#include <algorithm>

#include "store/codec.h"
#include "store/record_access.h"

namespace store {
namespace {

constexpr uint64_t kVersion = 1;

template <class T, class F>
std::optional<T> DecodeWith(std::string_view bytes, F&& fields) {
  return detail::DecodeVersioned<T>(bytes, kVersion, std::forward<F>(fields));
}


}  // namespace

const char* JoinPolicyName(JoinPolicy p) {
  switch (p) {
    case JoinPolicy::kOpen:
      return "open";
    case JoinPolicy::kApproval:
      return "approval";
    case JoinPolicy::kInvite:
      return "invite";
  }
  return "open";
}

const char* CommunityVisibilityName(CommunityVisibility v) {
  switch (v) {
    case CommunityVisibility::kPublic:
      return "public";
    case CommunityVisibility::kNetwork:
      return "network";
    case CommunityVisibility::kMembers:
      return "members";
  }
  return "public";
}

std::optional<JoinPolicy> ParseJoinPolicy(std::string_view s) {
  if (s == "open") return JoinPolicy::kOpen;
  if (s == "approval") return JoinPolicy::kApproval;
  if (s == "invite") return JoinPolicy::kInvite;
  return std::nullopt;
}

std::optional<CommunityVisibility> ParseCommunityVisibility(std::string_view s) {
  if (s == "public") return CommunityVisibility::kPublic;
  if (s == "network") return CommunityVisibility::kNetwork;
  if (s == "members") return CommunityVisibility::kMembers;
  return std::nullopt;
}

bool CommunityRecord::IsModerator(std::string_view actor) const {
  return std::find(moderators.begin(), moderators.end(), actor) != moderators.end();
}

std::string CommunityRecord::Encode() const {
  Encoder e;
  e.U64(kVersion).Str(id).Str(name).Str(title).Str(description);
  e.U64(static_cast<uint64_t>(join)).U64(static_cast<uint64_t>(visibility)).Strs(moderators);
  e.Str(license_url).I64(created_ms).I64(updated_ms);
  return e.Take();
}

std::optional<CommunityRecord> CommunityRecord::Decode(std::string_view bytes) {
  return DecodeWith<CommunityRecord>(bytes, [](Decoder& d, CommunityRecord& r) {
    uint64_t join = 0, vis = 0;
    d.Str(r.id).Str(r.name).Str(r.title).Str(r.description).U64(join).U64(vis);
    d.Strs(r.moderators).Str(r.license_url).I64(r.created_ms).I64(r.updated_ms);
    r.join = static_cast<JoinPolicy>(join > 2 ? 0 : join);
    r.visibility = static_cast<CommunityVisibility>(vis > 2 ? 2 : vis);  // unknown: most private
  });
}

std::string BanRecord::Encode() const {
  Encoder e;
  e.U64(kVersion).Str(group).Str(actor).Str(by).Str(reason).I64(created_ms);
  return e.Take();
}

std::optional<BanRecord> BanRecord::Decode(std::string_view bytes) {
  return DecodeWith<BanRecord>(bytes, [](Decoder& d, BanRecord& r) {
    d.Str(r.group).Str(r.actor).Str(r.by).Str(r.reason).I64(r.created_ms);
  });
}

std::string InviteRecord::Encode() const {
  Encoder e;
  e.U64(kVersion).Str(group).Str(actor).Str(by).Str(activity_id).I64(created_ms);
  return e.Take();
}

std::optional<InviteRecord> InviteRecord::Decode(std::string_view bytes) {
  return DecodeWith<InviteRecord>(bytes, [](Decoder& d, InviteRecord& r) {
    d.Str(r.group).Str(r.actor).Str(r.by).Str(r.activity_id).I64(r.created_ms);
  });
}

cs::Result<CommunityRecord> GetCommunity(const Txn& txn, std::string_view group_id) {
  auto bytes = txn.Get(Db::kCommunities, group_id);
  if (!bytes.ok()) return cs::Status::NotFound("no community " + std::string(group_id));
  auto rec = CommunityRecord::Decode(*bytes);
  if (!rec) return cs::Status::Corruption("undecodable record in communities");
  return std::move(*rec);
}

cs::Status PutCommunity(Txn& txn, const CommunityRecord& c) {
  return txn.Put(Db::kCommunities, c.id, c.Encode());
}

std::vector<CommunityRecord> ListCommunities(const Txn& txn) {
  std::vector<CommunityRecord> out;
  (void)txn.Scan(Db::kCommunities, "", [&](std::string_view, std::string_view v) {
    if (auto c = CommunityRecord::Decode(v)) out.push_back(std::move(*c));
    return true;
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

bool IsBanned(const Txn& txn, std::string_view group_id, std::string_view actor) {
  return txn.Contains(Db::kCommunityBans, JoinKey(group_id, actor));
}

cs::Status PutBan(Txn& txn, const BanRecord& ban) {
  return txn.Put(Db::kCommunityBans, JoinKey(ban.group, ban.actor), ban.Encode());
}

cs::Status DeleteBan(Txn& txn, std::string_view group_id, std::string_view actor) {
  return txn.Delete(Db::kCommunityBans, JoinKey(group_id, actor));
}

std::vector<BanRecord> ListBans(const Txn& txn, std::string_view group_id) {
  std::vector<BanRecord> out;
  (void)txn.Scan(Db::kCommunityBans, JoinKey(group_id, ""),
                 [&](std::string_view, std::string_view v) {
                   if (auto b = BanRecord::Decode(v)) out.push_back(std::move(*b));
                   return true;
                 });
  return out;
}

cs::Result<InviteRecord> GetInvite(const Txn& txn, std::string_view group_id,
                                   std::string_view actor) {
  auto bytes = txn.Get(Db::kCommunityInvites, JoinKey(group_id, actor));
  if (!bytes.ok()) return bytes.status();
  auto rec = InviteRecord::Decode(*bytes);
  if (!rec) return cs::Status::Corruption("undecodable record in community_invites");
  return std::move(*rec);
}

cs::Status PutInvite(Txn& txn, const InviteRecord& invite) {
  return txn.Put(Db::kCommunityInvites, JoinKey(invite.group, invite.actor), invite.Encode());
}

cs::Status DeleteInvite(Txn& txn, std::string_view group_id, std::string_view actor) {
  return txn.Delete(Db::kCommunityInvites, JoinKey(group_id, actor));
}

std::vector<InviteRecord> ListInvites(const Txn& txn, std::string_view group_id) {
  std::vector<InviteRecord> out;
  (void)txn.Scan(Db::kCommunityInvites, JoinKey(group_id, ""),
                 [&](std::string_view, std::string_view v) {
                   if (auto i = InviteRecord::Decode(v)) out.push_back(std::move(*i));
                   return true;
                 });
  return out;
}

std::vector<FollowRecord> ListMembers(const Txn& txn, std::string_view group_id) {
  std::vector<FollowRecord> out;
  for (auto& f : ListFollowers(txn, group_id))
    if (f.state == FollowState::kAccepted) out.push_back(std::move(f));
  return out;
}

bool IsMember(const Txn& txn, std::string_view group_id, std::string_view actor) {
  auto f = GetFollow(txn, actor, group_id);
  return f.ok() && f->state == FollowState::kAccepted;
}

cs::Status AddCommunityPost(Txn& txn, std::string_view group_id, std::string_view object_id,
                            int64_t sort_ms) {
  if (HasCommunityPost(txn, group_id, object_id)) return cs::Status::Ok();
  auto seq = txn.NextSequence();
  if (!seq.ok()) return seq.status();
  std::string order =
      EncodeBe64(static_cast<uint64_t>(std::max<int64_t>(sort_ms, 0))) + EncodeBe64(*seq);
  return txn.Put(Db::kCommunityPosts, JoinKey(group_id, order), object_id);
}

cs::Status RemoveCommunityPost(Txn& txn, std::string_view group_id, std::string_view object_id) {
  std::vector<std::string> keys;
  CS_RETURN_IF_ERROR(txn.Scan(Db::kCommunityPosts, JoinKey(group_id, ""),
                              [&](std::string_view k, std::string_view v) {
                                if (v == object_id) keys.emplace_back(k);
                                return true;
                              }));
  for (const auto& k : keys) CS_RETURN_IF_ERROR(txn.Delete(Db::kCommunityPosts, k));
  return cs::Status::Ok();
}

bool HasCommunityPost(const Txn& txn, std::string_view group_id, std::string_view object_id) {
  bool found = false;
  (void)txn.Scan(Db::kCommunityPosts, JoinKey(group_id, ""),
                 [&](std::string_view, std::string_view v) {
                   found = v == object_id;
                   return !found;
                 });
  return found;
}

std::vector<std::string> ListCommunityPosts(const Txn& txn, std::string_view group_id,
                                            size_t limit) {
  std::vector<std::string> out;
  (void)txn.Scan(
      Db::kCommunityPosts, JoinKey(group_id, ""),
      [&](std::string_view, std::string_view v) {
        out.emplace_back(v);
        return out.size() < limit;
      },
      /*reverse=*/true);
  return out;
}

cs::Status PutTrusted(Txn& txn, std::string_view domain) {
  return txn.Put(Db::kPolicy, JoinKey("trust", detail::LowerAscii(domain)), "");
}

cs::Status DeleteTrusted(Txn& txn, std::string_view domain) {
  return txn.Delete(Db::kPolicy, JoinKey("trust", detail::LowerAscii(domain)));
}

std::vector<std::string> ListTrusted(const Txn& txn) {
  std::vector<std::string> out;
  std::string prefix = JoinKey("trust", "");
  (void)txn.Scan(Db::kPolicy, prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k.substr(prefix.size()));
    return true;
  });
  return out;
}

bool IsTrusted(const Txn& txn, std::string_view authority) {
  std::string a = detail::LowerAscii(authority);
  if (a.empty()) return false;
  if (txn.Contains(Db::kPolicy, JoinKey("trust", a))) return true;
  auto colon = a.rfind(':');
  if (colon != std::string::npos && a.find(']') == std::string::npos)
    return txn.Contains(Db::kPolicy, JoinKey("trust", a.substr(0, colon)));
  return false;
}

}  // namespace store

// Routes of communities: /c/NAME (the Group actor), its outbox, followers (members), moderators
// and featured collections. Who may see them follows the community's visibility. Also who may
// see what our teachers posted into communities on other nodes (RemoteMemberAccess).
#include "federation/documents.h"
#include "federation/group_membership.h"
#include "federation/url.h"
#include "node/log.h"
#include "node/node.h"
#include "node/routes.h"
#include "store/community.h"

namespace node {
namespace {

using federation::HttpRequest;
using federation::HttpResponse;

constexpr size_t kPageSize = 20;

HttpResponse JsonAnswer(int status, const std::string& body, const std::string& type) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", type);
  r.body = body;
  return r;
}

HttpResponse NotFound() {
  return JsonAnswer(404, "{\"error\":\"not found\"}", "application/json; charset=utf-8");
}

HttpResponse Doc(const HttpRequest& r, std::string body) {
  std::string accept = r.headers.Get("accept");
  std::string type = accept.find("application/ld+json") != std::string::npos &&
                             accept.find("application/activity+json") == std::string::npos
                         ? "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
                         : "application/activity+json";
  HttpResponse resp = JsonAnswer(200, body, type);
  resp.headers.Set("vary", "Accept");
  return resp;
}

size_t Page(const HttpRequest& r) {
  std::string q = r.Query();
  auto p = q.find("page=");
  if (p == std::string::npos) return 0;
  long n = std::atol(q.c_str() + p + 5);
  return n > 0 && n < 1000000 ? static_cast<size_t>(n) : 1;
}

}  // namespace

bool Router::MaySeeCommunity(const HttpRequest& r, const std::string& group_id) const {
  store::CommunityRecord c;
  {
    auto txn = node_.store().BeginRead();
    if (!txn.ok()) return false;
    auto rec = store::GetCommunity(*txn, group_id);
    if (!rec.ok()) return true;
    c = std::move(rec).value();
  }
  if (c.visibility == store::CommunityVisibility::kPublic) return true;
  // No transaction is held while the signer's key may be fetched.
  auto signer = node_.inbox().VerifyRequest(r);
  if (!signer.ok()) return false;
  auto url = federation::ParseUrl(*signer);
  if (!url.ok()) return false;
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return false;
  if (c.visibility == store::CommunityVisibility::kNetwork)
    return store::IsTrusted(*txn, url->Authority()) || store::IsMember(*txn, c.id, *signer);
  for (const auto& m : store::ListMembers(*txn, c.id))
    if (m.follower == *signer || federation::SameOrigin(m.follower, *signer)) return true;
  return c.IsModerator(*signer);
}

Router::Access Router::RemoteMemberAccess(const std::string& signer,
                                          const std::vector<std::string>& groups) const {
  Access access = Access::kDeny;
  for (const auto& group : groups) {
    // The community's own server announces it to the members: it needs no list.
    if (federation::SameOrigin(signer, group)) return Access::kAllow;
    auto entitled = node_.membership().Entitled(group, signer);
    if (entitled.ok() && *entitled) return Access::kAllow;
    if (!entitled.ok()) {
      Log(LogLevel::kInfo, "cannot tell whether " + signer + " belongs to " + group + ": " +
                               entitled.status().message());
      access = Access::kRetry;
    }
  }
  return access;
}

HttpResponse Router::Community(const HttpRequest& r, std::string_view name,
                               std::string_view sub) const {
  store::ActorRecord actor;
  store::CommunityRecord c;
  {
    auto txn = node_.store().BeginRead();
    if (!txn.ok())
      return JsonAnswer(503, "{\"error\":\"storage unavailable\"}", "application/json");
    auto a = store::GetLocalActorByName(*txn, name);
    if (!a.ok() || a->type != "Group") return NotFound();
    auto rec = store::GetCommunity(*txn, a->id);
    if (!rec.ok()) return NotFound();
    actor = std::move(a).value();
    c = std::move(rec).value();
  }
  // A members-only community shows its actor to everyone (so it can be asked to join); a
  // network one only to trusted schools; their contents as MaySeeCommunity says.
  const bool actor_visible = c.visibility != store::CommunityVisibility::kNetwork;
  if (sub.empty()) {
    if (!actor_visible && !MaySeeCommunity(r, c.id)) return NotFound();
    return Doc(r, federation::GroupActorJson(actor, c));
  }
  if (sub == "moderators") {
    if (!actor_visible && !MaySeeCommunity(r, c.id)) return NotFound();
    return Doc(r, federation::InlineCollectionJson(actor.id + "/moderators", c.moderators));
  }
  if (sub != "outbox" && sub != "followers" && sub != "featured") return Object(r);
  if (!MaySeeCommunity(r, c.id)) return NotFound();
  std::string id = actor.id + "/" + std::string(sub);
  if (sub == "featured") return Doc(r, federation::InlineCollectionJson(id, {}));
  std::vector<std::string> all;  // newest first
  bool items_are_json = sub == "outbox";
  {
    auto txn = node_.store().BeginRead();
    if (!txn.ok())
      return JsonAnswer(503, "{\"error\":\"storage unavailable\"}", "application/json");
    if (sub == "outbox") {
      (void)txn->Scan(
          store::Db::kOutbox, store::JoinKey(actor.id, ""),
          [&](std::string_view, std::string_view aid) {
            auto act = store::GetActivity(*txn, aid);
            if (act.ok() && act->type == "Announce" && all.size() < 1000) all.push_back(act->json);
            return true;
          },
          /*reverse=*/true);
    } else {
      for (const auto& m : store::ListMembers(*txn, actor.id)) all.push_back(m.follower);
    }
  }
  size_t page = Page(r);
  if (page == 0) return Doc(r, federation::OrderedCollectionJson(id, all.size(), id + "?page=1"));
  size_t begin = (page - 1) * kPageSize;
  std::vector<std::string> items;
  for (size_t i = begin; i < all.size() && i < begin + kPageSize; ++i) items.push_back(all[i]);
  std::string next = begin + kPageSize < all.size() ? id + "?page=" + std::to_string(page + 1) : "";
  return Doc(r, federation::OrderedCollectionPageJson(id + "?page=" + std::to_string(page), id,
                                                      items, items_are_json, next));
}

}  // namespace node

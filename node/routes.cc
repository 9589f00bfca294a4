#include "node/routes.h"

#include <algorithm>

#include "federation/documents.h"
#include "federation/group.h"
#include "federation/group_membership.h"
#include "federation/handle.h"
#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/nodeinfo.h"
#include "federation/url.h"
#include "federation/webfinger.h"
#include "node/log.h"
#include "node/node.h"
#include "store/community.h"
#include "store/discussion.h"

namespace node {
namespace {

using federation::HttpRequest;
using federation::HttpResponse;

constexpr size_t kPageSize = 20;

HttpResponse Json(int status, std::string body, std::string_view type = "application/activity+json") {
  HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", std::string(type) + "; charset=utf-8");
  r.body = std::move(body);
  return r;
}

HttpResponse Error(int status, std::string_view message) {
  return Json(status, "{\"error\":" + federation::JsonString(message) + "}", "application/json");
}

// The content type to answer an ActivityStreams document with, following Accept.
std::string AsType(const HttpRequest& r) {
  std::string accept = r.headers.Get("accept");
  if (accept.find("application/ld+json") != std::string::npos &&
      accept.find("application/activity+json") == std::string::npos)
    return "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
  return "application/activity+json";
}

bool WantsHtml(const HttpRequest& r) {
  std::string accept = r.headers.Get("accept");
  return accept.find("text/html") != std::string::npos &&
         accept.find("application/activity+json") == std::string::npos &&
         accept.find("application/ld+json") == std::string::npos;
}

HttpResponse AsDocument(const HttpRequest& r, std::string body) {
  HttpResponse resp;
  resp.status = 200;
  resp.headers.Set("content-type", AsType(r));
  resp.headers.Set("vary", "Accept");
  resp.body = std::move(body);
  return resp;
}

// 503 while the community's server that decides who may see something cannot be asked.
HttpResponse Unavailable() {
  HttpResponse resp = Error(503, "try again later");
  resp.headers.Set("retry-after", "30");
  return resp;
}

HttpResponse Gone(const std::string& id, const std::string& type, int64_t when) {
  return Json(410, federation::TombstoneJson(id, type, when));
}

size_t PageParam(const HttpRequest& r) {
  std::string q = r.Query();
  auto p = q.find("page=");
  if (p == std::string::npos) return 0;
  long n = std::atol(q.c_str() + p + 5);
  return n > 0 && n < 1000000 ? static_cast<size_t>(n) : 1;
}

// One info line for each refused inbox POST: status, reason, the detail kept from the sender.
HttpResponse Logged(const HttpRequest& r, HttpResponse resp) {
  if (resp.status >= 400 && LogEnabled(LogLevel::kInfo)) {
    std::string reason = resp.body;
    if (auto doc = federation::ParseJson(resp.body); doc.ok() && doc->IsObject())
      if (auto it = doc->FindMember("error"); it != doc->MemberEnd() && it->value.IsString())
        reason = it->value.GetString();
    Log(LogLevel::kInfo, "inbox " + r.Path() + " refused a POST from " +
                             (r.remote_address.empty() ? "?" : r.remote_address) + ": " +
                             std::to_string(resp.status) + " " + reason +
                             (resp.log_detail.empty() ? "" : " (" + resp.log_detail + ")"));
  }
  return resp;
}

}  // namespace

HttpResponse Router::Handle(const HttpRequest& r) const {
  const std::string path = r.Path();
  if (r.method == "OPTIONS") {
    HttpResponse resp;
    resp.status = 204;
    resp.headers.Set("access-control-allow-origin", "*");
    resp.headers.Set("access-control-allow-methods", "GET, POST, OPTIONS");
    resp.headers.Set("access-control-allow-headers", "Accept, Content-Type, Signature, Signature-Input, Digest, Content-Digest, Date");
    return resp;
  }
  if (path == paths::kSharedInbox) {
    auto resp = Logged(r, node_.inbox().Handle(r, ""));
    if (resp.status == 202) node_.WakeDelivery();
    return resp;
  }
  if (path.rfind(paths::kUsers, 0) == 0) {
    std::string rest = path.substr(std::string(paths::kUsers).size());
    auto slash = rest.find('/');
    std::string name = rest.substr(0, slash);
    std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (sub == "inbox") {
      auto resp = Logged(r, node_.inbox().Handle(r, name));
      if (resp.status == 202) node_.WakeDelivery();
      return resp;
    }
    if (r.method != "GET" && r.method != "HEAD") return Error(405, "method not allowed");
    if (sub.empty()) return Actor(r, name);
    if (sub == "outbox" || sub == "followers" || sub == "following") return Collection(r, name, sub);
    if (sub.rfind("resources/", 0) == 0) return Resource(r);
    if (sub.ends_with("/replies")) return Replies(r);
    return Object(r);
  }
  if (path.rfind(paths::kCommunities, 0) == 0) {
    std::string rest = path.substr(std::string(paths::kCommunities).size());
    auto slash = rest.find('/');
    std::string name = rest.substr(0, slash);
    std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (sub == "inbox") {
      auto resp = Logged(r, node_.inbox().Handle(r, name));
      if (resp.status == 202) node_.WakeDelivery();
      return resp;
    }
    if (r.method != "GET" && r.method != "HEAD") return Error(405, "method not allowed");
    return Community(r, name, sub);
  }
  if (r.method != "GET" && r.method != "HEAD") return Error(405, "method not allowed");
  if (path == paths::kWebFinger) return WebFinger(r);
  if (path == paths::kNodeInfoWellKnown) return NodeInfoDiscovery();
  if (path == paths::kNodeInfo) return NodeInfo();
  if (path == paths::kInstanceActor) return InstanceActor(r);
  if (path.rfind(paths::kFiles, 0) == 0) return File(r);
  if (path == paths::kContext) return Context();
  if (path == "/") return Home();
  return Object(r);
}

HttpResponse Router::WebFinger(const HttpRequest& r) const {
  std::string resource;
  std::string q = r.Query();
  for (size_t start = 0; start <= q.size();) {
    auto end = q.find('&', start);
    std::string part = q.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.rfind("resource=", 0) == 0) resource = federation::PercentDecode(part.substr(9));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  HttpResponse resp;
  auto query = federation::ParseWebFingerResource(resource);
  if (resource.empty() || !query.ok()) {
    resp = Error(400, resource.empty() ? "missing resource parameter" : query.status().message());
  } else {
    auto txn = node_.store().BeginRead();
    cs::Result<store::ActorRecord> actor = cs::Status::NotFound("no such account");
    if (txn.ok()) {
      if (query->is_url) {
        if (node_.uris().IsLocal(query->url)) actor = store::GetActor(*txn, query->url);
      } else if (federation::NormalizeHost(query->host) == federation::NormalizeHost(node_.config().domain)) {
        actor = store::GetLocalActorByName(*txn, query->user);
      }
    }
    if (!actor.ok() || actor->deleted || actor->type == "Application") {
      resp = Error(404, "no such account");
    } else {
      std::string subject = "acct:" + actor->preferred_username + "@" + node_.config().domain;
      resp = Json(200, federation::BuildJrd(subject, {actor->id}, actor->id, actor->url),
                  "application/jrd+json");
    }
  }
  resp.headers.Set("access-control-allow-origin", "*");
  return resp;
}

HttpResponse Router::NodeInfoDiscovery() const {
  return Json(200, federation::BuildNodeInfoDiscovery(node_.uris().origin()), "application/json");
}

HttpResponse Router::NodeInfo() const {
  federation::NodeInfoStats stats{};
  auto txn = node_.store().BeginRead();
  if (txn.ok()) {
    (void)txn->Scan(store::Db::kLocalNames, "", [&](std::string_view, std::string_view id) {
      if (auto a = store::GetActor(*txn, id); a.ok() && a->type == "Person" && !a->deleted)
        stats.users_total++;
      return true;
    });
    stats.active_month = stats.active_halfyear = stats.users_total;
    (void)txn->Scan(store::Db::kOutbox, "", [&](std::string_view, std::string_view) {
      stats.local_posts++;
      return true;
    });
  }
  return Json(200, federation::BuildNodeInfo(stats, "0.1.0"),
              "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"");
}

HttpResponse Router::InstanceActor(const HttpRequest& r) const {
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  auto actor = store::GetActor(*txn, node_.uris().InstanceActor());
  if (!actor.ok()) return Error(500, "instance actor missing");
  return AsDocument(r, federation::ActorJson(*actor));
}

HttpResponse Router::Actor(const HttpRequest& r, std::string_view name) const {
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  auto actor = store::GetLocalActorByName(*txn, name);
  if (!actor.ok() || actor->type != "Person") return Error(404, "no such user");
  if (actor->deleted) return Gone(actor->id, actor->type, 0);
  if (WantsHtml(r)) {
    HttpResponse resp;
    resp.headers.Set("content-type", "text/html; charset=utf-8");
    resp.body = "<!doctype html><meta charset=utf-8><title>" + federation::EscapeHtml(actor->name) +
                "</title><h1>" + federation::EscapeHtml(actor->name) + "</h1><p>@" +
                federation::EscapeHtml(actor->preferred_username) + "@" +
                federation::EscapeHtml(node_.config().domain) + "</p>";
    return resp;
  }
  return AsDocument(r, federation::ActorJson(*actor));
}

HttpResponse Router::Collection(const HttpRequest& r, std::string_view name, std::string_view which) const {
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  auto actor = store::GetLocalActorByName(*txn, name);
  if (!actor.ok() || actor->type != "Person") return Error(404, "no such user");
  if (actor->deleted) return Gone(actor->id, actor->type, 0);
  std::string id = actor->id + "/" + std::string(which);
  std::vector<std::string> all;  // newest first
  bool items_are_json = false;
  if (which == "outbox") {
    items_are_json = true;
    (void)txn->Scan(store::Db::kOutbox, store::JoinKey(actor->id, ""),
                    [&](std::string_view, std::string_view aid) {
                      auto act = store::GetActivity(*txn, aid);
                      if (act.ok() && act->visibility == store::Visibility::kPublic &&
                          (act->type == "Create" || act->type == "Announce")) {
                        auto obj = store::GetObject(*txn, act->object_id);
                        if (obj.ok() && !obj->deleted()) all.push_back(act->json);
                      }
                      return true;
                    }, /*reverse=*/true);
  } else {
    auto list = which == "followers" ? store::ListFollowers(*txn, actor->id)
                                     : store::ListFollowing(*txn, actor->id);
    for (const auto& f : list)
      if (f.state == store::FollowState::kAccepted)
        all.push_back(which == "followers" ? f.follower : f.followee);
  }
  size_t page = PageParam(r);
  if (page == 0)
    return AsDocument(r, federation::OrderedCollectionJson(id, all.size(), id + "?page=1"));
  size_t begin = (page - 1) * kPageSize;
  std::vector<std::string> items;
  for (size_t i = begin; i < all.size() && i < begin + kPageSize; ++i) items.push_back(all[i]);
  std::string next = begin + kPageSize < all.size() ? id + "?page=" + std::to_string(page + 1) : "";
  return AsDocument(r, federation::OrderedCollectionPageJson(id + "?page=" + std::to_string(page), id,
                                                             items, items_are_json, next));
}

HttpResponse Router::Object(const HttpRequest& r) const {
  std::string id = node_.uris().origin() + r.Path();
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  store::Visibility visibility;
  std::string author, body, community;  // community: the group whose rules also decide who may see it
  std::vector<std::string> to, cc;      // the object's addressing (for communities elsewhere)
  bool groups_own = false;              // an activity of the community itself (its Announces)
  int64_t withdrawn_ms = -1;            // its Announce of a post since deleted or removed: when
  if (auto obj = store::GetObject(*txn, id); obj.ok() && obj->local) {
    if (obj->deleted()) return Gone(obj->id, obj->type, obj->deleted_ms);
    visibility = obj->visibility;
    author = obj->attributed_to;
    community = obj->audience;
    to = obj->to;
    cc = obj->cc;
    body = federation::ObjectJson(*obj, true);
  } else if (auto act = store::GetActivity(*txn, id); act.ok()) {
    visibility = act->visibility;
    author = act->actor;
    if (store::GetCommunity(*txn, act->actor).ok()) {
      community = act->actor;
      groups_own = true;
      // An Announce embedding a post that was deleted or removed no longer serves its content
      // (answered 410 to those who may see the community).
      if (act->type == "Announce") {
        std::string carried = federation::AnnouncedContentId(act->json);
        if (auto o = store::GetObject(*txn, carried); !carried.empty() && o.ok() && o->deleted())
          withdrawn_ms = o->deleted_ms;
      }
    } else if (auto o = store::GetObject(*txn, act->object_id); o.ok()) {
      community = o->audience;
      to = o->to;
      cc = o->cc;
    }
    if (auto o = store::GetObject(*txn, act->object_id); o.ok() && o->deleted() && act->type == "Create")
      return Gone(act->id, act->type, o->deleted_ms);
    body = act->json;
  } else {
    return Error(404, "not found");
  }
  // In one of our communities: who may see the community AND who may see the object. The
  // community's rule is the object's own when the object is public, is addressed to the group
  // only (a closed community's post: its members) or is the group's own activity; a
  // followers-only or direct object keeps its own rule on top (a community never widens it).
  const bool ours = !community.empty() && store::GetCommunity(*txn, community).ok();
  const bool group_only = ours && visibility == store::Visibility::kDirect &&
                          federation::IsClosedCommunity(*txn, community) &&
                          (std::find(to.begin(), to.end(), community) != to.end() ||
                           std::find(cc.begin(), cc.end(), community) != cc.end());
  const bool own_rule = visibility != store::Visibility::kPublic && !groups_own && !group_only;
  // Followers-only: a signed GET from a follower, or from the server of one; else 404. In a
  // community on another node: also a member or a member's server, as that node says.
  const std::vector<std::string> groups =
      own_rule ? federation::AddressedRemoteGroups(*txn, node_.uris(), community, to, cc)
               : std::vector<std::string>{};
  txn->Abort();  // none is held while a key or the community's server is asked
  if (ours && !MaySeeCommunity(r, community)) return Error(404, "not found");
  if (withdrawn_ms >= 0) return Gone(id, "Announce", withdrawn_ms);
  if (own_rule) {
    auto signer = node_.inbox().VerifyRequest(r);
    if (!signer.ok()) return Error(404, "not found");
    bool allowed = *signer == author;
    if (visibility == store::Visibility::kFollowers && !allowed) {
      auto rtxn = node_.store().BeginRead();
      if (!rtxn.ok()) return Error(503, "storage unavailable");
      for (const auto& f : store::ListFollowers(*rtxn, author))
        if (f.state == store::FollowState::kAccepted &&
            (f.follower == *signer || federation::SameOrigin(f.follower, *signer)))
          allowed = true;
    }
    if (!allowed && !groups.empty()) {
      // No transaction is held while the community's server is asked.
      Access access = RemoteMemberAccess(*signer, groups);
      if (access == Access::kRetry) return Unavailable();
      allowed = access == Access::kAllow;
    }
    if (!allowed) return Error(404, "not found");
  }
  return AsDocument(r, std::move(body));
}

HttpResponse Router::Replies(const HttpRequest& r) const {
  const std::string id = node_.uris().origin() + r.Path();
  const std::string object_id = id.substr(0, id.size() - std::string_view("/replies").size());
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  auto obj = store::GetObject(*txn, object_id);
  if (!obj.ok() || !obj->local || obj->visibility != store::Visibility::kPublic)
    return Error(404, "not found");
  if (obj->deleted()) return Gone(obj->id, obj->type, obj->deleted_ms);
  std::vector<std::string> all;  // public replies still standing, oldest first
  for (const auto& reply_id : store::ListReplyIds(*txn, object_id))
    if (auto reply = store::GetObject(*txn, reply_id);
        reply.ok() && !reply->deleted() && reply->visibility == store::Visibility::kPublic)
      all.push_back(reply_id);
  size_t page = PageParam(r);
  if (page == 0)
    return AsDocument(r, federation::OrderedCollectionJson(id, all.size(), id + "?page=1"));
  size_t begin = (page - 1) * kPageSize;
  std::vector<std::string> items;
  for (size_t i = begin; i < all.size() && i < begin + kPageSize; ++i) items.push_back(all[i]);
  std::string next = begin + kPageSize < all.size() ? id + "?page=" + std::to_string(page + 1) : "";
  return AsDocument(r, federation::OrderedCollectionPageJson(id + "?page=" + std::to_string(page),
                                                             id, items, false, next));
}

HttpResponse Router::Home() const {
  HttpResponse resp;
  resp.headers.Set("content-type", "text/html; charset=utf-8");
  resp.body = "<!doctype html><meta charset=utf-8><title>Cloudschool</title><h1>Cloudschool node " +
              federation::EscapeHtml(node_.config().domain) +
              "</h1><p>A school's node in the Cloudschool network of professional learning "
              "communities. It speaks ActivityPub.</p>";
  return resp;
}

}  // namespace node

// Routes of shared resources: the resource at its id (its current version), each version at
// RESOURCE/versions/N, the history collection at RESOURCE/versions, the files at
// /files/SHA256/NAME, and the JSON-LD context at /ns/cloudschool. A public resource (addressed to
// as:Public) is served to everyone; one shared into a community that is not public only to who
// may see that community (ResourceAccess), everyone else gets 404, for the resource, its
// versions, its history and its files alike. A resource whose object was deleted answers 410.
#include <optional>

#include "federation/documents.h"
#include "federation/group.h"
#include "federation/group_membership.h"
#include "federation/resource.h"
#include "federation/url.h"
#include "federation/webfinger.h"
#include "node/node.h"
#include "node/routes.h"
#include "store/community.h"
#include "store/resources.h"

namespace node {
namespace {

using federation::HttpRequest;
using federation::HttpResponse;

HttpResponse Plain(int status, std::string body, std::string type) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("content-type", std::move(type));
  r.body = std::move(body);
  return r;
}

HttpResponse Error(int status, std::string_view message) {
  return Plain(status, "{\"error\":" + federation::JsonString(message) + "}",
               "application/json; charset=utf-8");
}

// 503 while the server of the community that decides who may see it cannot be asked.
HttpResponse Retry() {
  HttpResponse resp = Error(503, "try again later");
  resp.headers.Set("retry-after", "30");
  return resp;
}

HttpResponse AsDocument(const HttpRequest& r, std::string body) {
  std::string accept = r.headers.Get("accept");
  std::string type = "application/activity+json";
  if (accept.find("application/ld+json") != std::string::npos &&
      accept.find("application/activity+json") == std::string::npos)
    type = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
  HttpResponse resp = Plain(200, std::move(body), type);
  resp.headers.Set("vary", "Accept");
  resp.headers.Set("access-control-allow-origin", "*");
  return resp;
}

bool WantsHtml(const HttpRequest& r) {
  std::string accept = r.headers.Get("accept");
  return accept.find("text/html") != std::string::npos &&
         accept.find("application/activity+json") == std::string::npos &&
         accept.find("application/ld+json") == std::string::npos;
}

// A type a browser will not run: anything HTML-, XML-, SVG- or script-like is served as bytes.
std::string SafeServedType(const std::string& media_type) {
  std::string t = federation::AsciiLower(media_type);
  if (t.empty() || t.find("html") != std::string::npos || t.find("xml") != std::string::npos ||
      t.find("svg") != std::string::npos || t.find("script") != std::string::npos ||
      t.find_first_of(";\r\n ") != std::string::npos)
    return "application/octet-stream";
  return t;
}

// Content-Disposition: attachment with an ASCII fallback and the UTF-8 name (RFC 6266 / 8187).
std::string Disposition(const std::string& name) {
  std::string ascii, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    ascii.push_back(
        c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? static_cast<char>(c) : '_');
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 15]);
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

HttpResponse Router::Context() const {
  HttpResponse resp = Plain(200, federation::ContextDocument(), "application/ld+json");
  resp.headers.Set("access-control-allow-origin", "*");
  resp.headers.Set("cache-control", "public, max-age=86400");
  return resp;
}

Router::Access Router::ResourceAccess(const HttpRequest& r,
                                      const store::ResourceRecord& res) const {
  if (federation::IsPublicResource(res)) return Access::kAllow;
  if (res.audience.empty()) return Access::kDeny;
  std::vector<std::string> groups;
  {
    auto txn = node_.store().BeginRead();
    if (!txn.ok()) return Access::kDeny;
    if (store::GetCommunity(*txn, res.audience).ok()) {
      // A closed community's resource is addressed to the group only: its rule is the
      // resource's own. A public community never widens one that is not public (none is made
      // now; the group would refuse it): the author only, below.
      const bool closed = federation::IsClosedCommunity(*txn, res.audience);
      txn->Abort();
      if (closed) return MaySeeCommunity(r, res.audience) ? Access::kAllow : Access::kDeny;
    } else {
      groups =
          federation::AddressedRemoteGroups(*txn, node_.uris(), res.audience, res.to, res.cc);
    }
  }
  // Another node's community: the author and the community's own server (which announces it to
  // the members) may fetch it; members and their servers as the community's server lists them.
  auto signer = node_.inbox().VerifyRequest(r);
  if (!signer.ok()) return Access::kDeny;
  if (*signer == res.attributed_to || federation::SameOrigin(*signer, res.audience))
    return Access::kAllow;
  return groups.empty() ? Access::kDeny : RemoteMemberAccess(*signer, groups);
}

HttpResponse Router::Resource(const HttpRequest& r) const {
  // /users/NAME/resources/ID[/versions[/N]]
  const std::string path = r.Path();
  const std::string marker = "/resources/";
  auto m = path.find(marker);
  std::string rest = path.substr(m + marker.size());
  auto slash = rest.find('/');
  std::string rid =
      node_.uris().origin() + path.substr(0, m + marker.size()) + rest.substr(0, slash);
  std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
  {
    // Who may see it first, with no transaction held while the signer's key may be fetched.
    std::optional<store::ResourceRecord> rec;
    {
      auto txn = node_.store().BeginRead();
      if (!txn.ok()) return Error(503, "storage unavailable");
      auto res = store::GetResource(*txn, rid);
      if (!res.ok() || !res->local) return Error(404, "not found");
      rec = std::move(res).value();
    }
    switch (ResourceAccess(r, *rec)) {
      case Access::kAllow:
        break;
      case Access::kRetry:
        return Retry();
      case Access::kDeny:
        return Error(404, "not found");
    }
  }
  auto txn = node_.store().BeginRead();
  if (!txn.ok()) return Error(503, "storage unavailable");
  auto res = store::GetResource(*txn, rid);
  if (!res.ok() || !res->local) return Error(404, "not found");
  if (auto obj = store::GetObject(*txn, rid); obj.ok() && obj->deleted())
    return Plain(410, federation::TombstoneJson(rid, res->type, obj->deleted_ms),
                 "application/activity+json");
  const std::string context = node_.uris().origin() + federation::kContextPath;
  if (sub.empty()) {
    auto v = store::GetCurrentVersion(*txn, *res);
    if (!v.ok()) return Error(500, "resource without a current version");
    if (WantsHtml(r))
      return Plain(200, federation::ResourceHtmlPage(*res, *v), "text/html; charset=utf-8");
    return AsDocument(r, federation::ResourceObjectJson(*res, *v, false, context));
  }
  if (sub == "versions")
    return AsDocument(r, federation::VersionsCollectionJson(
                             *res, store::ListResourceVersions(*txn, rid), context));
  if (sub.rfind("versions/", 0) == 0) {
    std::string n = sub.substr(9);
    if (n.empty() || n.size() > 12 || n.find_first_not_of("0123456789") != std::string::npos)
      return Error(404, "not found");
    auto v = store::GetResourceVersion(*txn, rid, std::stoull(n));
    if (!v.ok()) return Error(404, "no such version");
    return AsDocument(r, federation::ResourceObjectJson(*res, *v, true, context));
  }
  return Error(404, "not found");
}

HttpResponse Router::File(const HttpRequest& r) const {
  // /files/SHA256/NAME: the name is for people (and Content-Disposition); the digest decides.
  std::string rest = r.Path().substr(std::string(paths::kFiles).size());
  auto slash = rest.find('/');
  std::string hex = rest.substr(0, slash);
  if (!store::IsSha256Hex(hex)) return Error(404, "not found");
  std::string name;
  if (slash != std::string::npos)
    if (auto n = federation::SanitizeFileName(federation::PercentDecode(rest.substr(slash + 1)));
        n.ok())
      name = *n;
  store::FileRecord rec;
  std::vector<store::ResourceRecord> closed;  // not public resources holding the file
  {
    auto txn = node_.store().BeginRead();
    if (!txn.ok()) return Error(503, "storage unavailable");
    auto f = store::GetFileRecord(*txn, hex);
    // Only files of this node's resources are served; copies of other schools' files are not.
    if (!f.ok() || !f->local) return Error(404, "not found");
    rec = *f;
    // Served as the resources holding it are: freely when one of them is public or none is
    // known (an orphan local file); else only to who may see one of them.
    bool any_public = false;
    for (const auto& res : store::ListResources(*txn)) {
      if (!res.local || res.deleted_ms) continue;
      bool holds = false;
      for (const auto& v : store::ListResourceVersions(*txn, res.id))
        for (const auto& file : v.files) holds |= file.sha256_hex == hex;
      if (!holds) continue;
      if (federation::IsPublicResource(res)) {
        any_public = true;
        break;
      }
      closed.push_back(res);
    }
    if (any_public) closed.clear();
  }
  if (!closed.empty()) {
    Access access = Access::kDeny;
    for (const auto& res : closed) {
      Access a = ResourceAccess(r, res);
      if (a == Access::kAllow || (a == Access::kRetry && access == Access::kDeny)) access = a;
      if (access == Access::kAllow) break;
    }
    if (access == Access::kRetry) return Retry();
    if (access == Access::kDeny) return Error(404, "not found");
  }
  if (r.headers.Get("if-none-match") == "\"" + hex + "\"") {
    HttpResponse resp = Plain(304, "", SafeServedType(rec.media_type));
    resp.headers.Set("etag", "\"" + hex + "\"");
    return resp;
  }
  auto bytes = node_.blobs().Read(hex);
  if (!bytes.ok())
    return Error(bytes.status().Is(cs::Status::Code::kNotFound) ? 404 : 500, "file unavailable");
  HttpResponse resp = Plain(200, std::move(bytes).value(), SafeServedType(rec.media_type));
  resp.headers.Set("content-disposition", Disposition(name.empty() ? rec.name : name));
  resp.headers.Set("x-content-type-options", "nosniff");
  resp.headers.Set("content-security-policy", "default-src 'none'; sandbox");
  resp.headers.Set("cache-control",
                   closed.empty() ? "public, max-age=31536000, immutable" : "private, no-store");
  resp.headers.Set("etag", "\"" + hex + "\"");
  if (closed.empty()) resp.headers.Set("access-control-allow-origin", "*");
  return resp;
}

}  // namespace node

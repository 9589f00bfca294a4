#include "federation/peer_software.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "federation/json.h"
#include "federation/url.h"
#include "store/peers.h"

namespace federation {
namespace {

constexpr std::string_view kJobKind = "peer_software";
// Software rarely changes on a server: ask once a week.
constexpr int64_t kRecheckMs = 7LL * 24 * 3600 * 1000;
// A queued check, or one that failed, is asked again after an hour (a lost job, a server down).
constexpr int64_t kRetryMs = 3600LL * 1000;
constexpr size_t kMaxNameBytes = 64;

// NodeInfo software.name of servers that show a group's Announces as boosts and know nothing of
// FEP-1b12: Mastodon and its forks, Pleroma and Akkoma, Misskey and its forks, GoToSocial.
// Anything not here (Lemmy, Mbin/kbin, PieFed, lotide, Friendica, NodeBB, Discourse,
// Hubzilla/streams, Cloudschool, servers we do not know) is treated as group-aware.
constexpr std::array<std::string_view, 17> kMicroblog = {
    "mastodon", "hometown",  "fedibird",      "pleroma",    "akkoma",   "misskey",
    "calckey",  "firefish",  "foundkey",      "cherrypick", "meisskey", "catodon",
    "sharkey",  "iceshrimp", "iceshrimp.net", "gotosocial", "takahe"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string AuthorityOf(std::string_view url) {
  auto u = ParseUrl(url);
  return u.ok() ? u->Authority() : "";
}

}  // namespace

PeerKind KindOfSoftware(std::string_view software_name) {
  const std::string name = Lower(software_name);
  return std::find(kMicroblog.begin(), kMicroblog.end(), name) != kMicroblog.end()
             ? PeerKind::kMicroblog
             : PeerKind::kGroupAware;
}

PeerKind PeerKindOf(const store::Txn& txn, std::string_view authority) {
  auto peer = store::GetPeer(txn, authority);
  return peer.ok() ? KindOfSoftware(peer->software) : PeerKind::kGroupAware;
}

cs::Status NotePeer(store::Txn& txn, std::string_view inbox_url, int64_t now_ms) {
  auto url = ParseUrl(inbox_url);
  if (!url.ok()) return cs::Status::Ok();  // nothing to ask
  store::PeerRecord peer;
  if (auto known = store::GetPeer(txn, url->Authority()); known.ok()) {
    if (known->next_check_ms > now_ms) return cs::Status::Ok();
    peer = *known;
  }
  peer.authority = url->Authority();
  peer.next_check_ms = now_ms + kRetryMs;  // queued: not again before the job had its chance
  CS_RETURN_IF_ERROR(store::PutPeer(txn, peer));
  return store::QueueJob(txn, {.kind = std::string(kJobKind),
                               .subject = url->Origin(),
                               .detail = url->Authority(),
                               .due_ms = now_ms,
                               .created_ms = now_ms});
}

std::string NodeInfoHref(std::string_view discovery_json) {
  auto doc = ParseJson(discovery_json);
  if (!doc.ok()) return "";
  const rapidjson::Value* links = Member(*doc, "links");
  if (links == nullptr || !links->IsArray()) return "";
  // rel http(s)://nodeinfo.diaspora.software/ns/schema/X.Y: the newest version wins.
  constexpr std::string_view kSchema = "nodeinfo.diaspora.software/ns/schema/";
  std::string best_version, best_href;
  for (const auto& link : links->GetArray()) {
    auto rel = ReadString(link, "rel");
    auto href = ReadString(link, "href");
    if (!rel || !href) continue;
    size_t at = rel->find(kSchema);
    if (at == std::string::npos) continue;
    std::string version = rel->substr(at + kSchema.size());
    if (best_href.empty() || version > best_version) {
      best_version = version;
      best_href = *href;
    }
  }
  return best_href;
}

std::string NodeInfoSoftware(std::string_view nodeinfo_json, std::string* version) {
  auto doc = ParseJson(nodeinfo_json);
  if (!doc.ok()) return "";
  const rapidjson::Value* software = Member(*doc, "software");
  if (software == nullptr) return "";
  auto name = ReadString(*software, "name");
  if (!name || name->size() > kMaxNameBytes) return "";
  if (version) {
    auto v = ReadString(*software, "version");
    *version = v && v->size() <= kMaxNameBytes ? *v : "";
  }
  return Lower(*name);
}

bool IsPeerSoftwareJob(const std::string& kind) { return kind == kJobKind; }

cs::Status RunPeerSoftwareJob(const store::Store& db, const Fetcher& fetcher,
                              const store::JobRecord& job, const cs::Clock& clock) {
  const std::string& origin = job.subject;
  const std::string authority = job.detail.empty() ? AuthorityOf(origin) : job.detail;
  std::string software, version, error;
  auto discovery = fetcher.FetchPlain(origin + "/.well-known/nodeinfo", "application/json");
  if (!discovery.ok()) {
    error = discovery.status().ToString();
  } else if (std::string href = NodeInfoHref(*discovery); href.empty()) {
    error = "no NodeInfo 2.x link in " + origin + "/.well-known/nodeinfo";
  } else if (auto info = fetcher.FetchPlain(href, "application/json"); !info.ok()) {
    error = info.status().ToString();
  } else if (software = NodeInfoSoftware(*info, &version); software.empty()) {
    error = href + " names no software";
  }
  const int64_t now = clock.NowMillis();
  return db.Update([&](store::Txn& txn) -> cs::Status {
    store::PeerRecord peer;
    if (auto known = store::GetPeer(txn, authority); known.ok()) peer = *known;
    peer.authority = authority;
    if (error.empty()) {
      peer.software = software;
      peer.version = version;
      peer.checked_ms = now;
      peer.next_check_ms = now + kRecheckMs;
      peer.last_error.clear();
    } else {
      // What was known stays (a server down for an hour is still the same software).
      peer.next_check_ms = now + kRetryMs;
      peer.last_error = error.substr(0, 300);
    }
    return store::PutPeer(txn, peer);
  });
}

}  // namespace federation

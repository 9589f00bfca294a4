// Which servers get which of a group's announces (BR-17). Servers that implement FEP-1b12 groups
// (Lemmy, Mbin, PieFed, lotide, Friendica, NodeBB, Discourse, Hubzilla, Cloudschool, ...) take
// Announce{activity} of every Create, Update, Delete, Like and Undo in a community. Plain
// microblog servers (Mastodon, Pleroma/Akkoma, Misskey and its forks, GoToSocial) show each
// Announce as a boost in their users' home timelines, so a Mastodon user following a community
// would see every comment, vote and edit as a boost (LemmyNet/lemmy #1914, mastodon #18069):
// they get only Announce{object id} of top-level posts (federation/group_boost.h).
//
// We tell the two apart by the software the server names in its NodeInfo
// (/.well-known/nodeinfo -> 2.x document -> software.name), kept per host in `peers` with an
// expiry. It is fetched by the job worker (job `peer_software`), never while a request or a
// delivery waits; until it is known, and for software not on the microblog list, a server is
// taken as group-aware (it gets everything, as before). One answer per host is enough: a shared
// inbox belongs to one server. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "federation/fetcher.h"
#include "store/clock.h"
#include "store/lmdb_store.h"
#include "store/records.h"

namespace federation {

enum class PeerKind { kGroupAware, kMicroblog };

// By NodeInfo software.name (case-insensitive): kMicroblog for the plain microblog servers,
// kGroupAware for everything else, unknown names and "" included.
PeerKind KindOfSoftware(std::string_view software_name);

// How the server at `authority` (host[:port] of an inbox) is to be treated, from what `peers`
// holds (a stale answer still counts while a newer one is fetched).
PeerKind PeerKindOf(const store::Txn& txn, std::string_view authority);

// Makes sure we learn the software of the server of `inbox_url`: queues a `peer_software` job
// when we know nothing of it or what we know is older than a week, unless one is queued already.
// Cheap when nothing is to be done (one read). Called where a group gains a member and where it
// fans out.
cs::Status NotePeer(store::Txn& txn, std::string_view inbox_url, int64_t now_ms);

// NodeInfo documents (pure): the href of the newest NodeInfo schema a discovery document links
// ("" when none), and software.name of a NodeInfo document, lower-cased ("" when missing).
std::string NodeInfoHref(std::string_view discovery_json);
std::string NodeInfoSoftware(std::string_view nodeinfo_json, std::string* version = nullptr);

// Job `peer_software` (subject: the server's origin, detail: its authority): fetches its NodeInfo
// through the guarded client and records the answer. A failure keeps what was known and asks
// again in an hour; it is not retried by the worker.
bool IsPeerSoftwareJob(const std::string& kind);
cs::Status RunPeerSoftwareJob(const store::Store& db, const Fetcher& fetcher,
                              const store::JobRecord& job, const cs::Clock& clock);

}  // namespace federation

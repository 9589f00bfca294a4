// An actor document (Person, Group, Service, Application, Organization) read into a plain struct.
// No JSON types escape: ActorDoc owns copies of every string. Thread-safe (stateless parser).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "store/status.h"

namespace federation {

struct PublicKeyInfo {
  std::string id, owner, pem;  // as given: owner may differ from the actor (GNU social groups)
};

struct ActorDoc {
  std::string id;
  std::string type;                // Person, Group, Service, Application, Organization
  std::string preferred_username;  // as given (case kept)
  std::string name;                // plain text, NOT html: escaping is the output's job (BR-21)
  std::string summary_html;        // raw, not sanitized here
  std::string inbox, outbox, followers, following;
  std::string shared_inbox;  // endpoints.sharedInbox, else top-level sharedInbox (BR-10, Discourse)
  std::string url;           // profile page: first text/html href, deterministic (BR-10)
  std::string icon;          // avatar: first usable Image URL (string, Link href, nested url)
  std::string image;         // header image, same rules as icon
  bool manually_approves_followers = false;
  std::vector<PublicKeyInfo> keys;  // publicKey as object or array; the verifier decides trust
  std::string featured;             // pinned posts collection, if any
  std::string moderators;           // groups: `moderators`, else Lemmy's attributedTo collection
  std::string published, updated;
};

// Reads an actor. Every URL field keeps only an absolute http(s) URL (anything else -> "").
// Returns kInvalidInput when `doc` is not an object, `type` is missing or not an actor type, or
// `id`/`inbox` is missing or not an absolute http(s) URL, or `inbox` is on another origin than
// `id`; `outbox`, `followers`, `following` and the shared inbox on another origin are dropped
// ("": deliveries go to the personal inbox).
cs::Result<ActorDoc> ParseActor(const rapidjson::Value& doc);

}  // namespace federation

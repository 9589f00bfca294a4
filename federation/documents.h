// The ActivityStreams documents this node sends and serves, built from records. What we build
// here is what other servers must trust byte for byte: ids, actors and audiences come only from
// our own records. Pure functions: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "federation/json.h"
#include "federation/uris.h"
#include "store/community.h"
#include "store/records.h"

namespace federation {

inline constexpr const char* kAsContext = "https://www.w3.org/ns/activitystreams";
inline constexpr const char* kSecurityContext = "https://w3id.org/security/v1";

// A local actor (Person for teachers, Application for the instance actor).
std::string ActorJson(const store::ActorRecord& actor);
// A community's Group actor (FEP-1b12, with Lemmy's `attributedTo`/`moderators` collection,
// `featured`, `postingRestrictedToMods`, and manuallyApprovesFollowers unless joining is open).
std::string GroupActorJson(const store::ActorRecord& actor, const store::CommunityRecord& community);
// A collection whose items are all in the summary document (moderators, featured).
std::string InlineCollectionJson(const std::string& id, const std::vector<std::string>& items);
// A Note (or other object) as we serve it; `with_context` for top-level documents.
std::string ObjectJson(const store::ObjectRecord& object, bool with_context);
std::string TombstoneJson(const std::string& id, const std::string& former_type, int64_t deleted_ms);

struct ActivityFields {
  std::string id, type, actor;
  std::vector<std::string> to, cc;
  int64_t published_ms = 0;
  std::string object_id;    // the object as a bare id, or
  std::string object_json;  // the object embedded (pre-serialized JSON, no @context)
};
std::string ActivityJson(const ActivityFields& fields);
// The embedded Follow inside an Accept / Reject / Undo.
std::string FollowObjectJson(const std::string& id, const std::string& actor, const std::string& object);

// Collections: the summary document and one page of it (items are ids or pre-serialized JSON).
std::string OrderedCollectionJson(const std::string& id, uint64_t total, const std::string& first);
std::string OrderedCollectionPageJson(const std::string& id, const std::string& part_of,
                                      const std::vector<std::string>& items, bool items_are_json,
                                      const std::string& next);

// Escapes a string as a JSON string literal (with quotes).
std::string JsonString(std::string_view s);

}  // namespace federation

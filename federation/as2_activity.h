// An activity (Create, Announce, Follow, Undo...) read into a plain struct, with its object
// either as a reference (object_id) or embedded and parsed (object / object_actor / inner).
// No JSON types escape. Thread-safe (stateless parser).
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "federation/as2_actor.h"
#include "federation/as2_object.h"
#include "store/status.h"

namespace federation {

// Announce(Update(Article)) nests twice; four levels of inner activities is far above any real
// sender and keeps the recursion bounded for values that did not come from ParseJson.
inline constexpr int kMaxInnerActivities = 4;

struct ActivityDoc {
  std::string id;     // "" only for an embedded inner activity that carried none
  std::string type;
  std::string actor;  // first actor id: string, object, or array
  std::string object_id;    // the object's id, or the string; first entry when an array
  std::string object_type;  // type of the embedded object, "" for a reference
  std::vector<std::string> object_ids;  // every object id, in order (Mastodon Flag: an array)
  std::string target, origin, published, audience, summary;
  std::vector<std::string> to, cc, bto, bcc;  // normalized: public is kPublic (BR-09)
  bool object_embedded = false;          // object given as a full object (with a type), not an id
  std::optional<ObjectDoc> object;       // embedded content object (Note, Page, Tombstone...)
  std::optional<ActorDoc> object_actor;  // embedded actor (Update(Person))
  std::shared_ptr<ActivityDoc> inner;    // embedded activity: Announce(Create), Undo(Follow)...
  std::string source_json;  // the activity as received (set by the inbox; a group announces it)

  bool IsPublic() const;  // kPublic in this activity's own to or cc
};

// Reads an activity. Lenient about shapes (one-or-many, objects or ids, no @context, http://
// ids), but returns kInvalidInput with a clear reason for what no handler could use: not an
// object; missing or non-string type; a type that is an actor, collection or known object type;
// missing id (top level only: an embedded inner activity may omit it); missing actor; a missing
// object on an activity type that takes one; an id/actor/object id that is not an absolute
// http(s) URL; an embedded content object that is itself malformed, or an embedded inner
// activity that is malformed and has no usable id (reason prefixed "object: ").
// An embedded actor or inner activity that does not parse but carries an absolute http(s) id is
// kept as a reference (object_id set, object_embedded false, object_actor/inner empty): the
// handler looks it up or fetches it from its origin, as for an id-only object.
cs::Result<ActivityDoc> ParseActivity(const rapidjson::Value& doc);

// to + cc + audience of the activity, of its embedded object, and of its inner activity
// (recursively), deduplicated in that order. BR-19: a post meant for a Group may name it only on
// the Note, only on the Create, or only in audience.
std::vector<std::string> MergedAudience(const ActivityDoc& activity);

}  // namespace federation

#include "federation/documents.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "store/clock.h"

namespace federation {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Key(Writer& w, const char* k) { w.Key(k); }
void Str(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void StrIf(Writer& w, const char* k, const std::string& v) {
  if (!v.empty()) Str(w, k, v);
}
void StrArray(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}
void Raw(Writer& w, const std::string& json) {
  w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}
void Context(Writer& w, bool security) {
  Key(w, "@context");
  if (!security) {
    w.String(kAsContext);
    return;
  }
  w.StartArray();
  w.String(kAsContext);
  w.String(kSecurityContext);
  w.EndArray();
}
std::string Time(int64_t ms) { return cs::FormatRfc3339(ms / 1000); }

// The actor's `publicKey` member ({id, owner, publicKeyPem}), as every actor type carries it.
void WritePublicKey(Writer& w, const store::ActorRecord& a) {
  Key(w, "publicKey");
  w.StartObject();
  Str(w, "id", a.key_id);
  Str(w, "owner", a.id);
  Str(w, "publicKeyPem", a.public_key_pem);
  w.EndObject();
}

}  // namespace

std::string JsonString(std::string_view s) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

std::string ActorJson(const store::ActorRecord& a) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, true);
  Str(w, "id", a.id);
  Str(w, "type", a.type.empty() ? "Person" : a.type);
  Str(w, "preferredUsername", a.preferred_username);
  Str(w, "name", a.name.empty() ? a.preferred_username : a.name);
  Str(w, "summary", a.summary_html);
  Str(w, "url", a.url.empty() ? a.id : a.url);
  Str(w, "inbox", a.inbox);
  StrIf(w, "outbox", a.outbox);
  StrIf(w, "followers", a.followers);
  StrIf(w, "following", a.following);
  if (!a.shared_inbox.empty()) {
    Key(w, "endpoints");
    w.StartObject();
    Str(w, "sharedInbox", a.shared_inbox);
    w.EndObject();
  }
  Key(w, "manuallyApprovesFollowers");
  w.Bool(a.manually_approves_followers);
  Key(w, "discoverable");
  w.Bool(true);
  if (a.created_at_ms) Str(w, "published", Time(a.created_at_ms));
  WritePublicKey(w, a);
  w.EndObject();
  return buf.GetString();
}

std::string GroupActorJson(const store::ActorRecord& a, const store::CommunityRecord& c) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, true);
  Str(w, "id", a.id);
  Str(w, "type", "Group");
  Str(w, "preferredUsername", a.preferred_username);
  Str(w, "name", c.title.empty() ? a.preferred_username : c.title);
  Str(w, "summary", a.summary_html);
  if (!c.description.empty()) {
    Key(w, "source");
    w.StartObject();
    Str(w, "content", c.description);
    Str(w, "mediaType", "text/markdown");
    w.EndObject();
  }
  Str(w, "url", a.url.empty() ? a.id : a.url);
  Str(w, "inbox", a.inbox);
  Str(w, "outbox", a.outbox);
  Str(w, "followers", a.followers);
  Str(w, "moderators", a.id + "/moderators");
  Str(w, "attributedTo", a.id + "/moderators");  // Lemmy reads the moderators here
  Str(w, "featured", a.id + "/featured");
  Key(w, "endpoints");
  w.StartObject();
  Str(w, "sharedInbox", a.shared_inbox);
  w.EndObject();
  Key(w, "manuallyApprovesFollowers");
  w.Bool(c.join != store::JoinPolicy::kOpen);
  Key(w, "postingRestrictedToMods");
  w.Bool(false);
  Key(w, "discoverable");
  w.Bool(c.visibility == store::CommunityVisibility::kPublic);
  // Ours: tells a member's server not to make posts into a closed community public.
  Str(w, "communityVisibility", store::CommunityVisibilityName(c.visibility));
  if (a.created_at_ms) Str(w, "published", Time(a.created_at_ms));
  if (c.updated_ms) Str(w, "updated", cs::FormatRfc3339Millis(c.updated_ms));
  WritePublicKey(w, a);
  w.EndObject();
  return buf.GetString();
}

std::string InlineCollectionJson(const std::string& id, const std::vector<std::string>& items) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, false);
  Str(w, "id", id);
  Str(w, "type", "OrderedCollection");
  Key(w, "totalItems");
  w.Uint64(items.size());
  StrArray(w, "orderedItems", items);
  w.EndObject();
  return buf.GetString();
}

std::string ObjectJson(const store::ObjectRecord& o, bool with_context) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (with_context) Context(w, false);
  Str(w, "id", o.id);
  Str(w, "type", o.type.empty() ? "Note" : o.type);
  Str(w, "attributedTo", o.attributed_to);
  if (!o.summary.empty()) Str(w, "summary", o.summary);
  Key(w, "sensitive");
  w.Bool(o.sensitive);
  StrIf(w, "name", o.name);
  Str(w, "content", o.content_html);
  if (!o.source_markdown.empty()) {
    Key(w, "source");
    w.StartObject();
    Str(w, "content", o.source_markdown);
    Str(w, "mediaType", "text/markdown");
    w.EndObject();
  }
  Key(w, "inReplyTo");
  if (o.in_reply_to.empty()) w.Null();
  else w.String(o.in_reply_to.c_str());
  Str(w, "published", Time(o.published_ms));
  if (o.updated_ms) Str(w, "updated", cs::FormatRfc3339Millis(o.updated_ms));
  Str(w, "url", o.url.empty() ? o.id : o.url);
  StrArray(w, "to", o.to);
  StrArray(w, "cc", o.cc);
  StrIf(w, "audience", o.audience);
  if (!o.tags.empty()) {
    Key(w, "tag");
    w.StartArray();
    for (const auto& t : o.tags) {
      w.StartObject();
      Str(w, "type", t.type);
      StrIf(w, "href", t.href);
      Str(w, "name", t.name);
      w.EndObject();
    }
    w.EndArray();
  }
  if (o.local) Str(w, "replies", o.id + "/replies");  // served by node/routes.cc
  w.EndObject();
  return buf.GetString();
}

std::string TombstoneJson(const std::string& id, const std::string& former_type, int64_t deleted_ms) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, false);
  Str(w, "id", id);
  Str(w, "type", "Tombstone");
  StrIf(w, "formerType", former_type);
  if (deleted_ms) Str(w, "deleted", Time(deleted_ms));
  w.EndObject();
  return buf.GetString();
}

std::string ActivityJson(const ActivityFields& f) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, false);
  Str(w, "id", f.id);
  Str(w, "type", f.type);
  Str(w, "actor", f.actor);
  if (f.published_ms) Str(w, "published", Time(f.published_ms));
  if (!f.to.empty()) StrArray(w, "to", f.to);
  if (!f.cc.empty()) StrArray(w, "cc", f.cc);
  Key(w, "object");
  if (!f.object_json.empty()) Raw(w, f.object_json);
  else w.String(f.object_id.c_str());
  w.EndObject();
  return buf.GetString();
}

std::string FollowObjectJson(const std::string& id, const std::string& actor,
                             const std::string& object) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Str(w, "id", id);
  Str(w, "type", "Follow");
  Str(w, "actor", actor);
  Str(w, "object", object);
  w.EndObject();
  return buf.GetString();
}

std::string OrderedCollectionJson(const std::string& id, uint64_t total, const std::string& first) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, false);
  Str(w, "id", id);
  Str(w, "type", "OrderedCollection");
  Key(w, "totalItems");
  w.Uint64(total);
  StrIf(w, "first", first);
  w.EndObject();
  return buf.GetString();
}

std::string OrderedCollectionPageJson(const std::string& id, const std::string& part_of,
                                      const std::vector<std::string>& items, bool items_are_json,
                                      const std::string& next) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Context(w, false);
  Str(w, "id", id);
  Str(w, "type", "OrderedCollectionPage");
  Str(w, "partOf", part_of);
  Key(w, "orderedItems");
  w.StartArray();
  for (const auto& it : items) {
    if (items_are_json) Raw(w, it);
    else w.String(it.data(), static_cast<rapidjson::SizeType>(it.size()));
  }
  w.EndArray();
  StrIf(w, "next", next);
  w.EndObject();
  return buf.GetString();
}

}  // namespace federation

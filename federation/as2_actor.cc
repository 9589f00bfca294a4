#include "federation/as2_actor.h"

#include "federation/as2_read.h"
#include "federation/as2_vocab.h"
#include "federation/json.h"
#include "federation/url.h"

namespace federation {
namespace {

std::string StringOr(const rapidjson::Value& obj, const char* key) {
  return ReadString(obj, key).value_or("");
}

std::string UrlOf(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = Member(obj, key);
  return v == nullptr ? "" : FirstHref(*v);
}

// publicKey as one object or an array of objects; a bare string is a key id by reference.
std::vector<PublicKeyInfo> ReadKeys(const rapidjson::Value& doc) {
  std::vector<PublicKeyInfo> keys;
  const rapidjson::Value* v = Member(doc, "publicKey");
  if (v == nullptr) return keys;
  auto read_one = [&keys](const rapidjson::Value& k) {
    PublicKeyInfo info;
    if (k.IsString()) {
      info.id = AsString(k).value_or("");
    } else if (k.IsObject()) {
      info.id = StringOr(k, "id");
      info.owner = ReadFirstId(k, "owner");
      info.pem = StringOr(k, "publicKeyPem");
    }
    if (!info.id.empty()) keys.push_back(std::move(info));
  };
  if (v->IsArray()) {
    for (const rapidjson::Value& k : v->GetArray()) read_one(k);
  } else {
    read_one(*v);
  }
  return keys;
}

}  // namespace

cs::Result<ActorDoc> ParseActor(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return cs::Status::InvalidInput("actor is not a JSON object");
  ActorDoc actor;
  std::optional<std::string> type = ReadString(doc, "type");
  if (!type) return cs::Status::InvalidInput("actor has no string type");
  if (!IsActorType(*type)) return cs::Status::InvalidInput(*type + " is not an actor type");
  actor.type = std::move(*type);
  actor.id = StringOr(doc, "id");
  if (actor.id.empty()) return cs::Status::InvalidInput(actor.type + " has no id");
  if (!IsHttpUrl(actor.id)) {
    return cs::Status::InvalidInput(actor.type + " id is not an absolute http(s) URL");
  }
  actor.inbox = ReadUrlRef(doc, "inbox");
  if (actor.inbox.empty()) {
    return cs::Status::InvalidInput(actor.type + " has no inbox (absolute http(s) URL)");
  }
  actor.preferred_username = StringOr(doc, "preferredUsername");
  actor.name = StringOr(doc, "name");
  actor.summary_html = StringOr(doc, "summary");
  actor.outbox = ReadUrlRef(doc, "outbox");
  actor.followers = ReadUrlRef(doc, "followers");
  actor.following = ReadUrlRef(doc, "following");
  if (const rapidjson::Value* endpoints = Member(doc, "endpoints")) {
    actor.shared_inbox = ReadUrlRef(*endpoints, "sharedInbox");
  }
  // Discourse puts sharedInbox at the top level (mastodon/mastodon#4796: accept both).
  if (actor.shared_inbox.empty()) actor.shared_inbox = ReadUrlRef(doc, "sharedInbox");
  // Where we deliver to and read from must be the actor's own server: an actor document (or an
  // Update of it) cannot point our deliveries at another origin. A foreign inbox refuses the
  // actor; a foreign outbox, followers, following or shared inbox is dropped (deliveries then go
  // to the personal inbox).
  if (!SameOrigin(actor.inbox, actor.id))
    return cs::Status::InvalidInput(actor.type + " inbox " + actor.inbox +
                                    " is not on the actor's origin");
  for (std::string* field :
       {&actor.outbox, &actor.followers, &actor.following, &actor.shared_inbox})
    if (!field->empty() && !SameOrigin(*field, actor.id)) field->clear();
  if (const rapidjson::Value* url = Member(doc, "url")) actor.url = HtmlUrl(*url);
  actor.icon = UrlOf(doc, "icon");
  actor.image = UrlOf(doc, "image");
  actor.manually_approves_followers = ReadBool(doc, "manuallyApprovesFollowers").value_or(false);
  actor.keys = ReadKeys(doc);
  actor.featured = ReadUrlRef(doc, "featured");
  actor.moderators = ReadUrlRef(doc, "moderators");
  // Lemmy names a community's moderators collection in attributedTo (a single URL).
  if (actor.moderators.empty() && actor.type == "Group") {
    const rapidjson::Value* attributed_to = Member(doc, "attributedTo");
    if (attributed_to != nullptr && attributed_to->IsString()) {
      actor.moderators = ReadUrlRef(doc, "attributedTo");
    }
  }
  actor.published = StringOr(doc, "published");
  actor.updated = StringOr(doc, "updated");
  return actor;
}

}  // namespace federation

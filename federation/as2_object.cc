#include "federation/as2_object.h"

#include <algorithm>

#include "federation/as2_read.h"
#include "federation/as2_vocab.h"
#include "federation/json.h"

namespace federation {
namespace {

std::string StringOr(const rapidjson::Value& obj, const char* key) {
  return ReadString(obj, key).value_or("");
}

// Applies `fn` to `v` when it is an object, or to each object of an array.
template <class Fn>
void ForEachObject(const rapidjson::Value* v, Fn fn) {
  if (v == nullptr) return;
  if (v->IsObject()) {
    fn(*v);
  } else if (v->IsArray()) {
    for (const rapidjson::Value& item : v->GetArray()) {
      if (item.IsObject()) fn(item);
    }
  }
}

// attributedTo: a string, an object, or (PeerTube) an array of {type, id} for the account and the
// channel; the author is the Person entry (Chocobozzz/PeerTube#2704), else the first id.
void ReadAttribution(const rapidjson::Value& doc, ObjectDoc& object) {
  object.attributed_to_all.clear();
  for (std::string& id : ReadIds(doc, "attributedTo")) {
    if (IsHttpUrl(id)) object.attributed_to_all.push_back(std::move(id));
  }
  const rapidjson::Value* v = Member(doc, "attributedTo");
  if (v != nullptr && v->IsArray()) {
    for (const rapidjson::Value& item : v->GetArray()) {
      std::optional<std::string> id = ReadId(item);
      if (ReadString(item, "type") == std::optional<std::string>("Person") && id && IsHttpUrl(*id)) {
        object.attributed_to = std::move(*id);
        return;
      }
    }
  }
  if (!object.attributed_to_all.empty()) object.attributed_to = object.attributed_to_all.front();
}

std::string ReadContent(const rapidjson::Value& doc) {
  if (std::optional<std::string> content = ReadString(doc, "content")) return std::move(*content);
  const rapidjson::Value* map = Member(doc, "contentMap");
  if (map == nullptr || !map->IsObject()) return "";
  for (const auto& entry : map->GetObject()) {
    if (std::optional<std::string> s = AsString(entry.value)) return std::move(*s);
  }
  return "";
}

void ReadSource(const rapidjson::Value& doc, ObjectDoc& object) {
  const rapidjson::Value* source = Member(doc, "source");
  if (source == nullptr) return;
  if (source->IsString()) {  // Pleroma sends the source text as a bare string
    object.source_content = AsString(*source).value_or("");
    return;
  }
  object.source_content = StringOr(*source, "content");
  object.source_media_type = StringOr(*source, "mediaType");
}

Attachment ReadAttachment(const rapidjson::Value& item) {
  Attachment a;
  if (item.IsString()) {  // a bare URL
    a.url = FirstHref(item);
    return a;
  }
  a.type = StringOr(item, "type");
  a.media_type = StringOr(item, "mediaType");
  a.url = FirstHref(item);
  a.name = StringOr(item, "name");
  a.digest_multibase = StringOr(item, "digestMultibase");
  return a;
}

// One attachment or an array of them; entries that are neither objects nor strings are skipped.
std::vector<Attachment> ReadAttachments(const rapidjson::Value& doc) {
  std::vector<Attachment> out;
  const rapidjson::Value* v = Member(doc, "attachment");
  if (v == nullptr) return out;
  auto usable = [](const rapidjson::Value& item) { return item.IsObject() || item.IsString(); };
  if (v->IsArray()) {
    for (const rapidjson::Value& item : v->GetArray()) {
      if (usable(item)) out.push_back(ReadAttachment(item));
    }
  } else if (usable(*v)) {
    out.push_back(ReadAttachment(*v));
  }
  return out;
}

std::vector<Tag> ReadTags(const rapidjson::Value& doc) {
  std::vector<Tag> out;
  ForEachObject(Member(doc, "tag"), [&out](const rapidjson::Value& item) {
    Tag t;
    t.type = StringOr(item, "type");
    t.name = StringOr(item, "name");
    t.href = ReadUrlRef(item, "href");
    if (const rapidjson::Value* icon = Member(item, "icon")) t.icon_url = FirstHref(*icon);
    out.push_back(std::move(t));
  });
  return out;
}

}  // namespace

bool ObjectDoc::IsPublic() const {
  return std::find(to.begin(), to.end(), kPublic) != to.end() ||
         std::find(cc.begin(), cc.end(), kPublic) != cc.end();
}

cs::Result<ObjectDoc> ParseObject(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return cs::Status::InvalidInput("object is not a JSON object");
  ObjectDoc object;
  std::optional<std::string> type = ReadString(doc, "type");
  if (!type) return cs::Status::InvalidInput("object has no string type");
  if (IsActivityType(*type) || IsActorType(*type) || IsCollectionType(*type)) {
    return cs::Status::InvalidInput(*type + " is not a content object type");
  }
  object.type = std::move(*type);
  object.id = StringOr(doc, "id");
  if (object.id.empty()) return cs::Status::InvalidInput(object.type + " has no id");
  if (!IsHttpUrl(object.id)) {
    return cs::Status::InvalidInput(object.type + " id is not an absolute http(s) URL");
  }
  ReadAttribution(doc, object);
  object.content_html = ReadContent(doc);
  object.summary = StringOr(doc, "summary");
  object.name = StringOr(doc, "name");
  object.in_reply_to = ReadUrlRef(doc, "inReplyTo");
  object.published = StringOr(doc, "published");
  object.updated = StringOr(doc, "updated");
  if (const rapidjson::Value* url = Member(doc, "url")) object.url = HtmlUrl(*url);
  object.audience = ReadUrlRef(doc, "audience");
  object.context = ReadUrlRef(doc, "context");
  object.media_type = StringOr(doc, "mediaType");
  ReadSource(doc, object);
  object.to = ReadAudience(doc, "to");
  object.cc = ReadAudience(doc, "cc");
  object.bto = ReadAudience(doc, "bto");
  object.bcc = ReadAudience(doc, "bcc");
  object.sensitive = ReadBool(doc, "sensitive").value_or(false);
  object.attachments = ReadAttachments(doc);
  object.tags = ReadTags(doc);
  return object;
}

}  // namespace federation

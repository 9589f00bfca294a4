#include "federation/inspect.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>

#include "federation/as2.h"
#include "federation/as2_read.h"
#include "federation/authorship.h"
#include "federation/inspect_text.h"

namespace federation {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Adds key=value unless the value is empty or the key is already there (first one wins).
void Add(Fields& fields, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  for (const auto& field : fields) {
    if (field.first == key) return;
  }
  fields.emplace_back(key, value);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

void Refuse(Inspection& inspection, std::string reason) {
  inspection.verdict = Inspection::Verdict::kRefused;
  inspection.reason = std::move(reason);
}

void Ignore(Inspection& inspection, std::string reason) {
  inspection.verdict = Inspection::Verdict::kIgnored;
  inspection.reason = std::move(reason);
}

void AddObjectFields(const ObjectDoc& object, Fields& fields) {
  Add(fields, "attributed_to", object.attributed_to);
  Add(fields, "in_reply_to", object.in_reply_to);
  Add(fields, "name", object.name);
  Add(fields, "content", HtmlPreview(object.content_html));
  Add(fields, "summary", HtmlPreview(object.summary));
  Add(fields, "url", object.url);
  Add(fields, "published", object.published);
  Add(fields, "updated", object.updated);
  Add(fields, "audience", object.audience);
  Add(fields, "context", object.context);
  Add(fields, "media_type", object.media_type);
  if (object.sensitive) Add(fields, "sensitive", "true");
  if (!object.attachments.empty()) {
    Add(fields, "attachments", std::to_string(object.attachments.size()));
    Add(fields, "attachment_url", object.attachments.front().url);
  }
  if (!object.tags.empty()) Add(fields, "tags", std::to_string(object.tags.size()));
}

void AddActorFields(const ActorDoc& actor, Fields& fields) {
  Add(fields, "preferred_username", actor.preferred_username);
  Add(fields, "name", WithoutControlChars(actor.name));
  Add(fields, "inbox", actor.inbox);
  Add(fields, "outbox", actor.outbox);
  Add(fields, "followers", actor.followers);
  Add(fields, "following", actor.following);
  Add(fields, "shared_inbox", actor.shared_inbox);
  Add(fields, "url", actor.url);
  Add(fields, "icon", actor.icon);
  Add(fields, "featured", actor.featured);
  Add(fields, "moderators", actor.moderators);
  if (actor.manually_approves_followers) Add(fields, "manually_approves_followers", "true");
  if (!actor.keys.empty()) {
    Add(fields, "key_id", actor.keys.front().id);
    Add(fields, "key_owner", actor.keys.front().owner);
    Add(fields, "key_pem", actor.keys.front().pem.empty() ? "absent" : "present");
  }
}

std::string Chain(const ActivityDoc& activity) {
  if (activity.inner) return activity.type + "(" + Chain(*activity.inner) + ")";
  if (!activity.object_type.empty()) return activity.type + "(" + activity.object_type + ")";
  return activity.type;
}

// Why the node would ignore a well-formed activity, or nullopt when it acts on it.
std::optional<std::string> WhyIgnored(const ActivityDoc& a) {
  const std::string& t = a.type;
  if (!IsHandledActivityType(t)) return "the node does not handle " + t + " activities";
  auto not_handled = [&t](const std::string& what) {
    return std::optional<std::string>(t + " of " + what + " is not handled");
  };
  if (a.inner) {
    const std::string& inner = a.inner->type;
    if (t == "Undo") {
      if (inner == "Follow" || inner == "Like" || inner == "Announce") return std::nullopt;
      return not_handled(inner);
    }
    if (t == "Accept" || t == "Reject") {
      return inner == "Follow" ? std::nullopt : not_handled(inner);
    }
    if (t == "Announce") {
      std::optional<std::string> why = WhyIgnored(*a.inner);
      if (why) return "Announce of " + inner + ": " + *why;
      return std::nullopt;
    }
    return not_handled("an activity (" + inner + ")");
  }
  if (a.object) {
    if (t == "Delete" || t == "Like") return std::nullopt;
    if ((t == "Create" || t == "Update" || t == "Announce") && IsHandledContentType(a.object->type)) {
      return std::nullopt;
    }
    return not_handled(a.object->type);
  }
  if (a.object_actor) {
    if (t == "Update" || t == "Delete" || t == "Follow") return std::nullopt;
    return not_handled(a.object_actor->type);
  }
  if (a.object_embedded && IsCollectionType(a.object_type)) return not_handled(a.object_type);
  return std::nullopt;  // object by reference: the handler looks it up or fetches it
}

bool AnyPublic(const ActivityDoc& a) {
  if (a.IsPublic()) return true;
  if (a.object && a.object->IsPublic()) return true;
  return a.inner != nullptr && AnyPublic(*a.inner);
}

// The first content object down the chain of inner activities (Announce(Create(Page)) -> Page).
const ObjectDoc* FirstObject(const ActivityDoc& a) {
  if (a.object) return &*a.object;
  return a.inner ? FirstObject(*a.inner) : nullptr;
}

void InspectActivity(const rapidjson::Value& doc, Inspection& out) {
  out.kind = "activity";
  cs::Result<ActivityDoc> parsed = ParseActivity(doc);
  if (!parsed.ok()) return Refuse(out, parsed.status().message());
  const ActivityDoc& a = *parsed;
  out.id = a.id;
  out.actor = a.actor;
  out.object_id = a.object_id;
  out.object_type = a.object_type;
  out.type_chain = Chain(a);
  out.to = a.to;
  out.cc = a.cc;
  out.audience = a.audience;
  out.is_public = AnyPublic(a);
  if (a.object_ids.size() > 1) Add(out.fields, "object_ids", Join(a.object_ids));
  Add(out.fields, "target", a.target);
  Add(out.fields, "origin", a.origin);
  Add(out.fields, "published", a.published);
  Add(out.fields, "summary", HtmlPreview(a.summary));
  if (a.inner) {
    Add(out.fields, "inner_id", a.inner->id);
    Add(out.fields, "inner_actor", a.inner->actor);
    Add(out.fields, "inner_object_id", a.inner->object_id);
    Add(out.fields, "inner_object_type", a.inner->object_type);
  }
  if (const ObjectDoc* object = FirstObject(a)) {
    Add(out.fields, "object_to", Join(object->to));
    Add(out.fields, "object_cc", Join(object->cc));
    AddObjectFields(*object, out.fields);
  }
  if (a.object_actor) AddActorFields(*a.object_actor, out.fields);
  Add(out.fields, "merged_audience", Join(MergedAudience(a)));
  // What the inbox refuses (403) whatever the signature: the same rules, the same reasons.
  if (!a.id.empty() && !a.actor.empty())
    if (cs::Status st = CheckActivityOrigin(a); !st.ok()) return Refuse(out, st.message());
  if (a.type == "Create" && a.object && IsHandledContentType(a.object->type))
    if (cs::Status st = CheckCreatedObject(*a.object, a.actor); !st.ok())
      return Refuse(out, st.message());
  out.verdict = Inspection::Verdict::kUnderstood;
  if (std::optional<std::string> why = WhyIgnored(a)) Ignore(out, *why);
}

void InspectActor(const rapidjson::Value& doc, Inspection& out) {
  out.kind = "actor";
  cs::Result<ActorDoc> parsed = ParseActor(doc);
  if (!parsed.ok()) return Refuse(out, parsed.status().message());
  out.id = parsed->id;
  out.type_chain = parsed->type;
  AddActorFields(*parsed, out.fields);
  out.verdict = Inspection::Verdict::kUnderstood;
}

void InspectObject(const rapidjson::Value& doc, Inspection& out) {
  out.kind = "object";
  cs::Result<ObjectDoc> parsed = ParseObject(doc);
  if (!parsed.ok()) return Refuse(out, parsed.status().message());
  const ObjectDoc& o = *parsed;
  out.id = o.id;
  out.type_chain = o.type;
  out.to = o.to;
  out.cc = o.cc;
  out.audience = o.audience;
  out.is_public = o.IsPublic();
  AddObjectFields(o, out.fields);
  out.verdict = Inspection::Verdict::kUnderstood;
  if (!IsHandledContentType(o.type) && o.type != "Tombstone") {
    Ignore(out, "the node does not handle " + o.type + " objects");
  }
}

void InspectCollection(const rapidjson::Value& doc, Inspection& out) {
  out.kind = "collection";
  out.type_chain = out.type;
  out.id = ReadString(doc, "id").value_or("");
  if (out.id.empty()) return Refuse(out, out.type + " has no id");
  if (!IsHttpUrl(out.id)) return Refuse(out, out.type + " id is not an absolute http(s) URL");
  if (std::optional<int64_t> total = ReadInt(doc, "totalItems")) {
    Add(out.fields, "total_items", std::to_string(*total));
  }
  for (const char* key : {"orderedItems", "items"}) {
    const rapidjson::Value* items = Member(doc, key);
    if (items != nullptr && items->IsArray()) {
      Add(out.fields, "items", std::to_string(items->Size()));
      if (!items->Empty()) {
        Add(out.fields, "first_item", ReadId((*items)[0]).value_or(""));
        Add(out.fields, "first_item_type", ReadString((*items)[0], "type").value_or(""));
      }
    }
  }
  Add(out.fields, "first", ReadUrlRef(doc, "first"));
  Add(out.fields, "next", ReadUrlRef(doc, "next"));
  Add(out.fields, "part_of", ReadUrlRef(doc, "partOf"));
  out.verdict = Inspection::Verdict::kUnderstood;
}

bool IsActivityShaped(const rapidjson::Value& doc, const std::string& type) {
  if (IsActivityType(type)) return true;
  if (IsActorType(type) || IsCollectionType(type) || IsObjectType(type)) return false;
  return Member(doc, "actor") != nullptr;  // an extension activity: Lemmy's Lock, Warn...
}

}  // namespace

std::string Inspection::Field(std::string_view key) const {
  for (const auto& field : fields) {
    if (field.first == key) return field.second;
  }
  return "";
}

const char* VerdictName(Inspection::Verdict verdict) {
  switch (verdict) {
    case Inspection::Verdict::kUnderstood:
      return "understood";
    case Inspection::Verdict::kIgnored:
      return "ignored";
    case Inspection::Verdict::kRefused:
      return "refused";
  }
  return "refused";
}

Inspection Inspect(std::string_view body) {
  Inspection out;
  if (body.size() > kMaxInspectBytes) {
    Refuse(out, "document larger than " + std::to_string(kMaxInspectBytes) + " bytes");
    return out;
  }
  cs::Result<rapidjson::Document> parsed = ParseJson(body);
  if (!parsed.ok()) {
    Refuse(out, parsed.status().message());
    return out;
  }
  const rapidjson::Value& doc = *parsed;
  if (!doc.IsObject()) {
    Refuse(out, "document is not a JSON object");
    return out;
  }
  std::optional<std::string> type = ReadString(doc, "type");
  if (!type) {
    Refuse(out, Member(doc, "type") ? "type is not a string" : "document has no type");
    return out;
  }
  if (type->empty()) {
    Refuse(out, "document has an empty type");
    return out;
  }
  out.type = *type;
  if (IsActorType(*type)) {
    InspectActor(doc, out);
  } else if (IsCollectionType(*type)) {
    InspectCollection(doc, out);
  } else if (IsActivityShaped(doc, *type)) {
    InspectActivity(doc, out);
  } else {
    InspectObject(doc, out);
  }
  return out;
}

std::string InspectionToText(const Inspection& in) {
  std::string head = in.verdict == Inspection::Verdict::kUnderstood ? "understood"
                     : in.verdict == Inspection::Verdict::kIgnored  ? "understood (ignored)"
                                                                    : "refused";
  std::string text = head + ": ";
  if (in.verdict == Inspection::Verdict::kRefused) {
    text += in.reason;
    if (!in.type.empty()) text += " [" + (in.kind.empty() ? "" : in.kind + " ") + in.type + "]";
    return WithoutControlChars(text) + "\n";
  }
  text += in.type_chain.empty() ? in.type : in.type_chain;
  if (!in.id.empty()) text += " id=" + in.id;
  if (!in.actor.empty()) text += " actor=" + in.actor;
  std::string lines = WithoutControlChars(text) + "\n";
  auto line = [&lines](const std::string& key, const std::string& value) {
    if (!value.empty()) lines += "  " + key + ": " + WithoutControlChars(value) + "\n";
  };
  line("reason", in.reason);
  line("kind", in.kind);
  line("object", in.object_id + (in.object_type.empty() ? "" : " (" + in.object_type + ")"));
  line("to", Join(in.to));
  line("cc", Join(in.cc));
  line("audience", in.audience);
  if (in.kind != "actor" && in.kind != "collection") line("public", in.is_public ? "yes" : "no");
  for (const auto& [key, value] : in.fields) line(key, value);
  return lines;
}

std::string InspectionToJson(const Inspection& in) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&w](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  auto list = [&w](const char* key, const std::vector<std::string>& values) {
    w.Key(key);
    w.StartArray();
    for (const std::string& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    w.EndArray();
  };
  w.StartObject();
  str("verdict", VerdictName(in.verdict));
  str("reason", in.reason);
  str("kind", in.kind);
  str("type", in.type);
  str("type_chain", in.type_chain);
  str("id", in.id);
  str("actor", in.actor);
  str("object_id", in.object_id);
  str("object_type", in.object_type);
  list("to", in.to);
  list("cc", in.cc);
  str("audience", in.audience);
  w.Key("is_public");
  w.Bool(in.is_public);
  w.Key("fields");
  w.StartObject();
  for (const auto& [key, value] : in.fields) str(key.c_str(), value);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace federation

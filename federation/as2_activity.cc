#include "federation/as2_activity.h"

#include <algorithm>

#include "federation/as2_read.h"
#include "federation/as2_vocab.h"
#include "federation/json.h"

namespace federation {
namespace {

cs::Status Invalid(const std::string& type, const std::string& what) {
  return cs::Status::InvalidInput(type + " " + what);
}

// Intransitive activities and unknown extension types (Lemmy's Lock, Warn...) may come without
// an object; every other AS2 activity needs one.
bool TakesObject(const std::string& type) {
  return IsActivityType(type) && type != "Arrive" && type != "Travel";
}

// An embedded value is an activity when its type says so, or when an unknown type has an actor.
bool LooksLikeActivity(const rapidjson::Value& obj, const std::string& type) {
  if (IsActivityType(type)) return true;
  if (IsActorType(type) || IsCollectionType(type) || IsObjectType(type)) return false;
  return Member(obj, "actor") != nullptr;
}

cs::Result<ActivityDoc> ParseAt(const rapidjson::Value& doc, int depth);

// Reads an embedded object into `activity` (object / object_actor / inner).
cs::Status ReadEmbedded(const rapidjson::Value& obj, int depth, ActivityDoc& activity) {
  activity.object_type = ReadString(obj, "type").value_or("");
  activity.object_id = ReadId(obj).value_or("");
  activity.object_embedded = !activity.object_type.empty();
  if (!activity.object_embedded) return cs::Status::Ok();  // {"id": ...}: a reference
  const std::string& type = activity.object_type;
  if (LooksLikeActivity(obj, type)) {
    cs::Result<ActivityDoc> inner = ParseAt(obj, depth + 1);
    if (inner.ok()) {
      activity.inner = std::make_shared<ActivityDoc>(std::move(inner).value());
    } else if (IsHttpUrl(activity.object_id)) {
      // e.g. Accept({"type":"Follow","id":...} without actor): the id is all a handler needs
      // to look it up or fetch it from its origin.
      activity.object_embedded = false;
    } else {
      return cs::Status::InvalidInput("object: " + inner.status().message());
    }
  } else if (IsActorType(type)) {
    cs::Result<ActorDoc> actor = ParseActor(obj);
    if (actor.ok()) {
      activity.object_actor = std::move(actor).value();
    } else {
      activity.object_embedded = false;  // e.g. {"type":"Person","id":...}: keep as a reference
    }
  } else if (!IsCollectionType(type)) {
    cs::Result<ObjectDoc> object = ParseObject(obj);
    if (!object.ok()) return cs::Status::InvalidInput("object: " + object.status().message());
    activity.object = std::move(object).value();
  }
  return cs::Status::Ok();
}

cs::Status ReadObjectMember(const rapidjson::Value& doc, int depth, ActivityDoc& activity) {
  const rapidjson::Value* v = Member(doc, "object");
  if (v == nullptr || v->IsNull()) {
    if (TakesObject(activity.type)) return Invalid(activity.type, "has no object");
    return cs::Status::Ok();
  }
  if (v->IsObject()) {
    CS_RETURN_IF_ERROR(ReadEmbedded(*v, depth, activity));
    activity.object_ids.push_back(activity.object_id);
  } else if (v->IsString()) {
    activity.object_id = AsString(*v).value_or("");
    activity.object_ids.push_back(activity.object_id);
  } else if (v->IsArray()) {  // Mastodon Flag: the account and the reported statuses
    activity.object_ids = ReadIds(doc, "object");
    if (activity.object_ids.empty()) return Invalid(activity.type, "object array has no ids");
    activity.object_id = activity.object_ids.front();
  } else {
    return Invalid(activity.type, "object is neither an id, an object nor an array");
  }
  bool has_inner = activity.inner != nullptr;
  if (activity.object_id.empty() && !has_inner) return Invalid(activity.type, "object has no id");
  for (const std::string& id : activity.object_ids) {
    if (!id.empty() && !IsHttpUrl(id)) {
      return Invalid(activity.type, "object id is not an absolute http(s) URL");
    }
  }
  if (activity.object_id.empty()) activity.object_ids.clear();  // inner activity without id
  return cs::Status::Ok();
}

cs::Result<ActivityDoc> ParseAt(const rapidjson::Value& doc, int depth) {
  if (depth > kMaxInnerActivities) {
    return cs::Status::InvalidInput("activities nested deeper than " +
                                    std::to_string(kMaxInnerActivities));
  }
  if (!doc.IsObject()) return cs::Status::InvalidInput("activity is not a JSON object");
  ActivityDoc activity;
  std::optional<std::string> type = ReadString(doc, "type");
  if (!type || type->empty()) return cs::Status::InvalidInput("activity has no string type");
  activity.type = std::move(*type);
  if (IsActorType(activity.type) || IsCollectionType(activity.type) ||
      IsObjectType(activity.type)) {
    return Invalid(activity.type, "is not an activity type");
  }
  const rapidjson::Value* id = Member(doc, "id");
  if (id != nullptr && !id->IsNull()) {
    activity.id = AsString(*id).value_or("");
    if (!IsHttpUrl(activity.id)) return Invalid(activity.type, "id is not an absolute http(s) URL");
  } else if (depth == 0) {
    return Invalid(activity.type, "has no id");
  }
  std::vector<std::string> actors = ReadIds(doc, "actor");
  if (actors.empty()) return Invalid(activity.type, "has no actor");
  activity.actor = std::move(actors.front());
  if (!IsHttpUrl(activity.actor)) {
    return Invalid(activity.type, "actor is not an absolute http(s) URL");
  }
  CS_RETURN_IF_ERROR(ReadObjectMember(doc, depth, activity));
  activity.target = ReadUrlRef(doc, "target");
  activity.origin = ReadUrlRef(doc, "origin");
  activity.published = ReadString(doc, "published").value_or("");
  activity.audience = ReadUrlRef(doc, "audience");
  activity.summary = ReadString(doc, "summary").value_or("");
  activity.to = ReadAudience(doc, "to");
  activity.cc = ReadAudience(doc, "cc");
  activity.bto = ReadAudience(doc, "bto");
  activity.bcc = ReadAudience(doc, "bcc");
  return activity;
}

void AppendAddressing(const ActivityDoc& activity, std::vector<std::string>& out) {
  out.insert(out.end(), activity.to.begin(), activity.to.end());
  out.insert(out.end(), activity.cc.begin(), activity.cc.end());
  if (!activity.audience.empty()) out.push_back(activity.audience);
  if (activity.object) {
    const ObjectDoc& object = *activity.object;
    out.insert(out.end(), object.to.begin(), object.to.end());
    out.insert(out.end(), object.cc.begin(), object.cc.end());
    if (!object.audience.empty()) out.push_back(object.audience);
  }
  if (activity.inner) AppendAddressing(*activity.inner, out);
}

}  // namespace

bool ActivityDoc::IsPublic() const {
  return std::find(to.begin(), to.end(), kPublic) != to.end() ||
         std::find(cc.begin(), cc.end(), kPublic) != cc.end();
}

cs::Result<ActivityDoc> ParseActivity(const rapidjson::Value& doc) { return ParseAt(doc, 0); }

std::vector<std::string> MergedAudience(const ActivityDoc& activity) {
  std::vector<std::string> out;
  AppendAddressing(activity, out);
  RemoveDuplicates(out);
  return out;
}

}  // namespace federation

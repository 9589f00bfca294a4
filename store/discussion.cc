#include "store/discussion.h"

#include <algorithm>

#include "store/codec.h"

namespace store {
namespace {

Db ReactionDb(Reaction kind) { return kind == Reaction::kLike ? Db::kLikes : Db::kBoosts; }

constexpr uint64_t kEditRecordVersion = 1;

}  // namespace

const char* ReactionName(Reaction r) { return r == Reaction::kLike ? "like" : "boost"; }

cs::Result<bool> AddReaction(Txn& txn, Reaction kind, std::string_view object,
                             std::string_view actor, std::string_view activity_id) {
  std::string key = JoinKey(object, actor);
  if (txn.Contains(ReactionDb(kind), key)) return false;
  CS_RETURN_IF_ERROR(txn.Put(ReactionDb(kind), key, activity_id));
  if (!activity_id.empty())
    CS_RETURN_IF_ERROR(txn.Put(Db::kReactionIds, activity_id, JoinKey(ReactionName(kind), key)));
  return true;
}

cs::Result<std::string> GetReaction(const Txn& txn, Reaction kind, std::string_view object,
                                    std::string_view actor) {
  return txn.Get(ReactionDb(kind), JoinKey(object, actor));
}

cs::Result<bool> RemoveReaction(Txn& txn, Reaction kind, std::string_view object,
                                std::string_view actor) {
  std::string key = JoinKey(object, actor);
  auto activity = txn.Find(ReactionDb(kind), key);
  if (!activity) return false;
  CS_RETURN_IF_ERROR(txn.Delete(ReactionDb(kind), key));
  if (!activity->empty()) CS_RETURN_IF_ERROR(txn.Delete(Db::kReactionIds, *activity));
  return true;
}

cs::Result<ReactionRef> FindReactionByActivity(const Txn& txn, std::string_view activity_id) {
  auto v = txn.Find(Db::kReactionIds, activity_id);
  if (!v) return cs::Status::NotFound("no reaction " + std::string(activity_id));
  size_t a = v->find(kKeySep);
  size_t b = a == std::string::npos ? a : v->find(kKeySep, a + 1);
  if (b == std::string::npos) return cs::Status::Corruption("bad reaction index entry");
  ReactionRef r;
  r.kind = v->substr(0, a) == "boost" ? Reaction::kBoost : Reaction::kLike;
  r.object = v->substr(a + 1, b - a - 1);
  r.actor = v->substr(b + 1);
  return r;
}

uint64_t CountReactions(const Txn& txn, Reaction kind, std::string_view object) {
  uint64_t n = 0;
  (void)txn.Scan(ReactionDb(kind), JoinKey(object, ""), [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

std::vector<std::string> ListReactors(const Txn& txn, Reaction kind, std::string_view object) {
  std::vector<std::string> out;
  std::string prefix = JoinKey(object, "");
  (void)txn.Scan(ReactionDb(kind), prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k.substr(prefix.size()));
    return true;
  });
  return out;
}

cs::Status DropReactions(Txn& txn, std::string_view object) {
  for (Reaction kind : {Reaction::kLike, Reaction::kBoost})
    for (const auto& actor : ListReactors(txn, kind, object))
      CS_RETURN_IF_ERROR(RemoveReaction(txn, kind, object, actor).status());
  return cs::Status::Ok();
}

cs::Status DropReactionsBy(Txn& txn, std::string_view actor) {
  for (Reaction kind : {Reaction::kLike, Reaction::kBoost}) {
    std::vector<std::string> objects;
    CS_RETURN_IF_ERROR(txn.Scan(ReactionDb(kind), "", [&](std::string_view k, std::string_view) {
      size_t sep = k.rfind(kKeySep);
      if (sep != std::string_view::npos && k.substr(sep + 1) == actor)
        objects.emplace_back(k.substr(0, sep));
      return true;
    }));
    for (const auto& object : objects)
      CS_RETURN_IF_ERROR(RemoveReaction(txn, kind, object, actor).status());
  }
  return cs::Status::Ok();
}

std::string EditRecord::Encode() const {
  Encoder e;
  e.U64(kEditRecordVersion).Str(content_html).Str(summary).Str(name).Bool(sensitive);
  e.I64(updated_ms);
  return e.Take();
}

std::optional<EditRecord> EditRecord::Decode(std::string_view bytes) {
  Decoder d(bytes);
  uint64_t version = 0;
  EditRecord r;
  d.U64(version).Str(r.content_html).Str(r.summary).Str(r.name).Bool(r.sensitive);
  d.I64(r.updated_ms);
  if (!d.ok() || version == 0) return std::nullopt;
  return r;
}

cs::Status AddEdit(Txn& txn, std::string_view object, const EditRecord& version) {
  uint64_t n = 0;
  CS_RETURN_IF_ERROR(
      txn.Scan(Db::kEdits, JoinKey(object, ""), [&](std::string_view, std::string_view) {
        ++n;
        return true;
      }));
  return txn.Put(Db::kEdits, JoinKey(object, EncodeBe64(n)), version.Encode());
}

std::vector<EditRecord> ListEdits(const Txn& txn, std::string_view object) {
  std::vector<EditRecord> out;
  (void)txn.Scan(Db::kEdits, JoinKey(object, ""), [&](std::string_view, std::string_view v) {
    if (auto r = EditRecord::Decode(v)) out.push_back(std::move(*r));
    return true;
  });
  // Kept in arrival order; a late Update's older version belongs before the ones after it.
  std::stable_sort(out.begin(), out.end(), [](const EditRecord& x, const EditRecord& y) {
    return x.updated_ms < y.updated_ms;
  });
  return out;
}

std::vector<std::string> ListReplyIds(const Txn& txn, std::string_view parent) {
  std::vector<std::string> out;
  (void)txn.Scan(Db::kReplies, JoinKey(parent, ""), [&](std::string_view, std::string_view v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.emplace_back(v);
    return true;
  });
  return out;
}

}  // namespace store

// Discussions in the store: likes and boosts (one per actor and object, so counts are exact and
// duplicates change nothing), the index from a reaction's activity id back to it (for an Undo
// that names only the id), and the edit history of objects. docs/storage-layout.md describes
// the databases. Plain functions over a Txn: thread-safe as the Txn is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/lmdb_store.h"

namespace store {

enum class Reaction { kLike, kBoost };
const char* ReactionName(Reaction r);  // "like", "boost"

// Records `actor`'s reaction to `object` (kLikes/kBoosts and the activity index). Returns false
// (and changes nothing) when that actor already reacted so to that object.
cs::Result<bool> AddReaction(Txn& txn, Reaction kind, std::string_view object,
                             std::string_view actor, std::string_view activity_id);
// The activity id of `actor`'s reaction to `object`; kNotFound when there is none.
cs::Result<std::string> GetReaction(const Txn& txn, Reaction kind, std::string_view object,
                                    std::string_view actor);
// Removes `actor`'s reaction (only that actor's); false when there was none.
cs::Result<bool> RemoveReaction(Txn& txn, Reaction kind, std::string_view object,
                                std::string_view actor);
struct ReactionRef {
  Reaction kind = Reaction::kLike;
  std::string object, actor;
};
// The reaction recorded under `activity_id`; kNotFound when none.
cs::Result<ReactionRef> FindReactionByActivity(const Txn& txn, std::string_view activity_id);
uint64_t CountReactions(const Txn& txn, Reaction kind, std::string_view object);
// Actor ids that reacted, in key order.
std::vector<std::string> ListReactors(const Txn& txn, Reaction kind, std::string_view object);
// Drops every like and boost of `object` (it was deleted).
cs::Status DropReactions(Txn& txn, std::string_view object);
// Drops every like and boost made by `actor` (it was deleted). A full scan: deletions are rare.
cs::Status DropReactionsBy(Txn& txn, std::string_view actor);

// One earlier version of an object, kept when an Update replaced it.
struct EditRecord {
  std::string content_html, summary, name;
  bool sensitive = false;
  int64_t updated_ms = 0;  // when this version was made (published or last update)
  std::string Encode() const;
  static std::optional<EditRecord> Decode(std::string_view bytes);
};
// Appends the version before an edit (numbered 0, 1, 2... per object).
cs::Status AddEdit(Txn& txn, std::string_view object, const EditRecord& version);
// Earlier versions, oldest first (by updated_ms; arrival order among equals).
std::vector<EditRecord> ListEdits(const Txn& txn, std::string_view object);

// Ids of the replies to `parent` in arrival order (deduplicated).
std::vector<std::string> ListReplyIds(const Txn& txn, std::string_view parent);

}  // namespace store

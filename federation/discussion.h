// Discussions on the inbox side and shared helpers: likes and boosts counted on the objects we
// hold (local ones and cached remote ones), their undoing (only by the actor that made them),
// edit history, and rendering a teacher's Markdown with mentions resolved from the store.
// Called from ActivityHandlers and Outbox inside their write transactions. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "federation/as2.h"
#include "federation/mentions.h"
#include "federation/uris.h"
#include "store/discussion.h"
#include "store/records.h"

namespace federation {

// Like (also Misskey's Like with content and Pleroma's EmojiReact): counted once per actor on a
// stored, undeleted object; anything else is ignored.
cs::Status ApplyLike(store::Txn& txn, const ActivityDoc& like);

// Undo(Like) / Undo(Announce), the inner activity embedded or named by id. Sets *handled when
// the Undo was about a reaction. kForbidden when the reaction named is another actor's.
cs::Status ApplyUndoReaction(store::Txn& txn, const ActivityDoc& undo, bool* handled);

// Counts an Announce of `object_id` by announce.actor: on a local object only when it is public
// and not deleted; on a remote one that is stored, when it is public and not deleted; on a
// remote one not stored yet, at once (its fetch is queued by the caller).
cs::Status RecordBoost(store::Txn& txn, const Uris& uris, const ActivityDoc& announce,
                       const std::string& object_id);

// Keeps the version of `before` that an Update is about to replace.
cs::Status KeepEdit(store::Txn& txn, const store::ObjectRecord& before);

// Applies a remote author's edit of `existing` (the caller checked it is the author's and not
// deleted). Updates may arrive out of order, so their `updated` times decide: a newer version
// replaces the object and the one it replaces joins the edit history; an older one only joins
// the history at its place; the same version again changes nothing. Content is sanitized here.
cs::Status ApplyRemoteEdit(store::Txn& txn, store::ObjectRecord& existing, const ObjectDoc& incoming,
                           int64_t now_ms);

// Renders a local teacher's Markdown: local mentions (`@name`, `@name@our-host`) resolved from
// the store, remote ones from `known` (resolved by the command line); others stay plain text.
RenderedPost RenderLocalPost(const store::Txn& txn, const Uris& uris, std::string_view markdown,
                             const std::vector<KnownMention>& known);

// A summary (content warning) from another server as plain text, at most 1000 bytes.
std::string PlainSummary(std::string_view summary);

}  // namespace federation

// What a community sends plain microblog servers (federation/peer_software.h, BR-17): a boost of
// each top-level post, Announce{actor: group, object: the post's id}, as Lemmy sends Mastodon
// (LemmyNet/lemmy #2224) — no comments, votes or edits. When the post is deleted or removed, the
// boost is undone (Undo{Announce}), so it leaves their timelines; Mastodon takes a Delete of a
// status only from its author, so announcing the Delete would not. Both are stored activities
// of the group (served at their ids), at ids derived from the post's, so the Undo finds the boost
// without an index. Called inside the group's write unit. Thread-safe.
#pragma once

#include <string>

#include "store/community.h"
#include "store/lmdb_store.h"

namespace federation {

// Stores the boost of `post_id` by `group`, addressed like the group's other announces (public
// community: to Public, cc its followers; otherwise to its followers only). Returns its id.
cs::Result<std::string> StoreGroupBoost(store::Txn& txn, const store::CommunityRecord& group,
                                        const std::string& post_id, int64_t now_ms);
// Stores the Undo of that boost and returns its id; "" when the post was never boosted or the
// boost was undone already (there is nothing for microblog servers to take back).
cs::Result<std::string> StoreGroupBoostUndo(store::Txn& txn, const store::CommunityRecord& group,
                                            const std::string& post_id, int64_t now_ms);

}  // namespace federation

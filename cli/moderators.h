// Changing a local community's moderators, shared by `community moderator add|remove` and
// `user delete` (a deleted teacher moderates nothing): the record, then an Update of the Group
// to the members' servers, whose copies list the moderators (attributedTo).
#pragma once

#include <string>

#include "federation/group.h"
#include "store/community.h"

namespace cli {

// Adds or removes `actor_id` in `community`'s moderators, stores it and publishes the profile.
// The caller checked authority and that the change is one (not already so).
cs::Status SetModerator(store::Txn& txn, const federation::Group& group,
                        store::CommunityRecord community, const std::string& actor_id, bool add,
                        int64_t now_ms);

}  // namespace cli

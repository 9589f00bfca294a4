// Discussions on the command line, shared by cmd_social.cc and cmd_discussion.cc: mentions
// resolved before posting, and the discussion fields of a post in --json output
// (likes, boosts, replies, summary, sensitive, tags, edits).
#pragma once

#include <string>
#include <vector>

#include "cli/output.h"
#include "federation/mentions.h"
#include "store/discussion.h"
#include "store/records.h"

namespace node {
class Node;
}

namespace cli {

// Resolves every `@user@host` of another server in `text` (WebFinger and actor fetch, as
// `follow` does). A handle that cannot be resolved is an error naming it: nothing is posted.
// Local mentions (`@user`, `@user@our-host`) are left to the outbox.
cs::Result<std::vector<federation::KnownMention>> ResolveMentions(const node::Node& node,
                                                                  const std::string& text);

struct DiscussionInfo {
  uint64_t likes = 0, boosts = 0, replies = 0;  // replies: stored and not deleted
  std::vector<store::EditRecord> edits;         // earlier versions, oldest first
};
DiscussionInfo LoadDiscussionInfo(const store::Txn& txn, const store::ObjectRecord& object);

// Writes "sensitive", "tags", "likes", "boosts", "replies" (and "edits" when asked) into the
// open JSON object.
void WriteDiscussionFields(JsonOut& out, const store::ObjectRecord& object,
                           const DiscussionInfo& info, bool with_edits);

}  // namespace cli

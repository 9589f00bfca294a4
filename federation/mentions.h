// Mentions (`@user`, `@user@host`) and hashtags (`#tag`) in what teachers write: found in the
// Markdown, linked in the HTML the way Mastodon does, and turned into `tag` entries.
//   mention: <span class="h-card"><a href="PROFILE" class="u-url
//   mention">@<span>user</span></a></span>
//            tag {"type":"Mention","href":ACTOR_ID,"name":"@user@host"}
//   hashtag: <a href="ORIGIN/tags/name" class="mention hashtag" rel="tag">#<span>Name</span></a>
//            tag {"type":"Hashtag","href":ORIGIN/tags/name,"name":"#name"}
// The sanitizer then gives every link rel="nofollow noopener noreferrer" (rel="tag" does not
// survive it). Nothing is linked inside code or inside another link. A mention the resolver does
// not know stays plain text. Pure functions: thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "federation/as2_object.h"
#include "store/records.h"

namespace federation {

struct MentionHandle {
  std::string user;
  std::string host;  // lower-cased, with :port when given; "" for a bare @user
  std::string text;  // as written, without the '@': "user@host" or "user"
};

// The mentions written in `markdown`, in order, without repeats (by user and host, ignoring
// case). Bare `@user` entries are included with an empty host.
std::vector<MentionHandle> FindMentions(std::string_view markdown);
// The hashtags written in `markdown` (without '#'), in order, without repeats (ignoring case).
std::vector<std::string> FindHashtags(std::string_view markdown);

struct MentionTarget {
  std::string actor_id;
  std::string url;   // profile page for the link (the actor id when empty)
  std::string name;  // "@user@host" for the tag
};
// A handle the command line resolved before posting (WebFinger), handed to the outbox.
struct KnownMention {
  MentionHandle handle;
  MentionTarget target;
};
using MentionResolver = std::function<std::optional<MentionTarget>(const MentionHandle&)>;

struct RenderedPost {
  std::string html;                    // sanitized
  std::vector<store::TagRef> tags;     // mentions first, then hashtags
  std::vector<std::string> mentioned;  // actor ids, in order, without repeats
};

// Markdown to HTML with mentions and hashtags linked; `origin` is this node's (hashtag links).
RenderedPost RenderPost(std::string_view markdown, const std::string& origin,
                        const MentionResolver& resolve);

// The tags of a received object worth keeping: Mention entries with an http(s) href and Hashtag
// entries with an http(s) href or none, each with a name (plain text, at most 256 bytes); at
// most 64.
std::vector<store::TagRef> KeepTags(const std::vector<Tag>& tags);

}  // namespace federation

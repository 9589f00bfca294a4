// Titles of community posts (BR-19). Microblog servers (Mastodon, Misskey, ...) post into a
// community with a Note that has no `name`; a community lists titles, so an untitled top-level
// post gets one derived from its text. The title is derived when a post is shown, never stored:
// the author's object stays as written (we keep `name` empty and never re-serve remote objects,
// and announces carry the activity as received), and an Update that still has no name gives a
// title derived from the new text instead of wiping it. Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "store/records.h"

namespace federation {

// Code points a derived title may have, the ellipsis included.
inline constexpr size_t kMaxDerivedTitle = 80;

// The first line of `html`'s plain text (<br> and block ends end a line) that has text once
// the mentions it starts with are dropped (a microblog post into a community starts with
// "@maths@school.example"), whitespace collapsed. Longer than kMaxDerivedTitle code points: cut at
// the last space that keeps it within (a word boundary), or, when the first word alone is that
// long, between two characters (never inside a UTF-8 sequence, an emoji ZWJ sequence, a flag or a
// base and its combining marks), and "…" appended. "" when there is no text.
std::string DeriveTitle(std::string_view html);

struct PostTitle {
  std::string text;      // "" when the post has none
  bool derived = false;  // not the author's `name` but DeriveTitle's
};
// The title to list `post` under: its `name`; else, for a top-level post of a community, one
// derived from its content warning (`summary`) when it has one (so the title does not reveal
// what the author put behind it), otherwise from its content. Replies and posts outside
// communities have none.
PostTitle TitleOf(const store::ObjectRecord& post);

}  // namespace federation

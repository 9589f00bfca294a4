// Commands of discussions: like, unlike, boost, unboost, thread.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <set>

#include "cli/commands.h"
#include "cli/discussion.h"
#include "cli/output.h"
#include "federation/handle.h"
#include "federation/html_sanitizer.h"
#include "node/node.h"

namespace cli {
namespace {

// Deeper replies in `thread` text are not indented further (their depth is printed instead).
constexpr int kMaxIndentDepth = 10;

// "1 like", "2 likes".
std::string Count(uint64_t n, const std::string& one, const std::string& many = "") {
  return std::to_string(n) + " " + (n == 1 ? one : many.empty() ? one + "s" : many);
}

enum class ReactionCmd { kLike, kUnlike, kBoost, kUnboost };

int CmdReaction(const Global& g, ReactionCmd cmd, const std::string& as, const std::string& url) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  if (cmd == ReactionCmd::kLike || cmd == ReactionCmd::kBoost) {
    cs::Status st = (*n)->EnsureObject(url);
    if (!st.ok()) return Fail(cs::Status(st.code(), "cannot find the post: " + st.message()));
  }
  const federation::Outbox& outbox = (*n)->outbox();
  cs::Status st = (*n)->store().Update([&](store::Txn& t) {
    switch (cmd) {
      case ReactionCmd::kLike:
        return outbox.Like(t, as, url);
      case ReactionCmd::kUnlike:
        return outbox.Unlike(t, as, url);
      case ReactionCmd::kBoost:
        return outbox.Boost(t, as, url);
      case ReactionCmd::kUnboost:
        return outbox.Unboost(t, as, url);
    }
    return cs::Status::Internal("unknown command");
  });
  if (!st.ok()) return Fail(st);
  const char* verb[] = {"likes", "no longer likes", "boosted", "no longer boosts"};
  Say("%s %s %s\n", as.c_str(), verb[static_cast<int>(cmd)], url.c_str());
  return kExitOk;
}

struct ThreadItem {
  store::ObjectRecord object;
  int depth = 0;
  DiscussionInfo info;
  std::string author;  // as text output names it (AuthorLabel)
};

// The root (inReplyTo followed up within the store) and every stored descendant, depth first,
// replies in arrival order.
cs::Result<std::vector<ThreadItem>> LoadThread(const store::Txn& txn, const std::string& id) {
  auto start = store::GetObject(txn, id);
  if (!start.ok()) return cs::Status::NotFound("no post " + id + " here");
  store::ObjectRecord root = *start;
  std::set<std::string> seen = {root.id};
  while (!root.in_reply_to.empty()) {
    auto parent = store::GetObject(txn, root.in_reply_to);
    if (!parent.ok() || !seen.insert(parent->id).second) break;
    root = std::move(*parent);
  }
  std::vector<ThreadItem> out;
  std::set<std::string> visited;
  std::vector<std::pair<store::ObjectRecord, int>> stack = {{root, 0}};
  while (!stack.empty() && out.size() < 10000) {
    auto [object, depth] = std::move(stack.back());
    stack.pop_back();
    if (!visited.insert(object.id).second) continue;
    std::vector<std::string> replies = store::ListReplyIds(txn, object.id);
    for (auto it = replies.rbegin(); it != replies.rend(); ++it)
      if (auto reply = store::GetObject(txn, *it); reply.ok() && reply->in_reply_to == object.id)
        stack.push_back({std::move(*reply), depth + 1});
    ThreadItem item{std::move(object), depth, {}, {}};
    item.info = LoadDiscussionInfo(txn, item.object);
    item.author = AuthorLabel(txn, item.object.attributed_to);
    out.push_back(std::move(item));
  }
  return out;
}

int CmdThread(const Global& g, const std::string& url) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  cs::Status fetched = (*n)->EnsureObject(url);
  if (!fetched.ok())
    return Fail(cs::Status(fetched.code(), "cannot find the post: " + fetched.message()));
  std::vector<ThreadItem> items;
  cs::Status st = (*n)->store().View([&](store::Txn& t) -> cs::Status {
    auto r = LoadThread(t, url);
    if (!r.ok()) return r.status();
    items = std::move(*r);
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  if (g.json) {
    JsonOut out;
    out.w().StartObject();
    out.Str("root", items.front().object.id);
    out.Key("items");
    out.w().StartArray();
    for (const auto& it : items) {
      const store::ObjectRecord& o = it.object;
      out.w().StartObject();
      out.Str("id", o.id);
      out.Key("depth");
      out.w().Int(it.depth);
      out.Str("type", o.type);
      out.Str("actor", o.attributed_to);
      out.StrOrNull("in_reply_to", o.in_reply_to);
      out.Str("content", o.content_html);
      out.StrOrNull("summary", o.summary);
      out.Time("published", o.published_ms);
      out.Time("updated", o.updated_ms);
      out.Time("deleted", o.deleted_ms);
      out.Str("visibility", store::VisibilityName(o.visibility));
      WriteDiscussionFields(out, o, it.info, /*with_edits=*/true);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.w().EndObject();
    out.Print();
    return kExitOk;
  }
  for (const auto& it : items) {
    const store::ObjectRecord& o = it.object;
    // Two spaces a level up to kMaxIndentDepth; deeper replies (a chain of thousands would
    // push the text off any screen) stay there and say their depth.
    const int shown = std::min(it.depth, kMaxIndentDepth);
    const std::string indent(static_cast<size_t>(shown) * 2, ' ');
    const std::string depth =
        it.depth > kMaxIndentDepth ? "[depth " + std::to_string(it.depth) + "] " : "";
    Say("%s%s%s  %s  (%s, %s, %s%s)\n", indent, depth, cs::FormatRfc3339(o.published_ms / 1000),
        it.author, Count(it.info.likes, "like"), Count(it.info.boosts, "boost"),
        Count(it.info.replies, "reply", "replies"),
        it.info.edits.empty() ? "" : ", edited " + std::to_string(it.info.edits.size()) + "x");
    if (!o.summary.empty() || o.sensitive)
      Say("%s  CW: %s\n", indent, o.summary.empty() ? "(sensitive)" : o.summary);
    std::string text = o.deleted() ? "(deleted)" : federation::HtmlToText(o.content_html);
    Say("%s\n%s  %s\n\n", Multiline{Indent(text, indent + "  ")}, indent, o.id);
  }
  return kExitOk;
}

}  // namespace

cs::Result<std::vector<federation::KnownMention>> ResolveMentions(const node::Node& node,
                                                                  const std::string& text) {
  std::vector<federation::KnownMention> out;
  const std::string here = federation::NormalizeHost(node.config().domain);
  for (const auto& m : federation::FindMentions(text)) {
    if (m.host.empty() || federation::NormalizeHost(m.host) == here) continue;
    auto actor = node.ResolveActor("@" + m.user + "@" + m.host);
    if (!actor.ok())
      return cs::Status(actor.status().code(),
                        "cannot resolve the mention @" + m.text + ": " + actor.status().message() +
                            " (write it without the leading @ to post it as text)");
    out.push_back({m,
                   {actor->id, actor->url.empty() ? actor->id : actor->url,
                    "@" + actor->preferred_username + "@" + m.host}});
  }
  return out;
}

DiscussionInfo LoadDiscussionInfo(const store::Txn& txn, const store::ObjectRecord& object) {
  DiscussionInfo info;
  info.likes = store::CountReactions(txn, store::Reaction::kLike, object.id);
  info.boosts = store::CountReactions(txn, store::Reaction::kBoost, object.id);
  for (const auto& id : store::ListReplyIds(txn, object.id))
    if (auto reply = store::GetObject(txn, id); reply.ok() && !reply->deleted()) ++info.replies;
  info.edits = store::ListEdits(txn, object.id);
  return info;
}

void WriteDiscussionFields(JsonOut& out, const store::ObjectRecord& o, const DiscussionInfo& info,
                           bool with_edits) {
  out.Key("sensitive");
  out.w().Bool(o.sensitive);
  out.Key("tags");
  out.w().StartArray();
  for (const auto& t : o.tags) {
    out.w().StartObject();
    out.Str("type", t.type);
    out.Str("name", t.name);
    out.StrOrNull("href", t.href);
    out.w().EndObject();
  }
  out.w().EndArray();
  out.Key("likes");
  out.w().Uint64(info.likes);
  out.Key("boosts");
  out.w().Uint64(info.boosts);
  out.Key("replies");
  out.w().Uint64(info.replies);
  if (!with_edits) return;
  out.Key("edits");
  out.w().StartArray();
  for (const auto& e : info.edits) {
    out.w().StartObject();
    out.Str("content", e.content_html);
    out.StrOrNull("summary", e.summary);
    out.Key("sensitive");
    out.w().Bool(e.sensitive);
    out.Time("updated", e.updated_ms);
    out.w().EndObject();
  }
  out.w().EndArray();
}

void AddDiscussionCommands(CLI::App& app, Global& g, int& rc) {
  struct Args {
    std::string as, url;
  };
  static Args args;  // CLI11 binds options to storage that outlives parsing
  const std::pair<const char*, ReactionCmd> reactions[] = {{"like", ReactionCmd::kLike},
                                                           {"unlike", ReactionCmd::kUnlike},
                                                           {"boost", ReactionCmd::kBoost},
                                                           {"unboost", ReactionCmd::kUnboost}};
  const char* help[] = {"like a post (Like)", "take a like back (Undo)",
                        "boost a public post to your followers (Announce)",
                        "take a boost back (Undo)"};
  for (const auto& [name, cmd] : reactions) {
    auto* c = app.add_subcommand(name, help[static_cast<int>(cmd)]);
    c->add_option("--as", args.as, "local teacher acting")->required();
    c->add_option("URL", args.url, "id of the post")->required();
    ReactionCmd which = cmd;
    c->callback([&g, &rc, which] { rc = CmdReaction(g, which, args.as, args.url); });
  }
  auto* thread = app.add_subcommand(
      "thread", "a post's whole thread: its root and every reply, with likes, boosts and edits");
  thread->add_option("URL", args.url, "any post of the thread")->required();
  thread->add_flag("--json", g.json, "print one JSON document");
  thread->callback([&g, &rc] { rc = CmdThread(g, args.url); });
}

}  // namespace cli

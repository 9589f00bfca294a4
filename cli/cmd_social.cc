// Commands of teachers: users, posts, follows, timelines, look-ups.
#include <cstdio>

#include "cli/commands.h"
#include "cli/discussion.h"
#include "cli/moderators.h"
#include "cli/output.h"
#include "federation/handle.h"
#include "federation/html_sanitizer.h"
#include "federation/post_title.h"
#include "federation/url.h"
#include "node/node.h"
#include "store/community.h"

namespace cli {
namespace {

cs::Result<std::unique_ptr<node::Node>> OpenNode(const Global& g) { return node::Node::Open(g.data_dir); }

void PrintActor(JsonOut& out, const store::ActorRecord& a) {
  out.w().StartObject();
  out.Str("id", a.id);
  out.Str("type", a.type);
  out.Str("preferred_username", a.preferred_username);
  out.Str("name", a.name);
  out.StrOrNull("summary", a.summary_html);
  out.Str("inbox", a.inbox);
  out.StrOrNull("shared_inbox", a.shared_inbox);
  out.StrOrNull("outbox", a.outbox);
  out.StrOrNull("followers", a.followers);
  out.StrOrNull("following", a.following);
  out.StrOrNull("url", a.url);
  out.StrOrNull("icon", a.icon);
  out.StrOrNull("key_id", a.key_id);
  out.Key("local");
  out.w().Bool(a.local);
  out.Key("manually_approves_followers");
  out.w().Bool(a.manually_approves_followers);
  out.Key("deleted");
  out.w().Bool(a.deleted);
  out.w().EndObject();
}

}  // namespace

int CmdUserAdd(const Global& g, const std::string& name, const std::string& display_name) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  auto user = node::AddUser((*n)->store(), (*n)->uris(), name, display_name, (*n)->clock());
  if (!user.ok()) return Fail(user.status());
  Say("added @%s@%s (%s)\n", user->preferred_username.c_str(), (*n)->config().domain.c_str(),
      user->id.c_str());
  return kExitOk;
}

int CmdUserList(const Global& g) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  std::vector<store::ActorRecord> users;
  (void)(*store)->View([&](store::Txn& t) {
    return t.Scan(store::Db::kLocalNames, "", [&](std::string_view, std::string_view id) {
      if (auto a = store::GetActor(t, id); a.ok() && a->type == "Person") users.push_back(*a);
      return true;
    });
  });
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& u : users) {
      out.w().StartObject();
      out.Str("name", u.preferred_username);
      out.Str("display_name", u.name);
      out.Str("id", u.id);
      out.Str("state", u.deleted ? "deleted" : "active");
      out.Time("created", u.created_at_ms);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
  } else {
    for (const auto& u : users)
      Say("%s\t%s\t%s%s\n", u.preferred_username.c_str(), u.name.c_str(), u.id.c_str(),
          u.deleted ? " (deleted)" : "");
    if (users.empty()) Say("no teachers yet (add one: cloudschool user add NAME)\n");
  }
  return kExitOk;
}

int CmdUserDelete(const Global& g, const std::string& name) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  std::vector<std::string> no_longer_moderates;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto me = store::GetLocalActorByName(t, name);
    if (me.ok() && me->type != "Person")
      return cs::Status::InvalidInput(name + " is a community, not a teacher");
    CS_RETURN_IF_ERROR((*n)->outbox().DeleteActor(t, name));
    // A deleted teacher moderates nothing: out of every community's moderators, announced to
    // the members' servers as `community moderator remove` does.
    const federation::Group group((*n)->uris(), (*n)->clock());
    for (const auto& c : store::ListCommunities(t))
      if (c.IsModerator(me->id)) {
        CS_RETURN_IF_ERROR(SetModerator(t, group, c, me->id, false, (*n)->clock().NowMillis()));
        no_longer_moderates.push_back(c.name);
      }
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  for (const auto& c : no_longer_moderates) Say("%s is no longer a moderator of %s\n", name, c);
  Say("deleted %s; a Delete is queued to every server that knows it\n", name.c_str());
  return kExitOk;
}

int CmdPost(const Global& g, const std::string& as, const std::string& reply_to,
            const std::string& visibility, const std::string& summary, bool sensitive,
            const std::string& text) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  auto mentions = ResolveMentions(**n, text);
  if (!mentions.ok()) return Fail(mentions.status());
  if (!reply_to.empty()) {
    cs::Status st = (*n)->EnsureObject(reply_to);
    if (!st.ok()) return Fail(cs::Status(st.code(), "cannot find the post to reply to: " + st.message()));
  }
  federation::PostOptions options;
  options.in_reply_to = reply_to;
  options.visibility = visibility == "followers" ? store::Visibility::kFollowers : store::Visibility::kPublic;
  options.summary = summary;
  options.sensitive = sensitive;
  options.mentions = std::move(*mentions);
  std::string id;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto r = (*n)->outbox().Post(t, as, text, options);
    if (!r.ok()) return r.status();
    id = *r;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s\n", id.c_str());
  return kExitOk;
}

int CmdEdit(const Global& g, const std::string& as, const std::string& url, const std::string& text) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  auto mentions = ResolveMentions(**n, text);
  if (!mentions.ok()) return Fail(mentions.status());
  cs::Status st = (*n)->store().Update(
      [&](store::Txn& t) { return (*n)->outbox().Edit(t, as, url, text, *mentions); });
  if (st.Is(cs::Status::Code::kGone)) return Fail(st.message(), kExitRefused);  // a deleted post
  if (!st.ok()) return Fail(st);
  Say("updated %s\n", url.c_str());
  return kExitOk;
}

int CmdDelete(const Global& g, const std::string& as, const std::string& url) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  cs::Status st = (*n)->store().Update([&](store::Txn& t) { return (*n)->outbox().DeleteObject(t, as, url); });
  if (st.Is(cs::Status::Code::kGone)) return Fail(st.message(), kExitRefused);  // already deleted
  if (!st.ok()) return Fail(st);
  Say("deleted %s\n", url.c_str());
  return kExitOk;
}

int CmdFollow(const Global& g, const std::string& as, const std::string& target) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  auto actor = (*n)->ResolveActor(target);
  if (!actor.ok()) return Fail(actor.status());
  store::FollowRecord follow;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto r = (*n)->outbox().Follow(t, as, *actor);
    if (!r.ok()) return r.status();
    follow = *r;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s follows %s: %s\n", as.c_str(), actor->id.c_str(), store::FollowStateName(follow.state));
  return kExitOk;
}

int CmdUnfollow(const Global& g, const std::string& as, const std::string& target) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  std::string id = target;
  if (!federation::LooksLikeUrl(target)) {
    auto actor = (*n)->ResolveActor(target);
    if (!actor.ok()) return Fail(actor.status());
    id = actor->id;
  }
  cs::Status st = (*n)->store().Update([&](store::Txn& t) { return (*n)->outbox().Unfollow(t, as, id); });
  if (!st.ok()) return Fail(st);
  Say("%s no longer follows %s\n", as.c_str(), id.c_str());
  return kExitOk;
}

int CmdFollowList(const Global& g, const std::string& as, bool followers) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  std::vector<store::FollowRecord> list;
  cs::Status st = (*store)->View([&](store::Txn& t) -> cs::Status {
    auto me = store::GetLocalActorByName(t, as);
    if (!me.ok()) return me.status();
    list = followers ? store::ListFollowers(t, me->id) : store::ListFollowing(t, me->id);
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& f : list) {
      out.w().StartObject();
      out.Str("actor", followers ? f.follower : f.followee);
      out.Str("state", store::FollowStateName(f.state));
      out.Time("since", f.created_ms);
      out.Time("updated", f.updated_ms);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
  } else {
    for (const auto& f : list)
      Say("%s\t%s\n", (followers ? f.follower : f.followee).c_str(),
          store::FollowStateName(f.state));
    if (list.empty()) Say("%s\n", followers ? "no followers yet" : "not following anyone yet");
  }
  return kExitOk;
}

int CmdTimeline(const Global& g, const std::string& as, int limit) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  std::vector<store::ObjectRecord> items;
  std::vector<DiscussionInfo> infos;  // likes, boosts, replies of each item
  std::vector<std::string> authors;   // handles of the stored authors, else their ids
  cs::Status st = (*store)->View([&](store::Txn& t) -> cs::Status {
    auto me = store::GetLocalActorByName(t, as);
    if (!me.ok()) return me.status();
    if (me->type == "Group")  // its posts: `community posts NAME`
      return cs::Status::InvalidInput(as + " is a community, not a teacher (see 'community posts " +
                                      as + "')");
    return t.Scan(
        store::Db::kTimelines, store::JoinKey(me->id, ""),
        [&](std::string_view, std::string_view id) {
          if (auto o = store::GetObject(t, id); o.ok() && !o->deleted()) {
            items.push_back(*o);
            infos.push_back(LoadDiscussionInfo(t, *o));
            auto author = store::GetActor(t, o->attributed_to);
            authors.push_back(author.ok() ? HandleOf(*author) : o->attributed_to);
          }
          return static_cast<int>(items.size()) < limit;
        },
        /*reverse=*/true);
  });
  if (!st.ok()) return Fail(st);
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (size_t i = 0; i < items.size(); ++i) {
      const store::ObjectRecord& o = items[i];
      const federation::PostTitle title = federation::TitleOf(o);
      out.w().StartObject();
      out.Str("id", o.id);
      out.Str("type", o.type);
      out.Str("actor", o.attributed_to);
      out.StrOrNull("title", title.text);
      out.Key("title_derived");  // not the author's `name`: derived from the text (BR-19)
      out.w().Bool(title.derived);
      out.Str("content", o.content_html);
      out.StrOrNull("summary", o.summary);
      out.StrOrNull("community", o.audience);
      out.Time("published", o.published_ms);
      out.Time("updated", o.updated_ms);
      out.StrOrNull("in_reply_to", o.in_reply_to);
      out.Str("visibility", store::VisibilityName(o.visibility));
      WriteDiscussionFields(out, o, infos[i], /*with_edits=*/false);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
  } else {
    for (size_t i = 0; i < items.size(); ++i) {
      const store::ObjectRecord& o = items[i];
      std::string where = o.in_reply_to.empty() ? "" : " (reply to " + o.in_reply_to + ")";
      if (!o.audience.empty()) where += " in " + o.audience;
      // Title and content warning are one-line fields: made safe before they join the text.
      std::string text = federation::HtmlToText(o.content_html);
      if (auto title = federation::TitleOf(o).text; !title.empty())
        text = SafeLine(title) + ": " + text;
      if (!o.summary.empty()) text = "[CW: " + SafeLine(o.summary) + "] " + text;
      Say("%s  %s%s\n%s\n  %s\n\n", cs::FormatRfc3339(o.published_ms / 1000).c_str(),
          authors[i].c_str(), where.c_str(), Multiline{Indent(text)}, o.id.c_str());
    }
    if (items.empty()) Say("the timeline is empty\n");
  }
  return kExitOk;
}

int CmdLookup(const Global& g, const std::string& target) {
  auto n = OpenNode(g);
  if (!n.ok()) return Fail(n.status());
  auto actor = (*n)->ResolveActor(target);
  if (!actor.ok()) return Fail(actor.status());
  if (g.json) {
    JsonOut out;
    PrintActor(out, *actor);
    out.Print();
  } else {
    const std::string& name = actor->name.empty() ? actor->preferred_username : actor->name;
    Say("%s (%s)\n  id: %s\n  handle: %s\n  inbox: %s\n  shared inbox: %s\n  key: %s\n",
        name.c_str(), actor->type.c_str(), actor->id.c_str(), HandleOf(*actor).c_str(),
        actor->inbox.c_str(), actor->shared_inbox.empty() ? "(none)" : actor->shared_inbox.c_str(),
        actor->key_id.c_str());
  }
  return kExitOk;
}

}  // namespace cli

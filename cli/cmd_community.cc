// Commands of communities: create and configure them, moderate them (as the node admin, or
// `--as` a moderator), join and leave them, post into them, and the list of trusted schools.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/moderators.h"
#include "cli/output.h"
#include "federation/crypto.h"
#include "federation/group.h"
#include "federation/handle.h"
#include "federation/html_sanitizer.h"
#include "federation/json.h"
#include "federation/post_title.h"
#include "federation/punycode.h"
#include "node/node.h"
#include "store/community.h"

namespace cli {
namespace {

struct Args {
  std::string name, as, target, title, description, join, visibility, text, reply_to, summary;
  std::vector<std::string> moderators;
  int limit = 20;
};

// A local name ("ann"), a handle or a URL.
cs::Result<store::ActorRecord> Resolve(const node::Node& n, const std::string& text) {
  if (!federation::LooksLikeUrl(text) && text.find('@') == std::string::npos) {
    auto txn = n.store().BeginRead();
    if (!txn.ok()) return txn.status();
    return store::GetLocalActorByName(*txn, text);
  }
  return n.ResolveActor(text);
}

cs::Result<store::CommunityRecord> LoadCommunity(const store::Txn& txn, const std::string& name) {
  auto actor = store::GetLocalActorByName(txn, name);
  if (!actor.ok() || actor->type != "Group")
    return cs::Status::NotFound("no community named '" + name + "' on this node");
  return store::GetCommunity(txn, actor->id);
}

// The community, with the authority of the admin ("" as) or of the moderator `as`.
cs::Result<store::CommunityRecord> Authorized(const store::Txn& txn, const std::string& name,
                                              const std::string& as, std::string* by) {
  auto c = LoadCommunity(txn, name);
  if (!c.ok() || as.empty()) return c;
  auto me = store::GetLocalActorByName(txn, as);
  if (me.ok() && me->type == "Person" && me->deleted)
    return cs::Status::Gone("user '" + as + "' was deleted");
  if (!me.ok() || me->type != "Person")
    return cs::Status::NotFound("no teacher named '" + as + "'");
  if (!c->IsModerator(me->id)) return cs::Status::Forbidden(as + " is not a moderator of " + name);
  *by = me->id;
  return c;
}

void PrintCommunity(JsonOut& out, const store::Txn& txn, const store::CommunityRecord& c,
                    const std::string& domain) {
  size_t members = 0, pending = 0;
  for (const auto& f : store::ListFollowers(txn, c.id)) {
    members += f.state == store::FollowState::kAccepted;
    pending += f.state == store::FollowState::kPending;
  }
  out.w().StartObject();
  out.Str("name", c.name);
  out.Str("handle", c.name + "@" + domain);
  out.Str("id", c.id);
  out.Str("title", c.title);
  out.StrOrNull("description", c.description);
  out.Str("join", store::JoinPolicyName(c.join));
  out.Str("visibility", store::CommunityVisibilityName(c.visibility));
  out.Key("moderators");
  out.w().StartArray();
  for (const auto& m : c.moderators) out.w().String(m.c_str());
  out.w().EndArray();
  out.Str("license_url", c.license_url);
  out.Key("members");
  out.w().Uint64(members);
  out.Key("pending_requests");
  out.w().Uint64(pending);
  out.Time("created", c.created_ms);
  out.w().EndObject();
}

// --title is one line; --description is plain text that may have paragraphs (\n, \t).
cs::Status CheckTexts(const Args& a) {
  CS_RETURN_IF_ERROR(CheckTyped("--title", a.title, kMaxTitleChars));
  return CheckTyped("--description", a.description, kMaxDescriptionChars, Lines::kMany);
}

int Add(const Global& g, const Args& a) {
  if (cs::Status st = CheckTexts(a); !st.ok()) return Fail(st);
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  if (!node::IsValidLocalName(a.name)) return Fail(node::LocalNameRule(a.name), kExitUsage);
  federation::CommunityOptions o{.name = a.name, .title = a.title, .description = a.description};
  if (auto p = store::ParseJoinPolicy(a.join.empty() ? "open" : a.join)) o.join = *p;
  if (auto v = store::ParseCommunityVisibility(a.visibility.empty() ? "public" : a.visibility))
    o.visibility = *v;
  for (const auto& m : a.moderators) {
    auto actor = Resolve(**n, m);
    if (!actor.ok())
      return Fail(
          cs::Status(actor.status().code(), "moderator " + m + ": " + actor.status().message()));
    if (actor->type != "Person") return Fail("moderator " + m + " is not a teacher", kExitUsage);
    if (actor->deleted) return Fail(cs::Status::Gone("moderator " + m + " was deleted"));
    o.moderators.push_back(actor->id);
  }
  auto key = federation::PrivateKey::GenerateRsa(2048);  // outside the write transaction
  if (!key.ok()) return Fail(key.status());
  federation::Group group((*n)->uris(), (*n)->clock());
  store::CommunityRecord c;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto r = group.Create(t, o, key->ToPem(), key->PublicKeyPem());
    if (!r.ok()) return r.status();
    c = *r;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("added community @%s@%s (%s): join %s, visibility %s\n", c.name.c_str(),
      (*n)->config().domain.c_str(), c.id.c_str(), store::JoinPolicyName(c.join),
      store::CommunityVisibilityName(c.visibility));
  return kExitOk;
}

int List(const Global& g) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto txn = (*n)->store().BeginRead();
  if (!txn.ok()) return Fail(txn.status());
  auto all = store::ListCommunities(*txn);
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& c : all) PrintCommunity(out, *txn, c, (*n)->config().domain);
    out.w().EndArray();
    out.Print();
    return kExitOk;
  }
  for (const auto& c : all)
    Say("%s\t%s\tjoin %s\tvisibility %s\n", c.name.c_str(), c.title.c_str(),
        store::JoinPolicyName(c.join), store::CommunityVisibilityName(c.visibility));
  if (all.empty()) Say("no communities yet (add one: cloudschool community add NAME)\n");
  return kExitOk;
}

int Show(const Global& g, const Args& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto txn = (*n)->store().BeginRead();
  if (!txn.ok()) return Fail(txn.status());
  auto c = LoadCommunity(*txn, a.name);
  if (!c.ok()) return Fail(c.status());
  if (g.json) {
    JsonOut out;
    PrintCommunity(out, *txn, *c, (*n)->config().domain);
    out.Print();
    return kExitOk;
  }
  Say("%s (@%s@%s)\n  id: %s\n  join: %s\n  visibility: %s\n  moderators: %zu\n  license: %s\n",
      c->title.c_str(), c->name.c_str(), (*n)->config().domain.c_str(), c->id.c_str(),
      store::JoinPolicyName(c->join), store::CommunityVisibilityName(c->visibility),
      c->moderators.size(), c->license_url.c_str());
  if (!c->description.empty()) Say("%s\n", Multiline{Indent(c->description)});
  return kExitOk;
}

int Set(const Global& g, const Args& a, bool title, bool description) {
  if (!title && !description && a.join.empty() && a.visibility.empty())
    return Fail(
        "nothing to change: give at least one of --title, --description, --join, "
        "--visibility",
        kExitUsage);
  if (cs::Status st = CheckTexts(a); !st.ok()) return Fail(st);
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    std::string by;
    auto c = Authorized(t, a.name, a.as, &by);
    if (!c.ok()) return c.status();
    auto actor = store::GetActor(t, c->id);
    if (!actor.ok()) return actor.status();
    if (title) c->title = actor->name = a.title.empty() ? c->name : a.title;
    if (description) {
      c->description = a.description;
      actor->summary_html = federation::CommunitySummaryHtml(a.description);
    }
    if (auto p = store::ParseJoinPolicy(a.join)) c->join = *p;
    if (auto v = store::ParseCommunityVisibility(a.visibility)) c->visibility = *v;
    actor->manually_approves_followers = c->join != store::JoinPolicy::kOpen;
    c->updated_ms = (*n)->clock().NowMillis();
    CS_RETURN_IF_ERROR(store::PutActor(t, *actor));
    CS_RETURN_IF_ERROR(store::PutCommunity(t, *c));
    // Members' servers keep a copy of the community: they get the new one.
    return federation::Group((*n)->uris(), (*n)->clock()).PublishProfile(t, *c);
  });
  if (!st.ok()) return Fail(st);
  Say("updated %s (sent to the members' servers)\n", a.name.c_str());
  return kExitOk;
}

int Moderator(const Global& g, const Args& a, bool add) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto actor = Resolve(**n, a.target);
  if (!actor.ok()) return Fail(actor.status());
  if (add && actor->type != "Person") return Fail(a.target + " is not a teacher", kExitUsage);
  if (add && actor->deleted) return Fail(cs::Status::Gone(actor->id + " was deleted"));
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    std::string by;
    auto c = Authorized(t, a.name, a.as, &by);
    if (!c.ok()) return c.status();
    bool has = c->IsModerator(actor->id);
    if (add && has) return cs::Status::Conflict(actor->id + " is already a moderator");
    if (!add && !has) return cs::Status::Conflict(actor->id + " is not a moderator");
    return SetModerator(t, federation::Group((*n)->uris(), (*n)->clock()), *c, actor->id, add,
                        (*n)->clock().NowMillis());
  });
  if (!st.ok()) return Fail(st);
  Say("%s %s moderator of %s\n", actor->id.c_str(), add ? "is now a" : "is no longer a",
      a.name.c_str());
  return kExitOk;
}

int Members(const Global& g, const Args& a, bool requests_only) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  auto txn = (*store)->BeginRead();
  if (!txn.ok()) return Fail(txn.status());
  std::string by;
  auto c = Authorized(*txn, a.name, a.as, &by);
  if (!c.ok()) return Fail(c.status());
  struct Row {
    std::string actor, state;
    int64_t since = 0, updated = 0;
  };
  std::vector<Row> rows;
  for (const auto& f : store::ListFollowers(*txn, c->id))
    if (!requests_only || f.state == store::FollowState::kPending)
      rows.push_back({f.follower, store::FollowStateName(f.state), f.created_ms, f.updated_ms});
  if (!requests_only) {
    for (const auto& i : store::ListInvites(*txn, c->id))
      rows.push_back({i.actor, "invited", i.created_ms, i.created_ms});
    for (const auto& b : store::ListBans(*txn, c->id))
      rows.push_back({b.actor, "banned", b.created_ms, b.created_ms});
  }
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& r : rows) {
      out.w().StartObject();
      out.Str("actor", r.actor);
      out.Str("state", r.state);
      out.Key("moderator");
      out.w().Bool(c->IsModerator(r.actor));
      out.Time("since", r.since);
      out.Time("updated", r.updated);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
    return kExitOk;
  }
  for (const auto& r : rows) Say("%s\t%s\n", r.actor.c_str(), r.state.c_str());
  if (rows.empty()) Say("%s\n", requests_only ? "no pending requests" : "no members yet");
  return kExitOk;
}

// What each moderation action prints when done.
const std::map<std::string, std::string> kDone = {
    {"approve", "approved"},      {"reject", "rejected"}, {"invite", "invited"},
    {"remove-member", "removed"}, {"ban", "banned"},      {"unban", "unbanned"},
    {"remove-post", "removed"}};

int Moderate(const Global& g, const Args& a, const std::string& action) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  std::string target_id = a.target;
  store::ActorRecord target;
  if (action != "remove-post") {
    auto actor = Resolve(**n, a.target);
    if (!actor.ok()) return Fail(actor.status());
    target = *actor;
    target_id = actor->id;
  }
  federation::Group group((*n)->uris(), (*n)->clock());
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    std::string by;
    auto c = Authorized(t, a.name, a.as, &by);
    if (!c.ok()) return c.status();
    if (action == "remove-post") return group.RemovePost(t, *c, target_id, by);
    if (target_id == c->id)
      return cs::Status::InvalidInput("the community itself cannot be " + kDone.at(action) + " (" +
                                      a.target + " is " + a.name + ")");
    cs::Status r = cs::Status::InvalidInput("unknown action " + action);
    if (action == "approve") r = group.Approve(t, *c, target_id);
    if (action == "reject") r = group.RejectRequest(t, *c, target_id);
    if (action == "invite") r = group.Invite(t, *c, target, by);
    if (action == "remove-member") r = group.RemoveMember(t, *c, target_id);
    if (action == "ban") r = group.Ban(t, *c, target_id, by);
    if (action == "unban") r = group.Unban(t, *c, target_id);
    // No request to decide, not a member, not banned: nothing to undo, refused (exit 3) as an
    // action already done is.
    if (r.Is(cs::Status::Code::kNotFound)) return cs::Status::Conflict(r.message());
    return r;
  });
  if (!st.ok()) return Fail(st);
  Say("%s: %s %s\n", a.name.c_str(), kDone.at(action).c_str(), target_id.c_str());
  return kExitOk;
}

// Posts of a community: ours by name, a remote one by handle or URL (those our members got).
int Posts(const Global& g, const Args& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  std::string group_id;
  {
    auto txn = (*n)->store().BeginRead();
    if (!txn.ok()) return Fail(txn.status());
    if (auto c = LoadCommunity(*txn, a.name); c.ok()) group_id = c->id;
  }
  if (group_id.empty()) {
    auto actor = Resolve(**n, a.name);
    if (!actor.ok()) return Fail(actor.status());
    group_id = actor->id;
  }
  auto txn = (*n)->store().BeginRead();
  if (!txn.ok()) return Fail(txn.status());
  std::vector<store::ObjectRecord> items;
  for (const auto& id : store::ListCommunityPosts(*txn, group_id, static_cast<size_t>(a.limit)))
    if (auto o = store::GetObject(*txn, id); o.ok() && !o->deleted()) items.push_back(*o);
  if (g.json) {
    JsonOut out;
    out.w().StartArray();
    for (const auto& o : items) {
      const federation::PostTitle title = federation::TitleOf(o);
      out.w().StartObject();
      out.Str("id", o.id);
      out.Str("type", o.type);
      out.Str("actor", o.attributed_to);
      out.StrOrNull("title", title.text);
      out.Key("title_derived");  // not the author's `name`: derived from the text (BR-19)
      out.w().Bool(title.derived);
      out.Str("content", o.content_html);
      out.Time("published", o.published_ms);
      out.Time("updated", o.updated_ms);
      out.w().EndObject();
    }
    out.w().EndArray();
    out.Print();
    return kExitOk;
  }
  for (const auto& o : items) {
    // Every line of the text indented, as on the timeline; the title is a one-line field.
    std::string text = federation::HtmlToText(o.content_html);
    if (auto title = federation::TitleOf(o).text; !title.empty())
      text = SafeLine(title) + ": " + text;
    Say("%s  %s\n%s\n  %s\n\n", cs::FormatRfc3339(o.published_ms / 1000).c_str(),
        AuthorLabel(*txn, o.attributed_to), Multiline{Indent(text)}, o.id.c_str());
  }
  if (items.empty()) Say("no posts yet\n");
  return kExitOk;
}

int Join(const Global& g, const Args& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto target = Resolve(**n, a.target);
  if (!target.ok()) return Fail(target.status());
  if (target->type != "Group")
    return Fail(a.target + " is not a community (" + target->type + "); use 'follow'", kExitUsage);
  store::FollowState state = store::FollowState::kPending;
  federation::Group group((*n)->uris(), (*n)->clock());
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    if (!target->local) {
      auto r = (*n)->outbox().Follow(t, a.as, *target);
      if (!r.ok()) return r.status();
      state = r->state;
      return cs::Status::Ok();
    }
    auto me = store::GetLocalActorByName(t, a.as);
    if (me.ok() && me->type == "Person" && me->deleted)
      return cs::Status::Gone("user '" + a.as + "' was deleted");
    if (!me.ok() || me->type != "Person")
      return cs::Status::NotFound("no teacher named '" + a.as + "'");
    if (store::IsMember(t, target->id, me->id))
      return cs::Status::Conflict(a.as + " is already a member of " + target->id);
    auto c = store::GetCommunity(t, target->id);
    if (!c.ok()) return c.status();
    CS_RETURN_IF_ERROR(
        group.OnFollow(t, *c, *me, (*n)->uris().NewActivity(me->preferred_username)));
    auto f = store::GetFollow(t, me->id, target->id);
    if (f.ok()) state = f->state;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s joins %s: %s\n", a.as.c_str(), target->id.c_str(),
      state == store::FollowState::kAccepted ? "member"
      : target->local                        ? "pending (a moderator decides)"
                                             : "pending (the community answers)");
  return kExitOk;
}

int Leave(const Global& g, const Args& a) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto target = Resolve(**n, a.target);
  if (!target.ok()) return Fail(target.status());
  cs::Status st = (*n)->store().Update(
      [&](store::Txn& t) { return (*n)->outbox().Unfollow(t, a.as, target->id); });
  if (!st.ok()) return Fail(st);
  Say("%s left %s\n", a.as.c_str(), target->id.c_str());
  return kExitOk;
}

int Trust(const Global& g, const std::string& action, const std::string& domain) {
  auto store = OpenStore(g.data_dir);
  if (!store.ok()) return Fail(store.status());
  if (action == "list") {
    std::vector<std::string> all;
    (void)(*store)->View([&](store::Txn& t) {
      all = store::ListTrusted(t);
      return cs::Status::Ok();
    });
    if (g.json) {
      JsonOut out;
      out.w().StartArray();
      for (const auto& d : all) {
        out.w().StartObject();
        out.Str("domain", d);
        out.Str("policy", "trust");
        out.w().EndObject();
      }
      out.w().EndArray();
      out.Print();
    } else {
      for (const auto& d : all) Say("%s\ttrusted\n", d.c_str());
      if (all.empty()) Say("no trusted schools\n");
    }
    return kExitOk;
  }
  auto parsed = ParseDomain("trust " + action, domain);  // the parser of `init --domain`
  if (!parsed.ok()) return Fail(parsed.status());
  const std::string host = DomainKey(*parsed);
  cs::Status st = (*store)->Update([&](store::Txn& t) -> cs::Status {
    // Trusting twice, or removing what is not trusted: nothing to do, refused (exit 3).
    const auto all = store::ListTrusted(t);
    const bool trusted = std::find(all.begin(), all.end(), host) != all.end();
    if (action == "add" && trusted) return cs::Status::Conflict(host + " is already trusted");
    if (action != "add" && !trusted) return cs::Status::Conflict(host + " is not trusted");
    return action == "add" ? store::PutTrusted(t, host) : store::DeleteTrusted(t, host);
  });
  if (!st.ok()) return Fail(st);
  Say("%s %s\n", host.c_str(), action == "add" ? "trusted" : "no longer trusted");
  return kExitOk;
}

}  // namespace

cs::Status SetModerator(store::Txn& txn, const federation::Group& group,
                        store::CommunityRecord community, const std::string& actor_id, bool add,
                        int64_t now_ms) {
  auto& mods = community.moderators;
  if (add)
    mods.push_back(actor_id);
  else
    mods.erase(std::remove(mods.begin(), mods.end(), actor_id), mods.end());
  community.updated_ms = now_ms;
  CS_RETURN_IF_ERROR(store::PutCommunity(txn, community));
  // Members' servers keep a copy of the community, moderators included: they get the new one.
  return group.PublishProfile(txn, community);
}

int CmdCommunityPost(const Global& g, const std::string& as, const std::string& community,
                     const std::string& title, const std::string& reply_to,
                     const std::string& summary, const std::string& text,
                     const std::string& visibility) {
  auto n = node::Node::Open(g.data_dir);
  if (!n.ok()) return Fail(n.status());
  auto target = Resolve(**n, community);
  if (!target.ok()) return Fail(target.status());
  if (target->type != "Group") return Fail(community + " is not a community", kExitUsage);
  if (visibility == "followers") {
    // Two options that contradict each other: refused rather than one silently winning.
    auto txn = (*n)->store().BeginRead();
    if (!txn.ok()) return Fail(txn.status());
    if (federation::IsPublicCommunity(*txn, target->id))
      return Fail(target->preferred_username +
                      " is a public community: its posts are public; leave out --visibility "
                      "followers",
                  kExitUsage);
  }
  if (!reply_to.empty()) {
    cs::Status st = (*n)->EnsureObject(reply_to);
    if (!st.ok())
      return Fail(cs::Status(st.code(), "cannot find the post to reply to: " + st.message()));
  }
  federation::PostOptions options;
  options.in_reply_to = reply_to;
  options.summary = summary;
  options.audience = target->id;
  options.title = title;
  if (!target->local) {
    // A closed community (ours on another node says so): the post goes to the group only.
    if (auto doc = federation::ParseJson(target->raw_json); doc.ok() && doc->IsObject()) {
      auto it = doc->FindMember("communityVisibility");
      if (it != doc->MemberEnd() && it->value.IsString() &&
          std::string_view(it->value.GetString()) != "public")
        options.visibility = store::Visibility::kDirect;
    }
  }
  std::string id;
  cs::Status st = (*n)->store().Update([&](store::Txn& t) -> cs::Status {
    auto me = store::GetLocalActorByName(t, as);
    if (!me.ok()) return me.status();
    if (!target->local && !store::IsMember(t, target->id, me->id))
      return cs::Status::Forbidden(as + " is not a member of " + target->id + " (join first)");
    auto r = (*n)->outbox().Post(t, as, text, options);
    if (!r.ok()) return r.status();
    id = *r;
    return cs::Status::Ok();
  });
  if (!st.ok()) return Fail(st);
  Say("%s\n", id.c_str());
  return kExitOk;
}

void AddCommunityCommands(CLI::App& app, Global& g, int& rc) {
  auto a = std::make_shared<Args>();
  auto json_flag = [&](CLI::App* c) { c->add_flag("--json", g.json, "print one JSON document"); };
  auto as_flag = [a](CLI::App* c) {
    c->add_option("--as", a->as, "act as this moderator (default: the node admin)");
  };
  auto* com = app.add_subcommand("community", "communities (Group actors) of this node");
  com->require_subcommand(1);

  auto* add = com->add_subcommand("add", "create a community");
  add->add_option("NAME", a->name, "name (1-30 ASCII letters, digits, _), shared with teachers")
      ->required();
  add->add_option("--title", a->title, "title shown to others (up to 200 characters)");
  add->add_option("--description", a->description,
                  "what it is about (Markdown; may have several lines)");
  add->add_option("--join", a->join, "open, approval or invite")
      ->check(CLI::IsMember({"open", "approval", "invite"}));
  add->add_option("--visibility", a->visibility, "public, network or members")
      ->check(CLI::IsMember({"public", "network", "members"}));
  add->add_option("--moderator", a->moderators, "moderator (teacher name or handle; repeatable)");
  add->callback([&g, &rc, a] { rc = Add(g, *a); });

  auto* list = com->add_subcommand("list", "list communities");
  json_flag(list);
  list->callback([&g, &rc] { rc = List(g); });

  auto* show = com->add_subcommand("show", "one community");
  show->add_option("NAME", a->name, "name of the community")->required();
  json_flag(show);
  show->callback([&g, &rc, a] { rc = Show(g, *a); });

  auto* set = com->add_subcommand("set", "change title, description, join policy, visibility");
  set->add_option("NAME", a->name, "name of the community")->required();
  auto* title =
      set->add_option("--title", a->title, "title shown to others (up to 200 characters)");
  auto* description = set->add_option("--description", a->description,
                                      "what it is about (Markdown; may have several lines)");
  set->add_option("--join", a->join, "open, approval or invite")
      ->check(CLI::IsMember({"open", "approval", "invite"}));
  set->add_option("--visibility", a->visibility, "public, network or members")
      ->check(CLI::IsMember({"public", "network", "members"}));
  as_flag(set);
  set->callback([&g, &rc, a, title, description] {
    rc = Set(g, *a, title->count() > 0, description->count() > 0);
  });

  auto* mod = com->add_subcommand("moderator", "add or remove a moderator");
  mod->require_subcommand(1);
  for (const char* action : {"add", "remove"}) {
    auto* c = mod->add_subcommand(action, std::string(action) + " a moderator");
    c->add_option("NAME", a->name, "name of the community")->required();
    c->add_option("HANDLE", a->target, "teacher name, handle or URL")->required();
    as_flag(c);
    bool is_add = std::string(action) == "add";
    c->callback([&g, &rc, a, is_add] { rc = Moderator(g, *a, is_add); });
  }

  for (bool requests : {false, true}) {
    auto* c = com->add_subcommand(
        requests ? "requests" : "members",
        requests ? "pending requests to join" : "members with their state (also invited, banned)");
    c->add_option("NAME", a->name, "name of the community")->required();
    json_flag(c);
    as_flag(c);
    c->callback([&g, &rc, a, requests] { rc = Members(g, *a, requests); });
  }

  for (const char* action : {"approve", "reject", "invite", "remove-member", "ban", "unban"}) {
    auto* c = com->add_subcommand(action, std::string(action) + " (a handle, name or URL)");
    c->add_option("NAME", a->name, "name of the community")->required();
    c->add_option("HANDLE", a->target, "teacher name, @user@host, user@host or an actor URL")
        ->required();
    as_flag(c);
    std::string act = action;
    c->callback([&g, &rc, a, act] { rc = Moderate(g, *a, act); });
  }
  auto* remove_post = com->add_subcommand("remove-post", "remove a post (the group announces it)");
  remove_post->add_option("NAME", a->name, "name of the community")->required();
  remove_post->add_option("URL", a->target, "id of the post")->required();
  as_flag(remove_post);
  remove_post->callback([&g, &rc, a] { rc = Moderate(g, *a, "remove-post"); });

  auto* posts = com->add_subcommand("posts", "posts of a community (ours, or one we are in)");
  posts->add_option("NAME", a->name, "name, handle or URL")->required();
  posts->add_option("--limit", a->limit, "how many posts (1-1000)")->check(LimitRange());
  json_flag(posts);
  posts->callback([&g, &rc, a] { rc = Posts(g, *a); });

  for (bool join : {true, false}) {
    auto* c = app.add_subcommand(join ? "join" : "leave",
                                 join ? "join a community here or elsewhere" : "leave a community");
    c->add_option("--as", a->as, "local teacher acting")->required();
    c->add_option("COMMUNITY", a->target, "name here, @name@host, name@host or a Group URL")
        ->required();
    c->callback([&g, &rc, a, join] { rc = join ? Join(g, *a) : Leave(g, *a); });
  }

  auto* trust = app.add_subcommand("trust", "trusted schools (see network-only communities)");
  trust->require_subcommand(1);
  for (const char* action : {"add", "remove"}) {
    auto* c = trust->add_subcommand(action, std::string(action) + " a school's domain");
    c->add_option("DOMAIN", a->target, "HOST or HOST:PORT")->required();
    std::string act = action;
    c->callback([&g, &rc, a, act] { rc = Trust(g, act, a->target); });
  }
  auto* trust_list = trust->add_subcommand("list", "trusted schools");
  json_flag(trust_list);
  trust_list->callback([&g, &rc] { rc = Trust(g, "list", ""); });
}

}  // namespace cli

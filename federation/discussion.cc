#include "federation/discussion.h"

#include <algorithm>
#include <cctype>

#include "federation/html_sanitizer.h"
#include "store/clock.h"

namespace federation {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The id of the object an activity is about (embedded or by reference).
std::string ObjectIdOf(const ActivityDoc& a) {
  if (a.object) return a.object->id;
  if (a.inner) return a.inner->id;
  return a.object_id;
}

}  // namespace

cs::Status ApplyLike(store::Txn& txn, const ActivityDoc& like) {
  std::string object_id = ObjectIdOf(like);
  if (object_id.empty()) return cs::Status::Ok();
  auto object = store::GetObject(txn, object_id);
  if (!object.ok() || object->deleted()) return cs::Status::Ok();  // nothing of ours to count on
  return store::AddReaction(txn, store::Reaction::kLike, object_id, like.actor, like.id).status();
}

cs::Status ApplyUndoReaction(store::Txn& txn, const ActivityDoc& undo, bool* handled) {
  *handled = false;
  std::optional<store::Reaction> kind;
  std::string object_id;
  std::string inner_id = undo.inner ? undo.inner->id : undo.object_id;
  if (undo.inner) {
    const std::string& t = undo.inner->type;
    if (t == "Like" || t == "EmojiReact")
      kind = store::Reaction::kLike;
    else if (t == "Announce")
      kind = store::Reaction::kBoost;
    else
      return cs::Status::Ok();
    object_id = ObjectIdOf(*undo.inner);
  }
  if (!inner_id.empty()) {
    if (auto ref = store::FindReactionByActivity(txn, inner_id); ref.ok()) {
      if (ref->actor != undo.actor)
        return cs::Status::Forbidden(undo.actor + " cannot undo " + inner_id + " of " + ref->actor);
      if (!kind) kind = ref->kind;
      if (object_id.empty()) object_id = ref->object;
    }
  }
  if (!kind) return cs::Status::Ok();
  *handled = true;
  if (object_id.empty()) return cs::Status::Ok();
  // The key holds the sender: only the sender's own reaction can go.
  return store::RemoveReaction(txn, *kind, object_id, undo.actor).status();
}

cs::Status RecordBoost(store::Txn& txn, const Uris& uris, const ActivityDoc& announce,
                       const std::string& object_id) {
  if (object_id.empty()) return cs::Status::Ok();
  auto object = store::GetObject(txn, object_id);
  if (object.ok()) {
    if (object->deleted() || object->visibility != store::Visibility::kPublic)
      return cs::Status::Ok();
  } else if (uris.IsLocal(object_id)) {
    return cs::Status::Ok();  // no such post here
  }
  return store::AddReaction(txn, store::Reaction::kBoost, object_id, announce.actor, announce.id)
      .status();
}

cs::Status KeepEdit(store::Txn& txn, const store::ObjectRecord& before) {
  store::EditRecord version;
  version.content_html = before.content_html;
  version.summary = before.summary;
  version.name = before.name;
  version.sensitive = before.sensitive;
  version.updated_ms = before.updated_ms ? before.updated_ms : before.published_ms;
  return store::AddEdit(txn, before.id, version);
}

cs::Status ApplyRemoteEdit(store::Txn& txn, store::ObjectRecord& existing,
                           const ObjectDoc& incoming, int64_t now_ms) {
  const int64_t stamp = incoming.updated.empty() ? -1 : cs::ParseRfc3339Millis(incoming.updated);
  store::EditRecord version;
  version.content_html = SanitizeHtml(incoming.content_html);
  version.summary = PlainSummary(incoming.summary);
  version.name = incoming.name;
  version.sensitive = incoming.sensitive;
  version.updated_ms = stamp > 0 ? stamp : now_ms;
  if (version.content_html == existing.content_html && version.summary == existing.summary &&
      version.name == existing.name && version.sensitive == existing.sensitive)
    return cs::Status::Ok();  // nothing changed (a duplicate, or a refetch of the current one)
  const int64_t current = existing.updated_ms ? existing.updated_ms : existing.published_ms;
  if (stamp > 0 && stamp <= current) {
    // An older version, late: it joins the history unless it is already there.
    if (stamp == current) return cs::Status::Ok();
    for (const auto& e : store::ListEdits(txn, existing.id))
      if (e.updated_ms == stamp) return cs::Status::Ok();
    return store::AddEdit(txn, existing.id, version);
  }
  CS_RETURN_IF_ERROR(KeepEdit(txn, existing));
  existing.content_html = std::move(version.content_html);
  existing.summary = std::move(version.summary);
  existing.name = std::move(version.name);
  existing.sensitive = version.sensitive;
  existing.tags = KeepTags(incoming.tags);
  existing.updated_ms = version.updated_ms;
  return store::PutObject(txn, existing);
}

RenderedPost RenderLocalPost(const store::Txn& txn, const Uris& uris, std::string_view markdown,
                             const std::vector<KnownMention>& known) {
  const std::string here = Lower(uris.authority());
  auto resolve = [&](const MentionHandle& m) -> std::optional<MentionTarget> {
    if (m.host.empty() || m.host == here) {
      auto actor = store::GetLocalActorByName(txn, m.user);
      if (!actor.ok() || actor->deleted || actor->type == "Application") return std::nullopt;
      return MentionTarget{actor->id, actor->url.empty() ? actor->id : actor->url,
                           "@" + actor->preferred_username + "@" + uris.authority()};
    }
    for (const auto& k : known)
      if (Lower(k.handle.user) == Lower(m.user) && k.handle.host == m.host) return k.target;
    return std::nullopt;
  };
  return RenderPost(markdown, uris.origin(), resolve);
}

std::string PlainSummary(std::string_view summary) {
  std::string text =
      summary.find('<') == std::string_view::npos && summary.find('&') == std::string_view::npos
          ? std::string(summary)
          : HtmlToText(summary);
  if (text.size() > 1000) {
    size_t cut = 1000;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return text;
}

}  // namespace federation

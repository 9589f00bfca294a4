#include "federation/group_membership.h"

#include <algorithm>
#include <chrono>

#include "federation/json.h"
#include "federation/url.h"
#include "store/records.h"

namespace federation {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Adds the ids an (Ordered)Collection or page lists inline, up to `cap` in all.
void AddItems(const rapidjson::Value& page, size_t cap, std::set<std::string>& members) {
  for (const char* key : {"orderedItems", "items"}) {
    const rapidjson::Value* items = Member(page, key);
    if (items == nullptr || !items->IsArray()) continue;
    for (const auto& item : items->GetArray()) {
      if (members.size() >= cap) return;
      auto id = ReadId(item);  // Cloudschool and Lemmy list ids; some servers embed actors
      if (id && IsHttpUrl(*id)) members.insert(*id);
    }
  }
}

bool HasItems(const rapidjson::Value& v) {
  return Member(v, "orderedItems") != nullptr || Member(v, "items") != nullptr;
}

// A failed fetch of the list: transient failures are worth another try later (the caller answers
// 503); a refusal, 404 or a document we cannot use is the group's answer: nobody we can see.
cs::Status Outcome(const cs::Status& fetch) {
  if (fetch.Is(cs::Status::Code::kUnavailable) || fetch.Is(cs::Status::Code::kIOError) ||
      fetch.Is(cs::Status::Code::kInternal))
    return cs::Status::Unavailable("the member list could not be fetched: " + fetch.message());
  return cs::Status::Ok();
}

}  // namespace

GroupMembership::GroupMembership(const store::Store& store, const Fetcher& fetcher,
                                 const Uris& uris, const cs::Clock& clock,
                                 GroupMembershipOptions options)
    : store_(store), fetcher_(fetcher), uris_(uris), clock_(clock), options_(options) {}

GroupMembership::~GroupMembership() = default;

uint64_t GroupMembership::lookups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lookups_;
}

bool GroupMembership::Fresh(const Entry& e, int64_t now_ms) const {
  if (e.loading) return true;
  const int64_t keep = e.status.ok() ? options_.expiry_ms : options_.retry_ms;
  return now_ms < e.done_ms + keep;  // a clock set back keeps the entry: no extra fetch
}

void GroupMembership::EvictOne() const {
  auto oldest = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (!it->second->loading &&
        (oldest == entries_.end() || it->second->done_ms < oldest->second->done_ms))
      oldest = it;
  if (oldest != entries_.end()) entries_.erase(oldest);
}

cs::Result<bool> GroupMembership::Entitled(const std::string& group_id,
                                           const std::string& signer) const {
  auto signer_url = ParseUrl(signer);
  if (!signer_url.ok() || uris_.IsLocal(group_id)) return false;
  std::string followers_url, as;
  {
    auto txn = store_.BeginRead();
    if (!txn.ok()) return txn.status();
    auto group = store::GetActor(*txn, group_id);
    if (!group.ok() || group->type != "Group" || group->deleted) return false;
    followers_url = group->followers;
    if (followers_url.empty() || !SameOrigin(followers_url, group_id)) return false;
    // Asked as one of our teachers who belongs to it: the group shows its members to members.
    for (const auto& f : store::ListFollowers(*txn, group_id)) {
      if (f.state != store::FollowState::kAccepted || !uris_.IsLocal(f.follower)) continue;
      auto a = store::GetActor(*txn, f.follower);
      if (a.ok() && a->type == "Person" && !a->deleted) {
        as = f.follower;
        break;
      }
    }
  }
  if (as.empty()) return false;

  const std::string origin = signer_url->Origin();
  auto listed = [&](const Entry& e) {
    return e.members.count(signer) > 0 || e.origins.count(origin) > 0;
  };
  std::unique_lock<std::mutex> lock(mu_);
  for (bool refreshed = false;; refreshed = true) {
    std::shared_ptr<Entry> entry;
    auto it = entries_.find(group_id);
    const int64_t now = clock_.NowMillis();
    if (it != entries_.end() && Fresh(*it->second, now) &&
        !(refreshed && !it->second->loading &&
          it->second->done_ms <= now - options_.miss_refresh_ms)) {
      entry = it->second;
      // One lookup per group at a time: the others wait for its answer. The lookup is bounded
      // by its deadline and the client's timeouts; the wait is bounded again in case of a bug.
      done_.wait_for(lock, std::chrono::milliseconds(3 * options_.deadline_ms + 30'000),
                     [&] { return !entry->loading; });
      if (entry->loading)
        return cs::Status::Unavailable("the member list of " + group_id +
                                       " is still being fetched");
      if (!entry->status.ok()) return entry->status;
      if (listed(*entry)) return true;
      // Not listed in a list fetched a while ago: the signer may have joined since (its server
      // fetches what the group announced to it at once). Asked again, but at most once per
      // miss_refresh_ms per group, so a stranger's requests cannot make us hammer the group.
      if (refreshed || clock_.NowMillis() < entry->done_ms + options_.miss_refresh_ms) return false;
      continue;
    }
    if (it == entries_.end() && entries_.size() >= options_.max_groups) EvictOne();
    entry = std::make_shared<Entry>();
    entries_[group_id] = entry;
    ++lookups_;
    lock.unlock();
    Entry fetched;
    fetched.loading = false;
    fetched.status = Lookup(group_id, followers_url, as, fetched);
    fetched.done_ms = clock_.NowMillis();
    lock.lock();
    *entry = std::move(fetched);
    done_.notify_all();
    if (!entry->status.ok()) return entry->status;
    return listed(*entry);
  }
}

cs::Status GroupMembership::Lookup(const std::string& group_id, const std::string& followers_url,
                                   const std::string& as, Entry& out) const {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.deadline_ms);
  const size_t cap = options_.max_members;
  auto collection = fetcher_.FetchActivityJsonAs(followers_url, as);
  if (!collection.ok()) return Outcome(collection.status());
  // Items inline, then the pages from `first` (a URL, or a page embedded) along `next`.
  AddItems(*collection->json, cap, out.members);
  std::shared_ptr<rapidjson::Document> page = collection->json;
  const rapidjson::Value* link = Member(*page, "first");
  if (link != nullptr && link->IsObject() && HasItems(*link)) {
    AddItems(*link, cap, out.members);
    link = Member(*link, "next");
  }
  std::set<std::string> seen = {followers_url};
  for (size_t pages = 0; link != nullptr && out.members.size() < cap; ++pages) {
    auto url = ReadId(*link);
    // Only pages of the group's own server are followed: it cannot send us elsewhere.
    if (!url || !SameOrigin(*url, group_id) || !seen.insert(*url).second ||
        pages >= options_.max_pages)
      break;
    if (SteadyClock::now() > deadline)
      return cs::Status::Unavailable("the member list of " + group_id + " took too long");
    auto next = fetcher_.FetchActivityJsonAs(*url, as);
    if (!next.ok()) {
      cs::Status st = Outcome(next.status());
      if (!st.ok()) return st;
      break;  // the group stopped answering pages: what we have is its answer
    }
    page = next->json;  // keeps the document `link` points into alive
    AddItems(*page, cap, out.members);
    link = Member(*page, "next");
  }
  for (const auto& m : out.members)
    if (auto u = ParseUrl(m); u.ok()) out.origins.insert(u->Origin());
  return cs::Status::Ok();
}

std::vector<std::string> AddressedRemoteGroups(const store::Txn& txn, const Uris& uris,
                                               const std::string& audience,
                                               const std::vector<std::string>& to,
                                               const std::vector<std::string>& cc, size_t limit) {
  std::vector<std::string> out;
  auto consider = [&](const std::string& id) {
    if (out.size() >= limit || id.empty() || id == kPublic || uris.IsLocal(id)) return;
    std::string group = id;
    auto actor = store::GetActor(txn, id);
    if (!actor.ok() || actor->type != "Group") {
      // The group's followers collection (GROUP/followers, as the Group document names it).
      auto slash = id.rfind('/');
      if (slash == std::string::npos) return;
      group = id.substr(0, slash);
      actor = store::GetActor(txn, group);
      if (!actor.ok() || actor->type != "Group" || actor->followers != id) return;
    }
    if (actor->deleted || std::find(out.begin(), out.end(), group) != out.end()) return;
    out.push_back(group);
  };
  consider(audience);
  for (const auto& id : to) consider(id);
  for (const auto& id : cc) consider(id);
  return out;
}

}  // namespace federation

// Shared setup for the federation case tests (tests/federation/*_cases_test.cc, docs of the cases in
// /work/shared/cases/federation-cases.md): a real node in a fresh temp dir, real remote servers on
// 127.0.0.1 that serve scripted actor, key and object documents, remote keys generated once per
// process, and signed inbox requests. Header-only because CMake compiles only *_test.cc here.
//
// The node runs in dev mode (scheme http) so the remote servers need no TLS: a remote host is
// "node-b.example.net:PORT", mapped to 127.0.0.1 by the node's `resolve` option, and allowed by
// allow_addresses 127.0.0.0/8. Time is a cs::ManualClock.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "federation/activity_handlers.h"
#include "federation/crypto.h"
#include "federation/delivery_worker.h"
#include "federation/documents.h"
#include "federation/http_signature.h"
#include "federation/job_worker.h"
#include "node/config.h"
#include "node/node.h"
#include "store/clock.h"
#include "store/records.h"
#include "tests/federation/http_test_server.h"
#include "tests/test_util.h"

namespace cases {

inline constexpr int64_t kNowMs = 1796300000LL * 1000;  // 2026-12-03
inline constexpr const char* kLocalDomain = "node-a.example.org";
inline constexpr const char* kLocalOrigin = "http://node-a.example.org";
inline constexpr const char* kPublic = "https://www.w3.org/ns/activitystreams#Public";

// RSA keys of the remote actors, generated once per process (2048 bits: ~50 ms each).
inline const federation::PrivateKey& RemoteKey(int which) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<federation::PrivateKey>> keys;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = keys[which];
  if (!slot) {
    auto k = federation::PrivateKey::GenerateRsa(2048);
    if (!k.ok()) std::abort();
    slot = std::make_unique<federation::PrivateKey>(std::move(k).value());
  }
  return *slot;
}

// Replaces every occurrence of `from` in `text` with `to` (fixtures name https://node-b.example.net;
// the tests serve that host on a loopback port).
inline std::string Rehost(std::string text, const std::string& from, const std::string& to) {
  for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size()))
    text.replace(p, from.size(), to);
  return text;
}

// A remote server on 127.0.0.1 answering from a table of path -> reply (404 otherwise). Every
// request is recorded. `host` is the name the node knows it by (resolved to 127.0.0.1).
class Remote {
 public:
  using Dynamic = std::function<testhttp::Reply(const testhttp::Recorded&)>;

  explicit Remote(std::string host)
      : host_(std::move(host)), server_([this](const testhttp::Recorded& r) { return Answer(r); }) {}

  // "node-b.example.net:PORT"
  std::string authority() const { return host_ + ":" + std::to_string(server_.port()); }
  // "http://node-b.example.net:PORT"
  std::string origin() const { return "http://" + authority(); }
  std::string url(const std::string& path) const { return origin() + path; }
  // The node's resolve entry for this server.
  std::string resolve() const { return authority() + ":127.0.0.1"; }
  int port() const { return server_.port(); }
  int connections() const { return server_.connections(); }
  std::vector<testhttp::Recorded> requests() const { return server_.requests(); }
  // Requests whose target starts with `path`.
  size_t Count(const std::string& path) const {
    size_t n = 0;
    for (const auto& r : server_.requests())
      if (r.target.rfind(path, 0) == 0) ++n;
    return n;
  }

  void Serve(const std::string& path, testhttp::Reply reply) {
    std::lock_guard<std::mutex> lock(mu_);
    fixed_[path] = std::move(reply);
  }
  void ServeJson(const std::string& path, const std::string& json, int status = 200) {
    Serve(path, testhttp::Respond(status, json, {{"Content-Type", "application/activity+json"}}));
  }
  void ServeDynamic(const std::string& path, Dynamic fn) {
    std::lock_guard<std::mutex> lock(mu_);
    dynamic_[path] = std::move(fn);
  }

  // An actor document at `path` (Person unless `type`), with the public key of RemoteKey(key).
  // Returns its id.
  std::string ServeActor(const std::string& path, int key, const std::string& type = "Person",
                         const std::string& extra_json = "") {
    std::string id = url(path);
    ServeJson(path, ActorJson(id, key, type, extra_json));
    return id;
  }
  std::string ActorJson(const std::string& id, int key, const std::string& type = "Person",
                        const std::string& extra_json = "") const {
    std::string name = id.substr(id.rfind('/') + 1);
    return std::string("{\"@context\":[\"https://www.w3.org/ns/activitystreams\",\"https://w3id.org/security/v1\"],") +
           "\"id\":" + federation::JsonString(id) + ",\"type\":\"" + type + "\"," +
           "\"preferredUsername\":" + federation::JsonString(name) + "," +
           "\"inbox\":" + federation::JsonString(id + "/inbox") + "," +
           "\"followers\":" + federation::JsonString(id + "/followers") + "," +
           "\"endpoints\":{\"sharedInbox\":" + federation::JsonString(url("/inbox")) + "}," +
           extra_json +
           "\"publicKey\":{\"id\":" + federation::JsonString(id + "#main-key") +
           ",\"owner\":" + federation::JsonString(id) +
           ",\"publicKeyPem\":" + federation::JsonString(RemoteKey(key).PublicKeyPem()) + "}}";
  }

 private:
  testhttp::Reply Answer(const testhttp::Recorded& r) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string path = r.target.substr(0, r.target.find('?'));
    if (auto it = dynamic_.find(path); it != dynamic_.end()) {
      Dynamic fn = it->second;
      return fn(r);
    }
    if (auto it = fixed_.find(path); it != fixed_.end()) return it->second;
    return testhttp::Respond(404, "{\"error\":\"not found\"}", {{"Content-Type", "application/json"}});
  }

  std::string host_;
  std::mutex mu_;
  std::map<std::string, testhttp::Reply> fixed_;
  std::map<std::string, Dynamic> dynamic_;
  testhttp::Server server_;  // last: stops before the tables go
};

struct NodeOptions {
  std::string domain = kLocalDomain;
  std::string scheme = "http";
  std::vector<std::string> allow_addresses = {"127.0.0.0/8"};
  std::vector<std::string> resolve;
  std::vector<std::string> users = {"teacher1"};
};

// A freshly initialised node with its users, opened over a ManualClock. Nodes with the default
// domain and users are copied from a template made once per process (key generation is the slow
// part of InitNode and AddUser).
class CaseNode {
 public:
  explicit CaseNode(NodeOptions options = {}) : clock_(kNowMs) {
    node::Config config;
    config.domain = options.domain;
    config.scheme = options.scheme;
    config.allow_addresses = options.allow_addresses;
    config.resolve = options.resolve;
    std::string dir = dir_.str() + "/node";
    bool standard = options.domain == kLocalDomain && options.users == std::vector<std::string>{"teacher1"};
    if (standard) {
      std::filesystem::copy(Template(options.scheme), dir, std::filesystem::copy_options::recursive);
      EXPECT_TRUE(node::SaveConfig(dir, config).ok());
    } else {
      Init(dir, config, options.users, clock_);
    }
    auto n = node::Node::Open(dir, clock_);
    if (!n.ok()) {
      ADD_FAILURE() << n.status().ToString();
      std::abort();
    }
    node_ = std::move(n).value();
    handlers_ = std::make_unique<federation::ActivityHandlers>(node_->outbox(), node_->uris(), clock_);
  }

  node::Node& node() { return *node_; }
  node::Node* operator->() { return node_.get(); }
  cs::ManualClock& clock() { return clock_; }
  const store::Store& store() const { return node_->store(); }
  const federation::ActivityHandlers& handlers() const { return *handlers_; }
  std::string User(const std::string& name) const { return node_->uris().User(name); }

  // Runs the job worker once (fetches queued after a 202). Returns how many jobs ran.
  size_t RunJobs() {
    federation::JobWorker jobs(node_->store(), node_->actors(), node_->fetcher(), *handlers_, clock_);
    auto n = jobs.RunOnce();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : 0;
  }

  uint64_t Count(store::Db db) const {
    auto txn = node_->store().BeginRead();
    return txn.ok() ? txn->Count(db) : 0;
  }
  std::optional<store::ObjectRecord> Object(const std::string& id) const {
    auto txn = node_->store().BeginRead();
    if (!txn.ok()) return std::nullopt;
    auto o = store::GetObject(*txn, id);
    if (!o.ok()) return std::nullopt;
    return *o;
  }
  std::optional<store::ActorRecord> Actor(const std::string& id) const {
    auto txn = node_->store().BeginRead();
    if (!txn.ok()) return std::nullopt;
    auto a = store::GetActor(*txn, id);
    if (!a.ok()) return std::nullopt;
    return *a;
  }
  std::vector<store::JobRecord> Jobs() const {
    std::vector<store::JobRecord> out;
    auto txn = node_->store().BeginRead();
    if (!txn.ok()) return out;
    (void)txn->Scan(store::Db::kJobs, "", [&](std::string_view, std::string_view v) {
      if (auto j = store::JobRecord::Decode(v)) out.push_back(*j);
      return true;
    });
    return out;
  }
  // Object ids on a local actor's home timeline.
  std::vector<std::string> Timeline(const std::string& actor) const {
    std::vector<std::string> out;
    auto txn = node_->store().BeginRead();
    if (!txn.ok()) return out;
    (void)txn->Scan(store::Db::kTimelines, store::JoinKey(actor, ""),
                    [&](std::string_view, std::string_view v) {
                      out.emplace_back(v);
                      return true;
                    });
    return out;
  }
  cs::Status Update(const std::function<cs::Status(store::Txn&)>& body) {
    return node_->store().Update(body);
  }

  // Stores a remote actor and its key as if fetched earlier (no network needed to verify it).
  void Seed(const Remote& remote, const std::string& path, int key, const std::string& type = "Person") {
    std::string id = remote.url(path);
    store::ActorRecord a;
    a.id = id;
    a.type = type;
    a.preferred_username = id.substr(id.rfind('/') + 1);
    a.inbox = id + "/inbox";
    a.followers = id + "/followers";
    a.shared_inbox = remote.url("/inbox");
    a.key_id = id + "#main-key";
    a.public_key_pem = RemoteKey(key).PublicKeyPem();
    a.fetched_at_ms = clock_.NowMillis();
    ASSERT_TRUE(Update([&](store::Txn& txn) -> cs::Status {
      CS_RETURN_IF_ERROR(store::PutActor(txn, a));
      return store::PutKey(txn, {.key_id = a.key_id, .owner = id, .pem = a.public_key_pem,
                                 .fetched_at_ms = clock_.NowMillis()});
    }).ok());
  }

  // `follower` follows the local user `name` (accepted).
  void AddFollower(const std::string& follower, const std::string& name) {
    ASSERT_TRUE(Update([&](store::Txn& txn) {
      return store::PutFollow(txn, {.follower = follower, .followee = User(name),
                                    .activity_id = follower + "#follow",
                                    .state = store::FollowState::kAccepted,
                                    .created_ms = clock_.NowMillis()});
    }).ok());
  }
  // The local user `name` follows `followee` (accepted).
  void Follow(const std::string& name, const std::string& followee) {
    ASSERT_TRUE(Update([&](store::Txn& txn) {
      return store::PutFollow(txn, {.follower = User(name), .followee = followee,
                                    .activity_id = User(name) + "#follow-" + followee,
                                    .state = store::FollowState::kAccepted,
                                    .created_ms = clock_.NowMillis()});
    }).ok());
  }

  static void Init(const std::string& dir, const node::Config& config,
                   const std::vector<std::string>& users, const cs::Clock& clock) {
    cs::Status st = node::InitNode(dir, config, clock);
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto store = store::Store::Open(dir);
    ASSERT_TRUE(store.ok());
    federation::Uris uris(config.Origin());
    for (const auto& u : users) {
      auto added = node::AddUser(**store, uris, u, "", clock);
      ASSERT_TRUE(added.ok()) << added.status().ToString();
    }
  }

 private:
  static std::string Template(const std::string& scheme) {
    static std::mutex mu;
    static std::map<std::string, std::unique_ptr<testutil::TempDir>> dirs;
    std::lock_guard<std::mutex> lock(mu);
    auto& slot = dirs[scheme];
    if (!slot) {
      slot = std::make_unique<testutil::TempDir>();
      node::Config config;
      config.domain = kLocalDomain;
      config.scheme = scheme;
      cs::ManualClock clock(kNowMs);
      Init(slot->str() + "/node", config, {"teacher1"}, clock);
    }
    return slot->str() + "/node";
  }

  testutil::TempDir dir_;
  cs::ManualClock clock_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<federation::ActivityHandlers> handlers_;
};

// An inbox POST addressed to our node (unsigned).
inline federation::HttpRequest InboxPost(std::string body, std::string target = "/inbox",
                                         std::string authority = kLocalDomain) {
  federation::HttpRequest r;
  r.method = "POST";
  r.scheme = "http";
  r.authority = std::move(authority);
  r.target = std::move(target);
  r.headers.Set("content-type", "application/activity+json");
  r.body = std::move(body);
  return r;
}

// The same, signed draft-cavage style by `key_id` with RemoteKey(key) at `now_s`.
inline federation::HttpRequest SignedPost(std::string body, const std::string& key_id, int key,
                                          int64_t now_s, std::string target = "/inbox") {
  federation::HttpRequest r = InboxPost(std::move(body), std::move(target));
  cs::Status st = federation::SignCavage(r, key_id, RemoteKey(key), now_s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return r;
}

// A Create(Note) by `actor` with the given note id and content, public.
inline std::string CreateNote(const std::string& actor, const std::string& note_id,
                              const std::string& content = "<p>hello</p>",
                              const std::string& extra_note_json = "") {
  return "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":" +
         federation::JsonString(note_id + "/activity") + ",\"type\":\"Create\",\"actor\":" +
         federation::JsonString(actor) + ",\"to\":[\"" + kPublic + "\"],\"object\":{\"id\":" +
         federation::JsonString(note_id) + ",\"type\":\"Note\",\"attributedTo\":" +
         federation::JsonString(actor) + "," + extra_note_json + "\"to\":[\"" + kPublic +
         "\"],\"content\":" + federation::JsonString(content) + "}}";
}

}  // namespace cases

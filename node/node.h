// One school's node: the composition root. Opens the data directory (config, LMDB), builds the
// federation parts over it, and, for `serve`, runs the HTTP server and the delivery and job
// workers. Commands use the same object without serving. Thread-safe after Open.
#pragma once

#include <memory>
#include <string>

#include "federation/activity_handlers.h"
#include "federation/actor_cache.h"
#include "federation/delivery_worker.h"
#include "federation/fetcher.h"
#include "federation/group_membership.h"
#include "federation/http_client.h"
#include "federation/inbox.h"
#include "federation/job_worker.h"
#include "federation/outbox.h"
#include "node/config.h"
#include "store/files.h"
#include "store/writer.h"

namespace node {

class HttpServer;
class Router;

struct ServeOptions {
  std::string listen;            // "ADDR:PORT"; empty: the config's
  std::string tls_cert, tls_key; // empty: the config's (both empty: plain HTTP behind a proxy)
  // An inbox POST holds its handler thread until the group commit it joined is durable (one
  // fsync pair for every request waiting), so inbox throughput is about handler_threads / commit
  // latency: 4 threads and ~5 ms commits gave 750 activities/s (docs/performance.md). The threads
  // mostly sleep; 64 of them cost about a MiB of RSS.
  int handler_threads = 64;
  federation::DeliveryOptions delivery;
};

class Node {
 public:
  static cs::Result<std::unique_ptr<Node>> Open(const std::string& data_dir,
                                                const cs::Clock& clock = cs::SystemClock::Instance());
  ~Node();

  const Config& config() const { return config_; }
  const std::string& data_dir() const { return data_dir_; }
  const store::Store& store() const { return *store_; }
  store::Writer& writer() { return *writer_; }
  const federation::Uris& uris() const { return *uris_; }
  const federation::HttpClient& client() const { return *client_; }
  const federation::Fetcher& fetcher() const { return *fetcher_; }
  const federation::ActorCache& actors() const { return *actors_; }
  const federation::Outbox& outbox() const { return *outbox_; }
  const federation::Inbox& inbox() const { return *inbox_; }
  // Who belongs to communities on other nodes, asked of their servers (for fetches of what our
  // teachers posted into them; federation/group_membership.h).
  const federation::GroupMembership& membership() const { return *membership_; }
  const cs::Clock& clock() const { return clock_; }
  // The files of shared resources (DATA/media, store/files.h).
  const store::BlobStore& blobs() const { return *blobs_; }

  // Resolves a handle or URL to an actor: local names and URLs from the store, others remotely.
  cs::Result<store::ActorRecord> ResolveActor(std::string_view handle_or_url) const;

  // Makes sure the object `id` is in the store (fetching a remote one).
  cs::Status EnsureObject(const std::string& id) const;

  // Starts the server and the workers; returns once listening.
  cs::Status Serve(const ServeOptions& options);
  uint16_t port() const;
  // Asks the delivery worker to look at the queue now (after an inbox queued an Accept).
  void WakeDelivery() { if (delivery_) delivery_->Wake(); }
  // Stops accepting, finishes what is in flight, stops the workers.
  void Shutdown();

 private:
  explicit Node(const cs::Clock& clock);

  const cs::Clock& clock_;
  std::string data_dir_;
  Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<federation::Uris> uris_;
  std::unique_ptr<federation::HttpClient> client_;
  std::unique_ptr<federation::Fetcher> fetcher_;
  std::unique_ptr<federation::ActorCache> actors_;
  std::unique_ptr<federation::Outbox> outbox_;
  std::unique_ptr<federation::Inbox> inbox_;
  std::unique_ptr<federation::HttpClient> membership_client_;
  std::unique_ptr<federation::Fetcher> membership_fetcher_;
  std::unique_ptr<federation::GroupMembership> membership_;
  std::unique_ptr<federation::ActivityHandlers> handlers_;
  std::unique_ptr<federation::DeliveryWorker> delivery_;
  std::unique_ptr<federation::JobWorker> jobs_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  int lock_fd_ = -1;
};

// Creates a node in `data_dir`: config, LMDB with schema version, instance actor and key.
// kConflict when a node already exists there.
cs::Status InitNode(const std::string& data_dir, const Config& config, const cs::Clock& clock);
// Creates a local teacher (Person) with a fresh RSA key. kConflict when the name is taken
// (by a teacher or a community, in any case).
cs::Result<store::ActorRecord> AddUser(const store::Store& store, const federation::Uris& uris,
                                       std::string_view name, std::string_view display_name,
                                       const cs::Clock& clock);
// Valid local names: 1-30 of [A-Za-z0-9_].
bool IsValidLocalName(std::string_view name);
// The rule IsValidLocalName applies, for an error about `name`: "a name is 1-30 ASCII letters...".
std::string LocalNameRule(std::string_view name);

}  // namespace node
